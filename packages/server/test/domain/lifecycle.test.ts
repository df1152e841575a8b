import { describe, expect, it } from "vitest";
import type { InvoiceStatus } from "../../src/domain/invoice.js";
import { evaluateInvoice, fiatPaid, paidThresholdSats } from "../../src/domain/lifecycle.js";
import { type PaymentRecord, type PaymentState, paymentKey, reconcilePayments } from "../../src/domain/payment.js";
import vectors from "../fixtures/lifecycle-vectors.json" with { type: "json" };

interface RecordedVector {
  id: string;
  sats: string;
  state: PaymentState;
  height?: number;
  hash?: string;
  late?: boolean;
  announced?: boolean;
}
interface ObservedVector {
  id: string;
  sats: string;
  height: number | null;
  hash?: string;
}
interface Vector {
  description: string;
  policy?: Partial<typeof vectors.defaults.policy>;
  status?: string;
  watchUntilMin?: number;
  recorded?: RecordedVector[];
  observed?: ObservedVector[];
  tip?: number;
  nowMin?: number;
  expect: {
    status: string;
    flags: string[];
    paidSats: string;
    events: string[];
    payments?: Record<string, string>;
    late?: Record<string, boolean>;
    watchUntilMin?: number | null;
  };
}

const T0 = Date.UTC(2026, 0, 1);
const at = (min: number) => new Date(T0 + min * 60_000);
const block = (height: number | null | undefined, hash?: string) =>
  height === null || height === undefined ? null : { height, hash: hash ?? `h${height}` };
const split = (id: string) => {
  const [txid, vout] = id.split(":");
  return { txid: txid as string, vout: Number(vout) };
};

describe("invoice lifecycle vectors", () => {
  for (const raw of vectors.valid as Vector[]) {
    it(raw.description, () => {
      const v = { ...vectors.defaults, ...raw, policy: { ...vectors.defaults.policy, ...raw.policy } };
      const now = at(v.nowMin);
      const recorded: PaymentRecord[] = (v.recorded as RecordedVector[]).map((r) => ({
        ...split(r.id),
        amountSats: BigInt(r.sats),
        state: r.state,
        block: r.state === "confirmed" ? block(r.height, r.hash) : null,
        late: r.late ?? false,
        firstSeenAt: at(0),
      }));
      const observed = (v.observed as ObservedVector[]).map((o) => ({
        ...split(o.id),
        amountSats: BigInt(o.sats),
        block: block(o.height, o.hash),
      }));
      const { payments, changes } = reconcilePayments(recorded, observed, {
        now,
        quoteDeadline: at(v.policy.expiresAtMin),
      });
      const announced = new Set((v.recorded as RecordedVector[]).filter((r) => r.announced).map((r) => r.id));
      const result = evaluateInvoice(
        {
          status: v.status as InvoiceStatus,
          watchUntil: raw.watchUntilMin === undefined ? null : at(raw.watchUntilMin),
          payments,
          announcedConfirmed: announced,
        },
        changes,
        {
          dueSats: BigInt(v.policy.dueSats),
          expiresAt: at(v.policy.expiresAtMin),
          monitoringUntil: at(v.policy.monitoringUntilMin),
          requiredConfirmations: v.policy.requiredConfirmations,
          underpaymentTolerancePercent: v.policy.tolerancePercent,
          monitoringWindowMs: v.policy.windowMin * 60_000,
        },
        v.tip,
        now,
      );
      expect(result.status).toBe(v.expect.status);
      expect(result.flags).toEqual(v.expect.flags);
      expect(result.paidSats).toBe(BigInt(v.expect.paidSats));
      expect(result.events.map((e) => e.type)).toEqual(v.expect.events);
      for (const [id, state] of Object.entries(v.expect.payments ?? {})) {
        expect(payments.find((p) => paymentKey(p) === id)?.state, id).toBe(state);
      }
      for (const [id, late] of Object.entries(v.expect.late ?? {})) {
        expect(payments.find((p) => paymentKey(p) === id)?.late, id).toBe(late);
      }
      if (v.expect.watchUntilMin !== undefined) {
        expect(result.watchUntil).toEqual(v.expect.watchUntilMin === null ? null : at(v.expect.watchUntilMin));
      }
      // Every payment seen is kept: nothing recorded is ever dropped from the list.
      expect(payments.length).toBe(new Set([...recorded, ...observed].map(paymentKey)).size);
    });
  }
});

describe("paid threshold", () => {
  it("0% tolerance needs every sat", () => expect(paidThresholdSats(310521n, "0")).toBe(310521n));
  it("tolerance in sats is rounded down, in the merchant's favour", () => {
    // 1% of 310521 = 3105.21 -> 3105 sats of tolerance
    expect(paidThresholdSats(310521n, "1")).toBe(307416n);
    expect(paidThresholdSats(100n, "0.5")).toBe(100n);
    expect(paidThresholdSats(1000n, "0.5")).toBe(995n);
  });
});

describe("fiat paid", () => {
  it("is proportional, HALF_UP at the currency's minor units", () => {
    expect(fiatPaid("220.00", 155261n, 310521n, "USD")).toBe("110");
    expect(fiatPaid("220.00", 1n, 310521n, "USD")).toBe("0");
    expect(fiatPaid("100", 1n, 3n, "USD")).toBe("33.33");
    expect(fiatPaid("100", 2n, 3n, "USD")).toBe("66.67");
    expect(fiatPaid("1000", 2n, 3n, "JPY")).toBe("667");
    expect(fiatPaid("220.00", 0n, 310521n, "USD")).toBe("0");
  });
});
