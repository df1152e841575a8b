import { minorUnits } from "./currency.js";
import { Decimal, HALF_UP } from "./decimal.js";

/** A fiat amount as the API prints it: exactly the currency's minor units ("220.00", "220" for JPY). */
export function formatFiat(value: string, currency: string): string {
  return Decimal.parse(value).format(minorUnits(currency));
}

/** A unit price keeps any extra precision it was given, but never shows fewer than the minor units. */
export function formatUnitPrice(value: string, currency: string): string {
  const d = Decimal.parse(value);
  return d.format(Math.max(d.normalize().decimalPlaces(), minorUnits(currency)));
}

/** What is still owed; never negative (an overpayment is reported separately). */
export function amountDue(total: string, paid: string, currency: string): string {
  const due = Decimal.parse(total).sub(Decimal.parse(paid));
  return (due.isNegative() ? Decimal.ZERO : due).rescale(minorUnits(currency), HALF_UP).format(minorUnits(currency));
}
