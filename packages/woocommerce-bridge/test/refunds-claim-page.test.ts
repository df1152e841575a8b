import { type Network, networks, payments } from "bitcoinjs-lib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { systemClock } from "../../server/src/ports.js";
import { RateService } from "../../server/src/services/rates.js";
import { RefundService } from "../../server/src/services/refunds.js";
import { startTestServer, type TestServer } from "../../server/test/helpers/test-server.js";

// The payer's claim page over real HTTP: a regtest server with a fixed USD rate of 50,000, so
// 25.00 USD is exactly 50,000 sats.

const ENV = { BTPAY_NETWORK: "regtest", BTPAY_RATES_FIXED: "USD:50000", BTPAY_PUBLIC_RATE_LIMIT_PER_MINUTE: "100000" };

/** A P2WPKH address on `network` whose key hash is `fill` repeated. */
const addressOn = (network: Network, fill: number) =>
  payments.p2wpkh({ hash: new Uint8Array(20).fill(fill), network }).address as string;

let t: TestServer;
let storeId: string;
let refunds: RefundService;

beforeAll(async () => {
  t = await startTestServer({ env: ENV });
  ({ storeId } = await t.newStoreWithKey("full", "Corner Shop"));
  const rates = new RateService(t.opened.db, systemClock, {
    fixed: [{ currency: "USD", rate: "50000", sources: ["fixed"], at: new Date() }],
    maxAgeSeconds: 600,
  });
  refunds = new RefundService(t.opened.db, systemClock, rates, "regtest");
});
afterAll(async () => t?.close());

const newRefund = (over: Partial<Parameters<RefundService["create"]>[1]> = {}) =>
  refunds.create(storeId, {
    name: "Refund of order 1234; damaged",
    description: null,
    amount: "25.00",
    currency: "USD",
    expiresAt: null,
    ...over,
  });

const page = (ref: string) => fetch(`${t.baseUrl}/pull-payments/${ref}`);
const claim = (ref: string, address: string) =>
  fetch(`${t.baseUrl}/pull-payments/${ref}`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ address }),
    redirect: "manual",
  });
const stored = async (ref: string) => (await t.opened.db.repos().refunds.findByRef(ref))!;

