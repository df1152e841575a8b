/**
 * JSON with exact amounts. Bitcoin Core writes BTC amounts as JSON numbers with 8 decimals
 * (`"value": 0.00010000`); going through a JS number would round values such as
 * 20999999.99999999, so amounts are written from bigint satoshis as text, and incoming numeric
 * literals are kept as their source text until a caller decides what they mean.
 */
import { randomBytes } from "node:crypto";

const SATS_PER_BTC = 100_000_000n;

/** A satoshi amount that `stringifyJsonExact` writes as a BTC number with 8 decimals. */
export class BtcAmount {
  constructor(readonly sats: bigint) {}
}

export function btc(sats: bigint): BtcAmount {
  return new BtcAmount(sats);
}

/** A numeric literal from `parseJsonExact`, kept as written. */
export class JsonNumber {
  constructor(readonly text: string) {}

  /** The value as a JS number (fine for counts, heights, fee rates; never for money). */
  toNumber(): number {
    return Number(this.text);
  }
}

/** "0.00010000" for 10000n; negative amounts keep their sign. */
export function satsToBtcText(sats: bigint): string {
  const sign = sats < 0n ? "-" : "";
  const abs = sats < 0n ? -sats : sats;
  return `${sign}${abs / SATS_PER_BTC}.${(abs % SATS_PER_BTC).toString().padStart(8, "0")}`;
}

const DECIMAL = /^(-)?(\d+)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$|^(-)?\.(\d+)(?:[eE]([+-]?\d+))?$/;

/**
 * Exact satoshis of a BTC amount written in decimal ("0.1", "1e-8", "21000000"); undefined when
 * it is not a number or has more than 8 decimals (Core's ParseFixedPoint refuses those too).
 */
export function btcTextToSats(text: string): bigint | undefined {
  const m = DECIMAL.exec(text.trim());
  if (!m) return undefined;
  const negative = (m[1] ?? m[5]) === "-";
  const intPart = m[2] ?? "0";
  const fracPart = m[3] ?? m[6] ?? "";
  const exponent = Number(m[4] ?? m[7] ?? "0");
  // Shift the decimal point: value = digits * 10^(exponent - fracPart.length), in sats * 10^-8.
  const digits = BigInt(intPart + fracPart);
  const scale = exponent - fracPart.length + 8;
  if (!Number.isSafeInteger(scale) || scale < -80 || scale > 40) return undefined;
  let sats: bigint;
  if (scale >= 0) sats = digits * 10n ** BigInt(scale);
  else {
    const divisor = 10n ** BigInt(-scale);
    if (digits % divisor !== 0n) return undefined;
    sats = digits / divisor;
  }
  return negative ? -sats : sats;
}

// A per-process random tag, so no string that happens to be in the data can look like a placeholder.
const TAG = `\u0000exact-${randomBytes(6).toString("hex")}:`;
const PLACEHOLDER = new RegExp(`"${JSON.stringify(TAG).slice(1, -1).replace(/\\/g, "\\\\")}([-+0-9.eE]+)"`, "g");

/**
 * JSON.stringify where `BtcAmount` becomes a BTC number with 8 decimals, `bigint` an integer
 * number and `JsonNumber` its original literal: each is first written as a tagged string, then the
 * string (quotes included) is swapped for the exact number text.
 */
export function stringifyJsonExact(value: unknown, space?: number): string {
  const json = JSON.stringify(
    value,
    (_key, v: unknown) => {
      if (v instanceof BtcAmount) return TAG + satsToBtcText(v.sats);
      if (typeof v === "bigint") return TAG + v.toString();
      if (v instanceof JsonNumber) return TAG + v.text;
      return v;
    },
    space,
  );
  return json === undefined ? "null" : json.replace(PLACEHOLDER, "$1");
}

const NUMBER_LITERAL = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/**
 * JSON.parse where every number becomes a `JsonNumber` holding its literal text. A small scanner
 * wraps each numeric literal outside strings in a tagged string before the built-in parser runs;
 * syntax errors are still JSON.parse's.
 */
export function parseJsonExact(text: string): unknown {
  let out = "";
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === '"') {
      const end = endOfString(text, i);
      out += text.slice(i, end);
      i = end;
    } else if (ch === "-" || (ch >= "0" && ch <= "9")) {
      NUMBER_LITERAL.lastIndex = i;
      const m = NUMBER_LITERAL.exec(text);
      if (!m) return JSON.parse(text); // let the real parser report the error
      out += JSON.stringify(TAG + m[0]);
      i += m[0].length;
    } else {
      out += ch;
      i++;
    }
  }
  return JSON.parse(out, (_key, v: unknown) =>
    typeof v === "string" && v.startsWith(TAG) ? new JsonNumber(v.slice(TAG.length)) : v,
  );
}

/** Index just past the string literal that starts at `start` (or the end of the text). */
function endOfString(text: string, start: number): number {
  let i = start + 1;
  while (i < text.length) {
    if (text[i] === "\\") i += 2;
    else if (text[i] === '"') return i + 1;
    else i++;
  }
  return text.length;
}

/** Core's FormatMoney, used in its error messages: trailing zeros trimmed down to 2 decimals ("0.00001", "1.00"). */
export function formatMoney(sats: bigint): string {
  return satsToBtcText(sats).replace(/(\.\d\d\d*?)0+$/, "$1");
}
