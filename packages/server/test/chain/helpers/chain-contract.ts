import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ChainSource } from "../../../src/chain/chain-source.js";
import type { DevChainFaults } from "../../../src/chain/devchain/types.js";
import type { CoreRpc } from "./core-rpc.js";
import { MONITORING_MINUTES, QUOTE_MINUTES, startWatchHarness, type WatchHarness } from "./watch-harness.js";

export interface ContractTarget {
  rpc: CoreRpc;
  makeSource(): ChainSource;
  /**
   * devchain only: drops a transaction from the mempool (a double spend that does not pay us). A
   * real bitcoind cannot be told to do that over RPC, so those two scenarios run on devchain only.
   */
  dropFromMempool?: (txid: string) => void;
  /** devchain only: its fault knobs. */
  faults?: DevChainFaults;
  close(): Promise<void>;
}

/**
 * The chain watching contract: the same scenarios for every ChainSource adapter (esplora, bitcoind
 * RPC, electrum) over devchain, and over a real regtest bitcoind when BTPAY_TEST_BITCOIND_URL is set.
 * $10.00 is 10,000 sats (see watch-harness.ts).
 */
export function chainContract(name: string, start: () => Promise<ContractTarget>): void {
  describe(`chain watching over ${name}`, () => {
    let target: ContractTarget;
    let h: WatchHarness;
    const types = async (ref: string) => (await h.events(ref)).map((e) => e.type);

    beforeAll(async () => {
      target = await start();
      h = await startWatchHarness(() => target.makeSource());
    });
    afterAll(async () => {
      await h?.close();
      await target?.close();
    });

    it("a payment in the mempool makes the invoice paid at 0 confirmations", async () => {
      const inv = await h.invoice("10.00");
      expect(inv.dueSats).toBe(10_000n);
      const txid = await target.rpc.pay(inv.address, 10_000n);
      await h.tick();
      const got = await h.get(inv.ref);
      expect(got).toMatchObject({ status: "paid", amount_paid: "10.00", amount_due: "0.00", btc_paid: "0.00010000" });
      expect(got.payments).toEqual([
        expect.objectContaining({ txid, amount_sats: "10000", confirmations: 0, status: "mempool", late: false }),
      ]);
      expect(await types(inv.ref)).toEqual(["invoice.created", "payment.received", "invoice.paid"]);
    });

    it("a block confirms it; more blocks add confirmations and no new events", async () => {
      const inv = await h.invoice("10.00");
      await target.rpc.pay(inv.address, 10_000n);
      await h.tick();
      await target.rpc.mine(1);
      await h.tick();
      let got = await h.get(inv.ref);
      expect(got.status).toBe("confirmed");
      expect(got.payments[0]).toMatchObject({ confirmations: 1, status: "confirmed" });
      await target.rpc.mine(2);
      await h.tick();
      got = await h.get(inv.ref);
      expect(got.payments[0]?.confirmations).toBe(3);
      expect(await types(inv.ref)).toEqual([
        "invoice.created",
        "payment.received",
        "invoice.paid",
        "payment.confirmed",
        "invoice.confirmed",
      ]);
    });

    it("an invoice requiring 2 confirmations stays paid after the first", async () => {
      const inv = await h.invoice("10.00", { required_confirmations: 2 });
      await target.rpc.pay(inv.address, 10_000n);
      await target.rpc.mine(1);
      await h.tick();
      expect((await h.get(inv.ref)).status).toBe("paid");
      await target.rpc.mine(1);
      await h.tick();
      expect((await h.get(inv.ref)).status).toBe("confirmed");
    });

    it("a partial payment, then the rest", async () => {
      const inv = await h.invoice("10.00");
      await target.rpc.pay(inv.address, 4_000n);
      await h.tick();
      expect(await h.get(inv.ref)).toMatchObject({ status: "partial", amount_paid: "4.00", amount_due: "6.00" });
      await target.rpc.pay(inv.address, 6_000n);
      await h.tick();
      const got = await h.get(inv.ref);
      expect(got).toMatchObject({ status: "paid", amount_paid: "10.00", amount_due: "0.00" });
      expect(got.payments).toHaveLength(2);
      expect(await types(inv.ref)).toEqual([
        "invoice.created",
        "payment.received",
        "invoice.partially_paid",
        "payment.received",
        "invoice.paid",
      ]);
    });

    it("an overpayment is recorded in full and flagged", async () => {
      const inv = await h.invoice("10.00");
      await target.rpc.pay(inv.address, 15_000n);
      await h.tick();
      expect(await h.get(inv.ref)).toMatchObject({
        status: "paid",
        flags: ["overpaid"],
        btc_paid: "0.00015000",
        amount_paid: "15.00",
      });
    });

    it("a reorg that takes away the confirming block moves confirmed back to paid, then re-confirms", async () => {
      const inv = await h.invoice("10.00");
      const txid = await target.rpc.pay(inv.address, 10_000n);
      const [block] = await target.rpc.mine(1);
      await h.tick();
      expect((await h.get(inv.ref)).status).toBe("confirmed");
      await target.rpc.call("invalidateblock", [block]);
      await h.tick();
      let got = await h.get(inv.ref);
      expect(got.status).toBe("paid");
      expect(got.payments).toEqual([expect.objectContaining({ txid, status: "mempool", confirmations: 0 })]);
      // The competing chain mines it again (in another block).
      await target.rpc.mine(2);
      await h.tick();
      got = await h.get(inv.ref);
      expect(got.status).toBe("confirmed");
      expect(got.payments[0]).toMatchObject({ txid, status: "confirmed", confirmations: 2 });
      const events = await h.events(inv.ref);
      expect(events.map((e) => e.type)).toEqual([
        "invoice.created",
        "payment.received",
        "payment.confirmed",
        "invoice.paid",
        "invoice.confirmed",
        "invoice.reverted",
        "payment.confirmed",
        "invoice.confirmed",
      ]);
      expect(events[5]?.data).toMatchObject({ previous_status: "confirmed", status: "paid" });
    });

    it("a reorg that removes a confirmed payment entirely: back to pending, payment kept as reorged", async ({
      skip,
    }) => {
      if (!target.dropFromMempool) skip("needs devchain's mempool control");
      const drop = target.dropFromMempool as (txid: string) => void;
      const inv = await h.invoice("10.00");
      const txid = await target.rpc.pay(inv.address, 10_000n);
      const [block] = await target.rpc.mine(1);
      await h.tick();
      expect((await h.get(inv.ref)).status).toBe("confirmed");
      await target.rpc.call("invalidateblock", [block]);
      drop(txid);
      await target.rpc.mine(2);
      await h.tick();
      const got = await h.get(inv.ref);
      expect(got).toMatchObject({ status: "pending", amount_paid: "0.00", btc_paid: "0.00000000" });
      expect(got.payments).toEqual([expect.objectContaining({ txid, status: "reorged", confirmations: 0 })]);
      expect((await types(inv.ref)).slice(-2)).toEqual(["payment.removed", "invoice.reverted"]);
    });

    it("RBF: a fee bump replaces the payment; the replacement counts, the original is kept as replaced", async () => {
      const inv = await h.invoice("10.00");
      const original = await target.rpc.pay(inv.address, 10_000n);
      await h.tick();
      const bumped = await target.rpc.call<{ txid: string }>("bumpfee", [original]);
      await h.tick();
      const got = await h.get(inv.ref);
      expect(got.status).toBe("paid");
      const byTx = Object.fromEntries(got.payments.map((p) => [p.txid, p.status]));
      expect(byTx).toEqual({ [original]: "replaced", [bumped.txid]: "mempool" });
      expect(await types(inv.ref)).toEqual([
        "invoice.created",
        "payment.received",
        "invoice.paid",
        "payment.removed",
        "payment.received",
      ]);
    });

    it("RBF double spend that does not pay us: paid moves back to pending", async ({ skip }) => {
      if (!target.dropFromMempool) skip("needs devchain's mempool control");
      const inv = await h.invoice("10.00");
      const txid = await target.rpc.pay(inv.address, 10_000n);
      await h.tick();
      expect((await h.get(inv.ref)).status).toBe("paid");
      target.dropFromMempool?.(txid);
      await h.tick();
      const got = await h.get(inv.ref);
      expect(got.status).toBe("pending");
      expect(got.payments).toEqual([expect.objectContaining({ txid, status: "replaced" })]);
    });

    it("nothing paid by the deadline: expired; a payment after that is recorded and flagged late", async () => {
      const inv = await h.invoice("10.00");
      h.clock.advanceMinutes(QUOTE_MINUTES + 1);
      await h.tick();
      expect(await h.get(inv.ref)).toMatchObject({ status: "expired", flags: [] });
      const txid = await target.rpc.pay(inv.address, 10_000n);
      await h.tick();
      const got = await h.get(inv.ref);
      expect(got).toMatchObject({ status: "expired", flags: ["paid_late"], btc_paid: "0.00010000" });
      expect(got.payments).toEqual([expect.objectContaining({ txid, late: true, status: "mempool" })]);
      expect(await types(inv.ref)).toEqual([
        "invoice.created",
        "invoice.expired",
        "payment.received",
        "invoice.paid_late",
      ]);
    });

    it("partly paid at the deadline: stays partial through the monitoring window, then expires flagged", async () => {
      const inv = await h.invoice("10.00");
      await target.rpc.pay(inv.address, 4_000n);
      await h.tick();
      h.clock.advanceMinutes(QUOTE_MINUTES + 1);
      await h.tick();
      expect((await h.get(inv.ref)).status).toBe("partial");
      h.clock.advanceMinutes(MONITORING_MINUTES);
      await h.tick();
      expect(await h.get(inv.ref)).toMatchObject({
        status: "expired",
        flags: ["expired_partial"],
        amount_paid: "4.00",
      });
    });

    it("a backend answering 429 fails the pass and changes nothing; once it answers, the payment counts", async ({
      skip,
    }) => {
      if (!target.faults) skip("needs devchain's fault knobs");
      const faults = target.faults as DevChainFaults;
      const inv = await h.invoice("10.00");
      await h.tick();
      await target.rpc.pay(inv.address, 10_000n);
      faults.rateLimited = true;
      try {
        await expect(h.tick()).rejects.toThrow();
      } finally {
        faults.rateLimited = false;
      }
      expect((await h.get(inv.ref)).status).toBe("pending");
      await h.tick();
      expect((await h.get(inv.ref)).status).toBe("paid");
    });

    it("lost push notifications and a slow backend still end in the right state", async ({ skip }) => {
      if (!target.faults) skip("needs devchain's fault knobs");
      const faults = target.faults as DevChainFaults;
      faults.dropNotifications = true;
      faults.lagMs = 30;
      try {
        const inv = await h.invoice("10.00");
        await h.tick();
        await target.rpc.pay(inv.address, 10_000n);
        await target.rpc.mine(1);
        await h.tick();
        expect((await h.get(inv.ref)).status).toBe("confirmed");
      } finally {
        faults.dropNotifications = false;
        faults.lagMs = 0;
      }
    });

    it("the watcher down while payments and blocks happen: caught up after restart, nothing lost or doubled", async () => {
      const a = await h.invoice("10.00");
      const b = await h.invoice("10.00");
      const c = await h.invoice("10.00");
      await h.stopWatcher();
      await target.rpc.pay(a.address, 10_000n);
      await target.rpc.pay(b.address, 3_000n);
      await target.rpc.mine(2);
      await target.rpc.pay(c.address, 10_000n);
      await h.restartWatcher();
      await h.tick();
      await h.tick();
      await h.restartWatcher();
      await h.tick();
      expect(await h.get(a.ref)).toMatchObject({
        status: "confirmed",
        payments: [expect.objectContaining({ confirmations: 2 })],
      });
      expect(await h.get(b.ref)).toMatchObject({ status: "partial", amount_paid: "3.00" });
      expect(await h.get(c.ref)).toMatchObject({ status: "paid" });
      for (const ref of [a.ref, b.ref, c.ref]) {
        expect((await h.get(ref)).payments).toHaveLength(1);
        const received = (await types(ref)).filter((t) => t === "payment.received");
        expect(received).toHaveLength(1);
      }
      expect(await types(a.ref)).toEqual([
        "invoice.created",
        "payment.received",
        "payment.confirmed",
        "invoice.paid",
        "invoice.confirmed",
      ]);
    });
  });
}
