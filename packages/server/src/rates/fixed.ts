/**
 * Fixed rates from configuration (`BTPAY_RATES_FIXED="USD:70862.71,EUR:61919.68"`): for tests, demos,
 * and deployments that want no external price feed. They bypass aggregation: one "source", never stale.
 */
import { normalizeCurrency } from "../domain/currency.js";
import { Decimal } from "../domain/decimal.js";
import { ValidationError } from "../domain/errors.js";
import type { AggregatedRate } from "./aggregate.js";
import { RateConfigError } from "./rate-source.js";

export const FIXED_SOURCE = "fixed";

/**
 * "USD:70862.71,EUR:61919.68" -> one AggregatedRate per currency (fiat per 1 BTC), source "fixed",
 * `at` = `at` (default now). Spaces around entries are allowed; codes are case-insensitive.
 */
export function parseFixedRates(input: string, at: Date = new Date()): AggregatedRate[] {
  const example = 'such as "USD:70862.71,EUR:61919.68"';
  if (input.trim() === "") throw new RateConfigError(`fixed rates are empty; list CODE:RATE pairs ${example}`);
  const rates: AggregatedRate[] = [];
  for (const [index, raw] of input.split(",").entries()) {
    const entry = raw.trim();
    const where = `fixed rate ${index + 1} ("${entry.length > 30 ? `${entry.slice(0, 30)}...` : entry}")`;
    const parts = entry.split(":");
    if (parts.length !== 2 || parts[0]!.trim() === "" || parts[1]!.trim() === "") {
      throw new RateConfigError(`${where} must be CODE:RATE, ${example}`);
    }
    const [code, value] = [parts[0]!.trim(), parts[1]!.trim()];
    let currency: string;
    try {
      currency = normalizeCurrency(code);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      throw new RateConfigError(`${where}: ${error.reason}`);
    }
    let rate: Decimal;
    try {
      rate = Decimal.parse(value);
    } catch {
      throw new RateConfigError(`${where}: the rate must be a plain decimal (fiat per 1 BTC) such as "70862.71"`);
    }
    if (!rate.isPositive()) throw new RateConfigError(`${where}: the rate must be above zero`);
    if (rates.some((r) => r.currency === currency)) throw new RateConfigError(`${where}: ${currency} is listed twice`);
    rates.push({ currency, rate, sources: [FIXED_SOURCE], at });
  }
  return rates;
}