describe("refund claim page", () => {
  it("shows the store, the amount and an address form, without any script, under a strict CSP", async () => {
    const r = await newRefund();
    const res = await page(r.ref);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/text\/html/);
    const csp = res.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("form-action 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain("script-src");
    expect(res.headers.get("cache-control")).toBe("no-store");
    const html = await res.text();
    expect(html).not.toMatch(/<script/i);
    expect(html).toContain("Corner Shop");
    expect(html).toContain("25.00 USD");
    expect(html).toContain(`<form method="post" action="/pull-payments/${r.ref}">`);
    expect(html).toContain('name="address"');
    expect(html).toContain("(regtest)");
  });

  it("refuses another network's address with a message naming both networks, and changes nothing", async () => {
    const r = await newRefund();
    for (const [address, message] of [
      [addressOn(networks.testnet, 1), "This is a testnet or signet address, but this shop is paid on Bitcoin regtest"],
      [addressOn(networks.bitcoin, 1), "This is a mainnet address, but this shop is paid on Bitcoin regtest"],
      ["not-an-address", "This is not a valid Bitcoin regtest address"],
      ["   ", "Enter the Bitcoin address to receive the refund"],
    ] as const) {
      const res = await claim(r.ref, address);
      expect(res.status, address).toBe(400);
      const html = await res.text();
      expect(html).toContain(message);
      expect(html).toContain('aria-invalid="true"');
      const after = await stored(r.ref);
      expect(after.state).toBe("awaiting_claim");
      expect(after.claimAddress).toBeNull();
      expect(after.claimAmountSats).toBeNull();
    }
  });

  it("a regtest address claims at the current rate; the page then says what the shop will send where", async () => {
    const r = await newRefund();
    const address = addressOn(networks.regtest, 7);
    const res = await claim(r.ref, address);
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe(`/pull-payments/${r.ref}`);
    const after = await stored(r.ref);
    expect(after).toMatchObject({
      state: "claimed",
      claimAddress: address,
      claimAmountSats: 50_000n,
      claimRate: "50000",
    });
    expect(after.claimedAt).toBeInstanceOf(Date);
    const html = await (await page(r.ref)).text();
    expect(html).toContain("Corner Shop will send");
    expect(html).toContain("0.00050000 BTC");
    expect(html).toContain(address);
    expect(html).not.toContain("<form");
  });

  it("a bitcoin: URI is read for its address", async () => {
    const r = await newRefund();
    const address = addressOn(networks.regtest, 8);
    expect((await claim(r.ref, `bitcoin:${address}?amount=1`)).status).toBe(303);
    expect((await stored(r.ref)).claimAddress).toBe(address);
  });

  it("a second claim is refused with a 409 page and the first address stays", async () => {
    const r = await newRefund();
    const first = addressOn(networks.regtest, 9);
    expect((await claim(r.ref, first)).status).toBe(303);
    const res = await claim(r.ref, addressOn(networks.regtest, 10));
    expect(res.status).toBe(409);
    const html = await res.text();
    expect(html).toContain("This refund has already been claimed.");
    expect(html).toContain(first);
    expect((await stored(r.ref)).claimAddress).toBe(first);
  });

  it("of two claims at the same moment exactly one wins", async () => {
    const r = await newRefund();
    const results = await Promise.all([11, 12, 13].map((n) => claim(r.ref, addressOn(networks.regtest, n))));
    expect(results.map((x) => x.status).sort()).toEqual([303, 409, 409]);
    expect((await stored(r.ref)).state).toBe("claimed");
  });

  it("once marked paid the page shows the txid", async () => {
    const r = await newRefund();
    await claim(r.ref, addressOn(networks.regtest, 14));
    const txid = "ab".repeat(32);
    await refunds.markPaid(storeId, r.ref, txid);
    const html = await (await page(r.ref)).text();
    expect(html).toContain("Paid");
    expect(html).toContain(txid);
    expect(html).toContain("0.00050000 BTC");
  });

  it("a cancelled refund says so and takes no claim", async () => {
    const r = await newRefund();
    await refunds.cancel(storeId, r.ref);
    expect(await (await page(r.ref)).text()).toContain("This refund was cancelled by Corner Shop.");
    expect((await claim(r.ref, addressOn(networks.regtest, 15))).status).toBe(409);
    expect((await stored(r.ref)).state).toBe("cancelled");
  });

  it("an expired offer says so and takes no claim", async () => {
    const r = await t.opened.db.repos().refunds.insert({
      ref: "expiredRefund0000000001",
      storeId,
      invoiceId: null,
      name: "Old refund",
      description: null,
      amount: "5",
      currency: "USD",
      expiresAt: new Date(Date.now() - 60_000),
    });
    expect(await (await page(r.ref)).text()).toContain("This refund offer expired on");
    const res = await claim(r.ref, addressOn(networks.regtest, 16));
    expect(res.status).toBe(409);
    expect(await res.text()).toContain("This refund offer has expired");
    expect((await stored(r.ref)).state).toBe("awaiting_claim");
  });

  it("a refund priced in BTC claims exactly its amount, without a rate", async () => {
    const r = await newRefund({ amount: "0.00123456", currency: "BTC" });
    expect((await claim(r.ref, addressOn(networks.regtest, 17))).status).toBe(303);
    expect(await stored(r.ref)).toMatchObject({ claimAmountSats: 123_456n, claimRate: null });
  });

  it("without a rate for the refund's currency the claim is refused (400) and nothing changes", async () => {
    const r = await newRefund({ amount: "20", currency: "EUR" });
    const res = await claim(r.ref, addressOn(networks.regtest, 18));
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("No current EUR exchange rate is available");
    expect(await stored(r.ref)).toMatchObject({ state: "awaiting_claim", claimAddress: null, claimRate: null });
  });

  it("unknown and malformed ids are HTML 404 pages", async () => {
    for (const id of ["noSuchRefund000000000000", "bad%20id!"]) {
      const res = await page(id);
      expect(res.status).toBe(404);
      expect(await res.text()).toContain("Refund not found");
    }
    expect((await claim("noSuchRefund000000000000", addressOn(networks.regtest, 1))).status).toBe(404);
  });

  it("is rate-limited per client address like btpay's other public pages (429 page with Retry-After)", async () => {
    const r = await newRefund();
    // A second server on the same database with a tiny limit: the bucket is shared across processes.
    const strict = await startTestServer({
      env: { ...ENV, BTPAY_PUBLIC_RATE_LIMIT_PER_MINUTE: "2" },
      target: t.target,
    });
    try {
      const statuses: number[] = [];
      let limited: Response | undefined;
      for (let i = 0; i < 4 && !limited; i++) {
        const res = await fetch(`${strict.baseUrl}/pull-payments/${r.ref}`);
        statuses.push(res.status);
        if (res.status === 429) limited = res;
      }
      expect(limited, `statuses ${statuses.join(",")}`).toBeDefined();
      expect(Number(limited?.headers.get("retry-after"))).toBeGreaterThan(0);
      expect(await limited?.text()).toContain("Too many requests");
    } finally {
      await strict.close();
    }
  });
});
