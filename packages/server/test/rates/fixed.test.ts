import { describe, expect, it } from "vitest";
import { parseFixedRates } from "../../src/rates/fixed.js";
import { RateConfigError } from "../../src/rates/rate-source.js";

const at = new Date("2025-01-01T00:00:00Z");

describe("parseFixedRates", () => {
  it("parses CODE:RATE pairs into exact rates from the source 'fixed'", () => {
    const rates = parseFixedRates("USD:70862.71,EUR:61919.68", at);
    expect(rates.map((r) => ({ ...r, rate: r.rate.toString() }))).toEqual([
      { currency: "USD", rate: "70862.71", sources: ["fixed"], at },
      { currency: "EUR", rate: "61919.68", sources: ["fixed"], at },
    ]);
  });

  it("accepts spaces around entries and lower-case codes", () => {
    const rates = parseFixedRates(" usd : 70862.71 , jpy:10500000 ", at);
    expect(rates.map((r) => `${r.currency}=${r.rate}`)).toEqual(["USD=70862.71", "JPY=10500000"]);
  });

  it("keeps every decimal given", () => {
    expect(parseFixedRates("USD:70862.123456789012345", at)[0]!.rate.toString()).toBe("70862.123456789012345");
  });

  const invalid: [string, string][] = [
    ["", "fixed rates are empty"],
    ["   ", "fixed rates are empty"],
    ["USD=70862.71", 'fixed rate 1 ("USD=70862.71") must be CODE:RATE'],
    ["USD:70862.71,", 'fixed rate 2 ("") must be CODE:RATE'],
    ["USD:1:2", "must be CODE:RATE"],
    ["USD:", "must be CODE:RATE"],
    ["XYZ:100", 'unknown currency code "XYZ"'],
    ["BTC:1", "BTC is not a fiat currency"],
    ["USD:70,862.71", 'fixed rate 2 ("862.71") must be CODE:RATE'],
    ["USD:7e4", "the rate must be a plain decimal"],
    ["USD:abc", "the rate must be a plain decimal"],
    ["USD:0", "the rate must be above zero"],
    ["USD:-5", "the rate must be above zero"],
    ["USD:1,usd:2", "USD is listed twice"],
  ];
  for (const [input, message] of invalid) {
    it(`refuses ${JSON.stringify(input)} with "${message}"`, () => {
      expect(() => parseFixedRates(input, at)).toThrow(RateConfigError);
      expect(() => parseFixedRates(input, at)).toThrow(message);
    });
  }
});
