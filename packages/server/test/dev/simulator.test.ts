import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DevHarness, hasStatus, startDevHarness } from "./dev-harness.js";

// The dev simulator API against dev mode run in-process: real devchain, real chain watcher over
// Electrum, real database, the invoice read back through the public API each time.

let h: DevHarness;
beforeAll(async () => {
  h = await startDevHarness();
});
afterAll(async () => {
  await h?.close();
});

const mempoolHas = (txid: string) => h.running.node!.chain.mempoolTxids().includes(txid);

describe("dev simulator API", () => {
  it("pay full: the invoice is paid by one RBF-signalling mempool transaction of exactly what is due", async () => {
    const { ref, dueSats } = await h.invoice("10.00");
    const paid = await h.call("POST", "/pay", { ref, amount: "full" });
    expect(paid.status).toBe(200);
    expect(paid.body).toEqual({ txid: expect.stringMatching(/^[0-9a-f]{64}$/), amount_sats: dueSats.toString() });
    const txid = String(paid.body.txid);
    expect(h.running.node!.chain.mempoolEntry(txid)?.bip125Replaceable).toBe(true);
    const inv = await h.until(ref, hasStatus("paid"), "paid");
    expect(inv.payments).toEqual([
      expect.objectContaining({ txid, amount_sats: dueSats.toString(), status: "mempool" }),
    ]);
    expect(inv.flags).toEqual([]);
  });

  it("pay partial: half of what is due, the invoice is partial; pay full then pays the rest", async () => {
    const { ref, dueSats } = await h.invoice("10.00");
    const half = await h.call("POST", "/pay", { ref, amount: "partial" });
    expect(half.body.amount_sats).toBe((dueSats / 2n).toString());
    await h.until(ref, hasStatus("partial"), "partial");
    const rest = await h.call("POST", "/pay", { ref, amount: "full" });
    expect(rest.body.amount_sats).toBe((dueSats - dueSats / 2n).toString());
    await h.until(ref, hasStatus("paid"), "paid");
    const again = await h.call("POST", "/pay", { ref });
    expect(again).toEqual({ status: 409, body: { error: expect.stringContaining("nothing is due") } });
  });

  it("pay over: due + 10 %, the invoice is paid with the overpaid flag", async () => {
    const { ref, dueSats } = await h.invoice("10.00");
    const over = await h.call("POST", "/pay", { ref, amount: "over" });
    expect(over.body.amount_sats).toBe((dueSats + dueSats / 10n).toString());
    const inv = await h.until(ref, (i) => i.status === "paid" && i.flags.includes("overpaid"), "paid+overpaid");
    expect(inv.flags).toEqual(["overpaid"]);
  });

  it("mine: confirmed once the required confirmations are there, not before", async () => {
    const { ref } = await h.invoice("10.00", { required_confirmations: 2 });
    await h.call("POST", "/pay", { ref });
    await h.until(ref, hasStatus("paid"), "paid");
    const height = h.running.node!.chain.tip().height;
    const one = await h.call("POST", "/mine", {});
    expect(one).toEqual({
      status: 200,
      body: { height: height + 1, hashes: [expect.stringMatching(/^[0-9a-f]{64}$/)] },
    });
    await h.until(ref, (i) => i.payments[0]?.confirmations === 1, "1 confirmation");
    expect((await h.get(ref)).status).toBe("paid");
    const more = await h.call("POST", "/mine", { blocks: 3 });
    expect(more.body).toEqual({
      height: height + 4,
      hashes: [expect.any(String), expect.any(String), expect.any(String)],
    });
    await h.until(ref, hasStatus("confirmed"), "confirmed");
  });

  it('reorg "keep": the payment\'s block leaves the chain, it waits in the mempool: confirmed -> paid -> (mine) confirmed', async () => {
    const { ref } = await h.invoice("10.00", { required_confirmations: 1 });
    const { body } = await h.call("POST", "/pay", { ref });
    await h.call("POST", "/mine", { blocks: 2 });
    await h.until(ref, hasStatus("confirmed"), "confirmed");
    const height = h.running.node!.chain.tip().height;
    const reorg = await h.call("POST", "/reorg", { ref, mode: "keep" });
    expect(reorg.status).toBe(200);
    // Deep enough to take the payment's block (2 confirmations), and one block longer than before.
    expect(reorg.body).toMatchObject({ mode: "keep", height: height + 1, dropped: [] });
    expect(reorg.body.disconnected).toHaveLength(2);
    expect(reorg.body.hashes).toHaveLength(3);
    expect(mempoolHas(String(body.txid))).toBe(true);
    await h.until(ref, hasStatus("paid"), "paid again");
    await h.call("POST", "/mine", {});
    await h.until(ref, hasStatus("confirmed"), "confirmed again");
  });

  it('reorg "drop": the replacement chain double-spends the payment: confirmed -> pending', async () => {
    const { ref } = await h.invoice("10.00", { required_confirmations: 1 });
    const { body } = await h.call("POST", "/pay", { ref });
    await h.call("POST", "/mine", {});
    await h.until(ref, hasStatus("confirmed"), "confirmed");
    const reorg = await h.call("POST", "/reorg", { ref, mode: "drop" });
    expect(reorg.body).toMatchObject({ mode: "drop", dropped: [body.txid] });
    expect(mempoolHas(String(body.txid))).toBe(false);
    const inv = await h.until(ref, hasStatus("pending"), "pending");
    expect(inv.payments).toEqual([expect.objectContaining({ txid: body.txid, status: "reorged" })]);
  });

  it("reorg without a ref: the last block is replaced by two", async () => {
    const before = h.running.node!.chain.tip();
    const reorg = await h.call("POST", "/reorg", {});
    expect(reorg.body).toMatchObject({ height: before.height + 1, disconnected: [before.hash], mode: "keep" });
    expect(h.running.node!.chain.isInBestChain(before.hash)).toBe(false);
  });

  it("rbf: the unconfirmed payment is replaced by a higher-fee transaction back to devchain's wallet: paid -> pending", async () => {
    const { ref } = await h.invoice("10.00");
    const { body } = await h.call("POST", "/pay", { ref });
    await h.until(ref, hasStatus("paid"), "paid");
    const oldFee = h.running.node!.chain.mempoolEntry(String(body.txid))!.feeSats;
    const rbf = await h.call("POST", "/rbf", { ref });
    expect(rbf).toEqual({ status: 200, body: { replaced: [body.txid], replacements: [expect.any(String)] } });
    const replacement = (rbf.body.replacements as string[])[0]!;
    const chain = h.running.node!.chain;
    expect(chain.mempoolEntry(replacement)!.feeSats).toBeGreaterThan(oldFee);
    expect(
      chain.getTx(replacement)!.tx.outs.every((o) => chain.wallet.isMine(Buffer.from(o.script).toString("hex"))),
    ).toBe(true);
    const inv = await h.until(ref, hasStatus("pending"), "pending");
    expect(inv.payments).toEqual([expect.objectContaining({ txid: body.txid, status: "replaced" })]);
    // Nothing unconfirmed any more: 409.
    expect(await h.call("POST", "/rbf", { ref })).toEqual({
      status: 409,
      body: { error: expect.stringContaining("no unconfirmed payment") },
    });
  });

  it("bad input: 4xx JSON that says what to send, and nothing changes", async () => {
    const { ref } = await h.invoice("10.00");
    const chain = h.running.node!.chain;
    const before = { tip: chain.tip().hash, mempool: chain.mempoolTxids(), invoice: await h.get(ref) };
    const bad: [string, unknown, number, string][] = [
      ["/pay", {}, 400, "ref: is required"],
      ["/pay", { ref, amount: "half" }, 400, "amount: must be one of full, partial, over"],
      ["/pay", { ref, amout: "full" }, 400, "amout: unknown field"],
      ["/pay", { ref: "../invoices" }, 400, "ref: must be an invoice ref"],
      ["/pay", { ref: "NOPE-NOPE" }, 404, 'invoice "NOPE-NOPE" not found'],
      ["/pay", [ref], 400, "must be a JSON object"],
      ["/mine", { blocks: 0 }, 400, "blocks: must be an integer from 1 to 100"],
      ["/mine", { blocks: 101 }, 400, "blocks: must be an integer from 1 to 100"],
      ["/mine", { blocks: "1" }, 400, "blocks: must be an integer from 1 to 100"],
      ["/reorg", { depth: 11 }, 400, "depth: must be an integer from 1 to 10"],
      ["/reorg", { mode: "drop" }, 400, 'ref: is required with mode "drop"'],
      ["/reorg", { ref, mode: "keep" }, 409, "has no payment yet"],
      ["/reorg", { ref, mode: "sideways" }, 400, "mode: must be"],
      ["/rbf", { ref }, 409, "no unconfirmed payment"],
      ["/finalize", { ref, expires_in_minutes: 0 }, 400, "expires_in_minutes: must be an integer from 1 to 60"],
    ];
    for (const [p, body, status, error] of bad) {
      const r = await h.call("POST", p, body);
      expect({ p, body, status: r.status }).toEqual({ p, body, status });
      expect(String(r.body.error)).toContain(error);
    }
    const text = await fetch(`${h.url}/dev/api/pay`, { method: "POST", body: `ref=${ref}` });
    expect(text.status).toBe(415);
    expect(await text.json()).toEqual({ error: expect.stringContaining("Content-Type: application/json") });
    const broken = await fetch(`${h.url}/dev/api/pay`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{",
    });
    expect(broken.status).toBe(400);
    expect(await broken.json()).toEqual({ error: "request body is not valid JSON" });
    expect((await h.call("GET", "/nope")).status).toBe(404);
    expect({ tip: chain.tip().hash, mempool: chain.mempoolTxids(), invoice: await h.get(ref) }).toEqual(before);
  });

  it("finalize with a 1-minute deadline: a pending invoice that expires a minute from now", async () => {
    const created = await h.api.POST("/invoices", {
      body: { currency: "USD", lines: [{ description: "Soon", quantity: 1, unit_price: "3.00" }] },
    });
    const ref = created.data!.ref;
    const r = await h.call("POST", "/finalize", { ref, expires_in_minutes: 1 });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ ref, status: "pending" });
    const left = Number(r.body.expires_at) - Date.now() / 1000;
    expect(left).toBeGreaterThan(50);
    expect(left).toBeLessThanOrEqual(60);
    expect((await h.call("POST", "/finalize", { ref })).status).toBe(400);
  });
});
