import { describe, expect, it } from "vitest";
import { isKnownCurrency, minorUnits, normalizeCurrency } from "../../src/domain/currency.js";
import { ValidationError } from "../../src/domain/errors.js";

// Small enough to live inline: the minor units the brief requires plus a few from the rest of the list.
const withDigits = (digits: number, list: string) => list.split(" ").map((code) => [code, digits] as const);
const MINOR_UNITS = [
  ...withDigits(2, "USD EUR GBP CAD AUD CHF CNY INR BRL MXN ZAR SEK NOK DKK PLN CZK HUF NZD SGD HKD TRY"),
  ...withDigits(2, "ILS THB PHP MYR IDR AED SAR ARS COP NGN KES UAH TWD XCG ZWG"),
  ...withDigits(0, "CLP JPY KRW VND ISK UGX PYG XAF XOF XPF RWF"),
  ...withDigits(3, "BHD KWD OMR JOD TND LYD IQD"),
];

const NORMALIZE: { description: string; input: string; expected?: string; error?: string }[] = [
  { description: "upper-case code is kept", input: "USD", expected: "USD" },
  { description: "lower-case code is upper-cased", input: "jpy", expected: "JPY" },
  { description: "mixed case code is upper-cased", input: "bHd", expected: "BHD" },
  { description: "unknown 3-letter code is refused", input: "XYZ", error: 'currency: unknown currency code "XYZ"' },
  { description: "BTC is not fiat", input: "btc", error: "currency: BTC is not a fiat currency" },
  { description: "SAT is not fiat", input: "SAT", error: "currency: SAT is not a fiat currency" },
  { description: "XBT is not fiat", input: "XBT", error: "currency: XBT is not a fiat currency" },
  { description: "withdrawn HRK is refused", input: "HRK", error: "unknown currency code" },
  { description: "fund code CLF is refused", input: "CLF", error: "unknown currency code" },
  { description: "gold XAU is refused", input: "XAU", error: "unknown currency code" },
  { description: "surrounding space is refused", input: " USD", error: "currency: must be a 3-letter ISO 4217" },
  { description: "empty string is refused", input: "", error: "currency: must be a 3-letter ISO 4217" },
  { description: "long garbage is not echoed back", input: "<script>alert(1)</script>", error: "must be a 3-letter" },
];

describe("minorUnits", () => {
  for (const [code, digits] of MINOR_UNITS) {
    it(`${code} has ${digits} decimal places`, () => {
      expect(minorUnits(code)).toBe(digits);
      expect(isKnownCurrency(code)).toBe(true);
    });
  }

  it("refuses an unknown code with a ValidationError", () => {
    expect(() => minorUnits("BTC")).toThrow(ValidationError);
    expect(isKnownCurrency("BTC")).toBe(false);
  });

  it("expects a normalized code", () => {
    expect(isKnownCurrency("usd")).toBe(false);
  });
});

describe("normalizeCurrency", () => {
  for (const v of NORMALIZE) {
    it(v.description, () => {
      if (v.error === undefined) expect(normalizeCurrency(v.input)).toBe(v.expected);
      else expect(() => normalizeCurrency(v.input)).toThrow(v.error);
    });
  }

  it("names the field it was given", () => {
    expect(() => normalizeCurrency("XYZ", "payment_link.currency")).toThrow(/^payment_link\.currency: /);
  });
});
