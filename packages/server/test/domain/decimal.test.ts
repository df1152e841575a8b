import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { Decimal, divide, HALF_UP } from "../../src/domain/decimal.js";

interface Vector {
  description: string;
  op: "parse" | "from" | "add" | "sub" | "mul" | "compare" | "rescale" | "divide" | "format";
  a: unknown;
  b?: string;
  scale?: number;
  expected?: string | number;
  error?: string;
}

const vectors = JSON.parse(readFileSync(new URL("../fixtures/decimal.json", import.meta.url), "utf8")) as {
  valid: Vector[];
  invalid: Vector[];
};

/** Runs one vector's operation; strings for decimal results, a number for compare. */
function run(v: Vector): string | number {
  const a = () => Decimal.from(v.a);
  const b = () => Decimal.parse(v.b ?? "");
  const scale = v.scale ?? 0;
  switch (v.op) {
    case "parse":
      return Decimal.parse(v.a as string).toString();
    case "from":
      return Decimal.from(v.a).toString();
    case "add":
      return a().add(b()).toString();
    case "sub":
      return a().sub(b()).toString();
    case "mul":
      return a().mul(b()).toString();
    case "compare":
      return a().compare(b());
    case "rescale": {
      const r = a().rescale(scale, HALF_UP);
      expect(r.scale).toBe(scale);
      return r.format(scale);
    }
    case "divide":
      return divide(a(), b(), scale, HALF_UP).format(scale);
    case "format":
      return a().format(scale);
  }
}

describe("Decimal vectors", () => {
  describe("valid", () => {
    for (const v of vectors.valid) {
      it(v.description, () => {
        expect(run(v)).toBe(v.expected);
      });
    }
  });

  describe("invalid", () => {
    for (const v of vectors.invalid) {
      it(v.description, () => {
        expect(() => run(v)).toThrow(v.error);
      });
    }
  });
});

describe("Decimal", () => {
  // JSON cannot carry these, so they are not vectors; a JS caller can still pass them.
  it("refuses NaN and Infinity", () => {
    for (const n of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      expect(() => Decimal.fromNumber(n, "amount")).toThrow("amount: must be a finite number");
    }
  });
});
