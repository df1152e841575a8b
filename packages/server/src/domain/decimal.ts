/**
 * Exact decimal numbers for fiat money: value = units / 10^scale, `units` a bigint.
 *
 * Why not `number`: 0.1 + 0.2 !== 0.3, and JSON numbers past 2^53 silently lose digits.
 * Why not a library: btpay needs parsing, + - ×, one division and one rounding rule; this is small
 * enough to read in one sitting, and nothing in it can round behind our back.
 *
 * THE rounding rule of btpay is HALF_UP: round to the nearest value, ties away from zero
 * (2.345 -> 2.35, -2.345 -> -2.35, 0.5 JPY -> 1). It is what invoices, tax offices and people
 * checking by hand expect; banker's rounding (ties to even) surprises merchants reconciling totals.
 * Every operation that can round takes the mode as an argument so each call site names the rule;
 * `format(scale)` is the only implicit one and it also uses HALF_UP.
 *
 * Values are immutable. A Decimal keeps the scale it was built with ("1.50" has scale 2), but equality,
 * comparison and `toString()` are by value: "1.50" equals "1.5" and prints as "1.5".
 */
import { ValidationError } from "./errors.js";

export type RoundingMode = "HALF_UP";
export const HALF_UP: RoundingMode = "HALF_UP";

const DECIMAL_PATTERN = /^-?[0-9]+(\.[0-9]+)?$/;
/** Bounds the bigints we build from client input; no real amount needs more. */
const MAX_INPUT_LENGTH = 40;
/** Any decimal of at most 15 significant digits survives a round trip through a double unchanged. */
const MAX_NUMBER_DIGITS = 15;

const pow10 = (n: number): bigint => 10n ** BigInt(n);

function checkScale(scale: number): void {
  if (!Number.isSafeInteger(scale) || scale < 0) {
    throw new RangeError(`scale must be a non-negative integer, got ${scale}`);
  }
}

/** num / den rounded with `mode`. Plain errors, not ValidationError: a bad scale or a zero divisor is a bug. */
function divRound(num: bigint, den: bigint, mode: RoundingMode): bigint {
  if (mode !== HALF_UP) throw new RangeError(`unknown rounding mode ${String(mode)}`);
  if (den === 0n) throw new RangeError("division by zero");
  const quotient = num / den; // bigint division truncates toward zero
  const remainder = num % den; // and the remainder takes the sign of num
  const twiceRemainder = 2n * (remainder < 0n ? -remainder : remainder);
  if (twiceRemainder < (den < 0n ? -den : den)) return quotient;
  // At or past the half: step one unit away from zero.
  return num < 0n !== den < 0n ? quotient - 1n : quotient + 1n;
}

/** Digits with the point `scale` places from the right, e.g. (-5n, 2) -> "-0.05". */
function render(units: bigint, scale: number): string {
  const digits = (units < 0n ? -units : units).toString().padStart(scale + 1, "0");
  const whole = digits.slice(0, digits.length - scale);
  const fraction = scale > 0 ? `.${digits.slice(digits.length - scale)}` : "";
  return `${units < 0n ? "-" : ""}${whole}${fraction}`;
}

export class Decimal {
  static readonly ZERO = new Decimal(0n, 0);

  private constructor(
    readonly units: bigint,
    readonly scale: number,
  ) {}

  /** units / 10^scale, e.g. fromUnits(150000n, 8) is 0.0015 BTC expressed from satoshis. */
  static fromUnits(units: bigint, scale: number): Decimal {
    checkScale(scale);
    return new Decimal(units, scale);
  }

  /** Strict: optional minus, digits, optional point followed by digits. No "+", "1.", ".5", "1e3", spaces. */
  static parse(input: string, field?: string): Decimal {
    if (input.length > MAX_INPUT_LENGTH) {
      throw new ValidationError(`must be at most ${MAX_INPUT_LENGTH} characters long`, field);
    }
    if (!DECIMAL_PATTERN.test(input)) {
      throw new ValidationError('must be a decimal number such as "12.34"', field);
    }
    const negative = input.startsWith("-");
    const body = negative ? input.slice(1) : input;
    const point = body.indexOf(".");
    const digits = point < 0 ? body : body.slice(0, point) + body.slice(point + 1);
    const units = BigInt(digits);
    return new Decimal(negative ? -units : units, point < 0 ? 0 : body.length - point - 1);
  }

