import { Decimal, divide, HALF_UP } from "./decimal.js";
import { ValidationError } from "./errors.js";

const HUNDRED = Decimal.fromUnits(100n, 0);

/**
 * What the payer owes in satoshis for a fiat `total` at `rate` (fiat per BTC) with the store's
 * `markupPercent`: total x (1 + markup / 100) / rate, rounded HALF_UP (btpay's one rounding rule)
 * to 8 decimals, i.e. whole satoshis. A markup makes the payer pay MORE BTC.
 */
export function btcAmountSats(total: string, rate: string, markupPercent: string): bigint {
  const r = Decimal.parse(rate);
  if (!r.isPositive()) throw new RangeError(`exchange rate must be positive, got ${rate}`);
  const markup = Decimal.parse(markupPercent);
  if (markup.isNegative()) throw new ValidationError("must not be negative", "markup_percent");
  const marked = Decimal.parse(total).mul(HUNDRED.add(markup));
  // (total x (100 + markup)) / (rate x 100), one division so only one rounding happens.
  const btc = divide(marked, r.mul(HUNDRED), 8, HALF_UP);
  return btc.toUnits(8);
}

/** Satoshis as a BTC decimal string with exactly 8 decimals: 310459n -> "0.00310459". */
export function formatBtc(sats: bigint): string {
  return Decimal.fromUnits(sats, 8).format(8);
}
