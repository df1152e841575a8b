/**
 * Invoice totals: from line items, tax rate and discount to the amounts printed on the invoice.
 *
 * Rules (rounding is always HALF_UP, see decimal.ts, to the currency's ISO 4217 minor unit `m`):
 * 1. line amount   = quantity x unit_price, rounded to m. Lines are rounded one by one so the
 *                    printed line amounts add up exactly to the printed subtotal.
 * 2. subtotal      = sum of line amounts (exact).
 * 3. tax_amount    = subtotal x tax_rate / 100, rounded to m once (tax on the subtotal, not per line).
 * 4. discount_amount is in currency units and is taken as given: it must not have more decimals than
 *                    the currency allows. We refuse ("discount_amount: USD has 2 decimal places") rather
 *                    than round, because silently changing a number the merchant typed is worse.
 * 5. total         = subtotal + tax_amount - discount_amount (exact; never negative, may be 0: a draft
 *                    may be free, finalizing refuses a non-positive total later).
 *
 * Validation, each failure a ValidationError naming the field:
 * - at least one line; quantity > 0; unit_price >= 0; both at most 8 decimal places;
 * - 0 <= tax_rate <= 100; 0 <= discount_amount <= subtotal + tax_amount;
 * - every input and computed amount below 10^15, so nothing absurd reaches a rate, a column or a PDF.
 *
 * Output strings: amounts formatted to m decimals ("220.00", "220" for JPY, "220.000" for BHD),
 * quantity canonical ("2", "1.5"), unit_price with max(its own decimals, m) ("150.00", "0.125").
 */
import { minorUnits, normalizeCurrency } from "./currency.js";
import { Decimal, divide, HALF_UP } from "./decimal.js";
import { ValidationError } from "./errors.js";

export interface TotalsLineInput {
  description: string;
  quantity: Decimal;
  unit_price: Decimal;
}

export interface TotalsInput {
  lines: readonly TotalsLineInput[];
  /** Percentage: 10 means 10 %. Absent means no tax. */
  tax_rate?: Decimal | undefined;
  /** Currency units. Absent means no discount. */
  discount_amount?: Decimal | undefined;
}

/** The same input as it arrives in a request body: decimals as strings or plain JSON numbers. */
export interface WireTotalsInput {
  lines: readonly { description: string; quantity: unknown; unit_price: unknown }[];
  tax_rate?: unknown;
  discount_amount?: unknown;
}

export interface TotalsLine {
  description: string;
  quantity: string;
  unit_price: string;
  amount: string;
}

export interface InvoiceTotals {
  /** Normalized ISO 4217 code. */
  currency: string;
  lines: TotalsLine[];
  subtotal: string;
  tax_amount: string;
  discount_amount: string;
  total: string;
}

const MAX_INPUT_DECIMALS = 8;
const LIMIT = Decimal.fromUnits(10n ** 15n, 0);
const HUNDRED = Decimal.fromUnits(100n, 0);

/** Parses the decimals of a request body, each error naming its field (`lines[1].quantity`). */
export function parseTotalsInput(raw: WireTotalsInput): TotalsInput {
  if (!Array.isArray(raw.lines)) throw new ValidationError("must be an array of line items", "lines");
  return {
    lines: raw.lines.map((line, i) => ({
      description: line.description,
      quantity: Decimal.from(line.quantity, `lines[${i}].quantity`),
      unit_price: Decimal.from(line.unit_price, `lines[${i}].unit_price`),
    })),
    tax_rate: optional(raw.tax_rate, "tax_rate"),
    discount_amount: optional(raw.discount_amount, "discount_amount"),
  };
}

/** Applies the rules in the header to `input`, priced in `currency` (any case; unknown codes refused). */
export function computeTotals(input: TotalsInput, currency: string): InvoiceTotals {
  const code = normalizeCurrency(currency);
  const m = minorUnits(code);
  if (input.lines.length === 0) throw new ValidationError("at least one line item is required", "lines");

  const lines: TotalsLine[] = [];
  let subtotal = Decimal.ZERO;
  input.lines.forEach((line, i) => {
    const at = `lines[${i}]`;
    const { quantity, unit_price: unitPrice } = line;
    if (!quantity.isPositive()) throw new ValidationError("must be greater than 0", `${at}.quantity`);
    if (unitPrice.isNegative()) throw new ValidationError("must not be negative", `${at}.unit_price`);
    checkInput(quantity, `${at}.quantity`);
    checkInput(unitPrice, `${at}.unit_price`);

    const amount = quantity.mul(unitPrice).rescale(m, HALF_UP);
    checkBelowLimit(amount, `${at}.amount`);
    subtotal = subtotal.add(amount);
    lines.push({
      description: line.description,
      quantity: quantity.toString(),
      unit_price: unitPrice.format(Math.max(unitPrice.decimalPlaces(), m)),
      amount: amount.format(m),
    });
  });
  checkBelowLimit(subtotal, "subtotal");

  const taxRate = input.tax_rate ?? Decimal.ZERO;
  if (taxRate.isNegative() || taxRate.compare(HUNDRED) > 0) {
    throw new ValidationError("must be a percentage between 0 and 100", "tax_rate");
  }
  // One division of the exact product: a single rounding, never a rounded rate times a subtotal.
  const taxAmount = divide(subtotal.mul(taxRate), HUNDRED, m, HALF_UP);
  const beforeDiscount = subtotal.add(taxAmount);
  checkBelowLimit(beforeDiscount, "total");

  const discount = input.discount_amount ?? Decimal.ZERO;
  if (discount.isNegative()) throw new ValidationError("must not be negative", "discount_amount");
  if (discount.decimalPlaces() > m) {
    throw new ValidationError(`${code} has ${m} decimal places, got "${discount.toString()}"`, "discount_amount");
  }
  if (discount.compare(beforeDiscount) > 0) {
    throw new ValidationError("exceeds the invoice total", "discount_amount");
  }

  return {
    currency: code,
    lines,
    subtotal: subtotal.format(m),
    tax_amount: taxAmount.format(m),
    discount_amount: discount.format(m),
    total: beforeDiscount.sub(discount).format(m),
  };
}

function optional(value: unknown, field: string): Decimal | undefined {
  return value === undefined || value === null ? undefined : Decimal.from(value, field);
}

function checkInput(value: Decimal, field: string): void {
  if (value.decimalPlaces() > MAX_INPUT_DECIMALS) {
    throw new ValidationError(`must have at most ${MAX_INPUT_DECIMALS} decimal places`, field);
  }
  checkBelowLimit(value, field);
}

function checkBelowLimit(value: Decimal, field: string): void {
  if (value.abs().compare(LIMIT) >= 0) {
    throw new ValidationError(`is too large (must be below ${LIMIT.toString()})`, field);
  }
}