  /**
   * A JSON number, accepted only when its shortest string form is a plain decimal of at most
   * 15 significant digits: then `String(n)` gives back exactly the digits the client wrote.
   * Anything else may already have been altered by JSON.parse, so we refuse rather than guess.
   */
  static fromNumber(n: number, field?: string): Decimal {
    if (!Number.isFinite(n)) throw new ValidationError("must be a finite number", field);
    const text = String(n);
    if (/e/i.test(text)) {
      throw new ValidationError(
        `${text} cannot be read exactly as a JSON number; send the value as a string such as "0.0000001"`,
        field,
      );
    }
    const significant = text.replace("-", "").replace(".", "").replace(/^0+/, "");
    if (significant.length > MAX_NUMBER_DIGITS) {
      throw new ValidationError(
        `has more than ${MAX_NUMBER_DIGITS} significant digits, which a JSON number cannot carry exactly; send the value as a string`,
        field,
      );
    }
    return Decimal.parse(text, field);
  }

  /** What the HTTP layer calls on a request value: a decimal string or a (safe) JSON number. */
  static from(value: unknown, field?: string): Decimal {
    if (value instanceof Decimal) return value;
    if (typeof value === "string") return Decimal.parse(value, field);
    if (typeof value === "number") return Decimal.fromNumber(value, field);
    throw new ValidationError('must be a decimal string such as "12.34"', field);
  }

  /** units expressed at a scale >= this.scale (exact, no rounding). */
  private unitsAt(scale: number): bigint {
    return this.units * pow10(scale - this.scale);
  }

  add(other: Decimal): Decimal {
    const scale = Math.max(this.scale, other.scale);
    return new Decimal(this.unitsAt(scale) + other.unitsAt(scale), scale);
  }

  sub(other: Decimal): Decimal {
    const scale = Math.max(this.scale, other.scale);
    return new Decimal(this.unitsAt(scale) - other.unitsAt(scale), scale);
  }

  /** Exact: the scales add up. Round afterwards with `rescale`. */
  mul(other: Decimal): Decimal {
    return new Decimal(this.units * other.units, this.scale + other.scale);
  }

  negate(): Decimal {
    return new Decimal(-this.units, this.scale);
  }

  abs(): Decimal {
    return this.units < 0n ? this.negate() : this;
  }

  compare(other: Decimal): -1 | 0 | 1 {
    const scale = Math.max(this.scale, other.scale);
    const a = this.unitsAt(scale);
    const b = other.unitsAt(scale);
    return a < b ? -1 : a > b ? 1 : 0;
  }

  equals(other: Decimal): boolean {
    return this.compare(other) === 0;
  }

  isZero(): boolean {
    return this.units === 0n;
  }

  isNegative(): boolean {
    return this.units < 0n;
  }

  isPositive(): boolean {
    return this.units > 0n;
  }

  /** Same value with trailing fractional zeros removed: "1.500" -> "1.5", "2.00" -> "2". */
  normalize(): Decimal {
    let { units, scale } = this;
    while (scale > 0 && units % 10n === 0n) {
      units /= 10n;
      scale -= 1;
    }
    return scale === this.scale ? this : new Decimal(units, scale);
  }

  /** Decimal places the value really needs: "1.50" -> 1, "200.00" -> 0. */
  decimalPlaces(): number {
    return this.normalize().scale;
  }

  /** The value at exactly `scale` decimal places: padded when wider, rounded with `mode` when narrower. */
  rescale(scale: number, mode: RoundingMode): Decimal {
    checkScale(scale);
    if (scale >= this.scale) return new Decimal(this.unitsAt(scale), scale);
    return new Decimal(divRound(this.units, pow10(this.scale - scale), mode), scale);
  }

  /**
   * units at `scale` without any rounding, e.g. a BTC amount to satoshis with toUnits(8).
   * Throws when the value has more decimals than `scale`: losing value there would be a bug.
   */
  toUnits(scale: number): bigint {
    checkScale(scale);
    if (this.decimalPlaces() > scale) {
      throw new RangeError(`${this.toString()} has more than ${scale} decimal places`);
    }
    return this.rescale(scale, HALF_UP).units;
  }

  /** Canonical form: no trailing zeros, no "-0", no exponent. "200.00" -> "200". */
  toString(): string {
    const n = this.normalize();
    return render(n.units, n.scale);
  }

  /** Fixed number of decimals for display and the wire, rounding HALF_UP: format(2) of "0.125" is "0.13". */
  format(scale: number): string {
    const r = this.rescale(scale, HALF_UP);
    return render(r.units, r.scale);
  }

  /** JSON.stringify writes the canonical string, never a number. */
  toJSON(): string {
    return this.toString();
  }
}

/**
 * a / b rounded once, with `mode`, to `scale` decimals; exact until that single rounding.
 * Used for btc_amount = total / rate at 8 decimals. Throws RangeError when b is zero.
 */
export function divide(a: Decimal, b: Decimal, scale: number, mode: RoundingMode): Decimal {
  checkScale(scale);
  // (a.units / 10^a.scale) / (b.units / 10^b.scale) * 10^scale, kept as one integer fraction.
  const numerator = a.units * pow10(scale + b.scale);
  const denominator = b.units * pow10(a.scale);
  return Decimal.fromUnits(divRound(numerator, denominator, mode), scale);
}
