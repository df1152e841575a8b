/**
 * ISO 4217 currencies an invoice can be priced in, with their minor units (decimal places).
 *
 * The minor unit decides how line amounts, tax and totals are rounded and printed: "220.00" USD,
 * "220" JPY, "220.000" BHD. We follow ISO 4217 list one even where daily practice differs (HUF and TWD
 * are listed with 2 decimals although cash has none) so amounts match what banks and rate APIs use.
 *
 * Left out on purpose:
 * - fund and index codes (BOV, CHE, CHW, CLF, COU, MXV, USN, UYI, UYW): not what anyone invoices in;
 * - metals and special codes (XAU, XAG, XDR, XSU, XUA, XTS, XXX, ...);
 * - withdrawn codes (ANG -> XCG, HRK -> EUR, SLL -> SLE, ZWL -> ZWG, CUC);
 * - BTC / XBT / SAT: invoices are priced in fiat; bitcoin is what the customer pays, and its
 *   amount comes from the locked exchange rate, not from this table.
 */
import { ValidationError } from "./errors.js";

// Grouped by minor unit so each group can be checked against the ISO list at a glance.
const ZERO_DECIMALS = "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX VND VUV XAF XOF XPF";

const THREE_DECIMALS = "BHD IQD JOD KWD LYD OMR TND";

const TWO_DECIMALS = `
  AED AFN ALL AMD AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BRL BSD BTN BWP BYN BZD
  CAD CDF CHF CNY COP CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP
  GMD GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW KYD KZT LAK LBP LKR LRD
  LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD PAB
  PEN PGK PHP PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC
  SYP SZL THB TJS TMT TOP TRY TTD TWD TZS UAH USD UYU UZS VED VES WST XCD XCG YER ZAR ZMW
  ZWG`;

const MINOR_UNITS: ReadonlyMap<string, number> = new Map([
  ...codes(ZERO_DECIMALS).map((code) => [code, 0] as const),
  ...codes(TWO_DECIMALS).map((code) => [code, 2] as const),
  ...codes(THREE_DECIMALS).map((code) => [code, 3] as const),
]);

/** Codes people try that are not fiat; they get a message explaining why instead of "unknown". */
const NOT_FIAT = new Set(["BTC", "XBT", "SAT", "SATS", "MBTC", "LBTC"]);

function codes(list: string): string[] {
  return list.trim().split(/\s+/);
}

/** True for an upper-case code in the table. Use `normalizeCurrency` on client input first. */
export function isKnownCurrency(code: string): boolean {
  return MINOR_UNITS.has(code);
}

/** Decimal places of a known (normalized) code: 2 for USD, 0 for JPY, 3 for BHD. */
export function minorUnits(code: string): number {
  const digits = MINOR_UNITS.get(code);
  if (digits === undefined) throw unknownCurrency(code, "currency");
  return digits;
}

/**
 * Client input -> canonical code: "usd" -> "USD". Throws ValidationError (naming `field`) for anything
 * that is not a known fiat code, so services never see an unknown currency.
 */
export function normalizeCurrency(input: string, field = "currency"): string {
  const code = typeof input === "string" ? input.toUpperCase() : "";
  if (MINOR_UNITS.has(code)) return code;
  if (NOT_FIAT.has(code)) {
    throw new ValidationError(
      `${code} is not a fiat currency; invoices are priced in fiat (such as "USD") and paid in bitcoin`,
      field,
    );
  }
  throw unknownCurrency(input, field);
}

function unknownCurrency(input: unknown, field: string): ValidationError {
  // Echo the input only when it is short and tame, so error bodies never carry arbitrary client text.
  if (typeof input === "string" && /^[A-Za-z]{3}$/.test(input)) {
    return new ValidationError(`unknown currency code "${input}"; use an ISO 4217 code such as "USD"`, field);
  }
  return new ValidationError('must be a 3-letter ISO 4217 currency code such as "USD"', field);
}
