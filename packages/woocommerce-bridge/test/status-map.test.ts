import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  type BtpayInvoiceState,
  canonicalPaymentMethod,
  type GreenfieldState,
  greenfieldState,
  type ManualMark,
  markableStatuses,
} from "../src/status-map.js";

interface Vectors {
  status: { description: string; btpay: BtpayInvoiceState; greenfield: GreenfieldState; markable: ManualMark[] }[];
  paymentMethods: {
    valid: { description: string; input: string; canonical: string }[];
    invalid: { description: string; input: string }[];
  };
}

const vectors = JSON.parse(readFileSync(new URL("./fixtures/status-mapping.json", import.meta.url), "utf8")) as Vectors;

describe("btpay -> Greenfield invoice status", () => {
  for (const v of vectors.status) {
    it(v.description, () => {
      const state = greenfieldState(v.btpay);
      expect(state).toEqual(v.greenfield);
      expect(markableStatuses(state)).toEqual(v.markable);
    });
  }
});

describe("payment-method ids", () => {
  for (const v of vectors.paymentMethods.valid) {
    it(v.description, () => expect(canonicalPaymentMethod(v.input)).toBe(v.canonical));
  }
  for (const v of vectors.paymentMethods.invalid) {
    it(`refused: ${v.description}`, () => expect(canonicalPaymentMethod(v.input)).toBeNull());
  }
});
