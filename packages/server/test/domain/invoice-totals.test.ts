import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ValidationError } from "../../src/domain/errors.js";
import {
  computeTotals,
  type InvoiceTotals,
  parseTotalsInput,
  type WireTotalsInput,
} from "../../src/domain/invoice-totals.js";

type Vector = WireTotalsInput & {
  description: string;
  currency: string;
  expected?: Partial<InvoiceTotals>;
  error?: string;
};

const vectors = JSON.parse(readFileSync(new URL("../fixtures/invoice-totals.json", import.meta.url), "utf8")) as {
  valid: Vector[];
  invalid: Vector[];
};

const totalsOf = (v: Vector) => computeTotals(parseTotalsInput(v), v.currency);

describe("invoice totals vectors", () => {
  describe("valid", () => {
    for (const v of vectors.valid) {
      it(v.description, () => {
        const totals = totalsOf(v);
        expect(totals).toMatchObject(v.expected ?? {});
        // Descriptions pass through untouched, in order.
        expect(totals.lines.map((l) => l.description)).toEqual(v.lines.map((l) => l.description));
      });
    }
  });

  describe("invalid", () => {
    for (const v of vectors.invalid) {
      it(v.description, () => {
        let caught: unknown;
        try {
          totalsOf(v);
        } catch (error) {
          caught = error;
        }
        expect(caught).toBeInstanceOf(ValidationError);
        expect((caught as ValidationError).status).toBe(400);
        expect((caught as ValidationError).message).toContain(v.error);
      });
    }
  });
});
