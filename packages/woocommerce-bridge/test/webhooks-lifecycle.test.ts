import { createHmac, timingSafeEqual } from "node:crypto";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BitcoindSource } from "../../server/src/chain/bitcoind-source.js";
import type { ChainSource } from "../../server/src/chain/chain-source.js";
import { type DevNode, startDevNode } from "../../server/src/chain/devchain/dev-node.js";
import { createLogger } from "../../server/src/logger.js";
import { PaymentTracker } from "../../server/src/services/payment-tracker.js";
import { type ChainWatcher, startChainWatcher } from "../../server/src/workers/chain-watcher.js";
import { startWebhookDispatcher, type WebhookDispatcher } from "../../server/src/workers/webhook-dispatcher.js";
import { type CoreRpc, coreRpc } from "../../server/test/chain/helpers/core-rpc.js";
import {
  MONITORING_MINUTES,
  movableClock,
  QUOTE_MINUTES,
  RATE,
  randomRegtestDescriptor,
} from "../../server/test/chain/helpers/watch-harness.js";
import { startTestServer, type TestServer } from "../../server/test/helpers/test-server.js";
import { type Received, type Receiver, startReceiver } from "../../server/test/webhooks/receiver.js";
import { formatBtc } from "../src/btc.js";

// The Greenfield webhooks a shop receives for real invoices on devchain: created, paid, confirmed,
// expired partly paid, paid late. Chain watcher and dispatcher run in this process on a clock the
// test moves; the receivers are real HTTP servers on loopback; every signature is checked over the
// raw bytes. 1 BTC = 100,000 USD, so $10.00 is 10,000 sats.

const clock = movableClock();
let node: DevNode;
let rpc: CoreRpc;
let t: TestServer;
let storeId: string;
let btpayKey: string;
let source: ChainSource;
let watcher: ChainWatcher;
let dispatcher: WebhookDispatcher;
let all: Receiver; // everything: true (other shop plugins)
let woo: Receiver; // the WooCommerce plugin's six events
let allSecret: string;
let wooSecret: string;
let gfKey: string;

type Body = Record<string, unknown> & { type: string; invoiceId: string; payment?: Record<string, unknown> };

async function btpay(method: string, path: string, body?: unknown) {
  const res = await fetch(`${t.apiUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${btpayKey}`, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const json = (await res.json()) as Record<string, unknown>;
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

async function invoice(usd: string, orderId: string) {
  const created = await btpay("POST", "/invoices", {
    currency: "USD",
    lines: [{ description: `Order ${orderId}`, quantity: 1, unit_price: usd }],
    metadata: { orderId, posData: JSON.stringify({ WooCommerce: { "Order ID": orderId } }) },
    required_confirmations: 1,
  });
  const fin = await btpay("POST", `/invoices/${created.ref}/finalize`);
  return {
    ref: String(fin.ref),
    address: String(fin.payment_address),
    dueSats: BigInt(String(fin.btc_amount).replace(".", "")),
  };
}

async function greenfieldHook(key: string, url: string, authorizedEvents: unknown) {
  const res = await fetch(`${t.apiUrl}/stores/${storeId}/webhooks`, {
    method: "POST",
    headers: { authorization: `token ${key}`, "content-type": "application/json" },
    body: JSON.stringify({ enabled: true, automaticRedelivery: true, url, authorizedEvents }),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as { id: string; secret: string };
}

/** Watcher pass, then every delivery that is due. */
async function settle(): Promise<void> {
  await watcher.tickNow();
  await dispatcher.tickNow();
  await dispatcher.tickNow();
}

function verified(r: Received, secret: string): Body {
  const sig = String(r.headers["btcpay-sig"]);
  expect(sig).toMatch(/^sha256=[0-9a-f]{64}$/);
  const mac = createHmac("sha256", secret).update(Buffer.from(r.body, "utf8")).digest();
  expect(timingSafeEqual(Buffer.from(sig.slice(7), "hex"), mac)).toBe(true);
  return JSON.parse(r.body) as Body;
}

/** What a receiver got for one invoice, in arrival order, each signature checked. */
const eventsFor = (r: Receiver, secret: string, ref: string): Body[] =>
  r.received.map((x) => verified(x, secret)).filter((b) => b.invoiceId === ref);

function expectCommon(b: Body, ref: string, orderId: string): void {
  expect(typeof b.deliveryId).toBe("string");
  expect(b.originalDeliveryId).toBe(b.deliveryId);
  expect(b.isRedelivery).toBe(false);
  expect(typeof b.webhookId).toBe("string");
  expect(Number.isInteger(b.timestamp)).toBe(true);
  expect(b.storeId).toBe(storeId);
  expect(b.invoiceId).toBe(ref);
  expect(b.metadata).toEqual({ orderId, posData: JSON.stringify({ WooCommerce: { "Order ID": orderId } }) });
}

function expectPayment(b: Body, txid: string, address: string, sats: bigint, status: string): void {
  expect(b.paymentMethodId).toBe("BTC-CHAIN");
  const p = b.payment as Record<string, unknown>;
  expect(Object.keys(p).sort()).toEqual(["destination", "fee", "id", "receivedDate", "status", "value"]);
  expect(p.id).toMatch(new RegExp(`^${txid}-\\d+$`));
  expect(Number.isInteger(p.receivedDate)).toBe(true);
  expect(p.value).toBe(formatBtc(sats));
  expect(p.fee).toBe("0.00000000");
  expect(p.status).toBe(status);
  expect(p.destination).toBe(address);
}

beforeAll(async () => {
  node = await startDevNode();
  rpc = coreRpc(node.rpc.url);
  t = await startTestServer({
    clock,
    env: {
      BTPAY_RATES_FIXED: RATE,
      BTPAY_NETWORK: "regtest",
      BTPAY_QUOTE_DEADLINE: String(QUOTE_MINUTES),
      BTPAY_MONITORING_MINUTES: String(MONITORING_MINUTES),
      BTPAY_ALLOW_PRIVATE_WEBHOOKS: "true",
    },
  });
  storeId = (await t.stores.create({ name: "Woo shop" })).id;
  btpayKey = (await t.keys.create({ storeId, name: "btpay", access: "full" })).key;
  await btpay("PUT", "/wallet", { descriptor: randomRegtestDescriptor() });
  gfKey = (
    await t.keys.create({
      storeId,
      name: "WooCommerce",
      access: "full",
      permissions: ["btcpay.store.canmodifyinvoices", "btcpay.store.webhooks.canmodifywebhooks"],
    })
  ).key;

  const logger = createLogger(process.env.BTPAY_TEST_LOG_LEVEL ?? "silent", pino.destination({ dest: 2, sync: true }));
  const tracker = new PaymentTracker(t.opened.db, clock, logger, {
    network: "regtest",
    monitoringMinutes: MONITORING_MINUTES,
  });
  source = new BitcoindSource({ url: node.rpc.url });
  watcher = startChainWatcher(
    { db: t.opened.db, source, tracker, clock, logger },
    { pollMs: 600_000, leaderRetryMs: 100 },
  );
  for (let i = 0; i < 200 && !watcher.isLeader(); i++) await new Promise((r) => setTimeout(r, 25));
  dispatcher = startWebhookDispatcher(
    { db: t.opened.db, box: t.box, clock, logger },
    { pollMs: 600_000, timeoutMs: 2_000, allowPrivate: true, endpoints: 8, perEndpoint: 50 },
  );

  all = await startReceiver();
  woo = await startReceiver();
  allSecret = (await greenfieldHook(gfKey, all.url, { everything: true })).secret;
  wooSecret = (
    await greenfieldHook(gfKey, woo.url, {
      everything: false,
      specificEvents: [
        "InvoiceReceivedPayment",
        "InvoicePaymentSettled",
        "InvoiceProcessing",
        "InvoiceExpired",
        "InvoiceSettled",
        "InvoiceInvalid",
      ],
    })
  ).secret;
});
afterAll(async () => {
  await dispatcher?.stop();
  await watcher?.stop();
  await source?.close();
  await all?.close();
  await woo?.close();
  await t?.close();
  await node?.close();
});

describe("Greenfield webhooks of a real invoice lifecycle on devchain", () => {
  let paid: { ref: string; address: string; dueSats: bigint };
  let txid: string;

  it("create -> InvoiceCreated (to the everything hook; the WooCommerce plugin does not ask for it)", async () => {
    paid = await invoice("10.00", "1001");
    await settle();
    const got = eventsFor(all, allSecret, paid.ref);
    expect(got.map((b) => b.type)).toEqual(["InvoiceCreated"]);
    expectCommon(got[0] as Body, paid.ref, "1001");
    expect(eventsFor(woo, wooSecret, paid.ref)).toEqual([]);
  });

  it("pay -> InvoiceReceivedPayment + InvoiceProcessing", async () => {
    txid = await rpc.pay(paid.address, paid.dueSats);
    await settle();
    const got = eventsFor(all, allSecret, paid.ref);
    expect(got.map((b) => b.type)).toEqual(["InvoiceCreated", "InvoiceReceivedPayment", "InvoiceProcessing"]);
    const [, received, processing] = got as [Body, Body, Body];
    expectCommon(received, paid.ref, "1001");
    expect(received.afterExpiration).toBe(false);
    expectPayment(received, txid, paid.address, paid.dueSats, "Processing");
    expectCommon(processing, paid.ref, "1001");
    expect(processing.overPaid).toBe(false);
  });

  it("mine -> InvoicePaymentSettled + InvoiceSettled", async () => {
    await rpc.mine(1);
    await settle();
    const got = eventsFor(all, allSecret, paid.ref);
    expect(got.map((b) => b.type)).toEqual([
      "InvoiceCreated",
      "InvoiceReceivedPayment",
      "InvoiceProcessing",
      "InvoicePaymentSettled",
      "InvoiceSettled",
    ]);
    const [, , , paymentSettled, settled] = got as Body[];
    expectPayment(paymentSettled as Body, txid, paid.address, paid.dueSats, "Settled");
    expect(paymentSettled?.afterExpiration).toBe(false);
    expect(settled).toMatchObject({ manuallyMarked: false, overPaid: false });
    // The WooCommerce hook got the same, without InvoiceCreated, and with its own signature.
    expect(eventsFor(woo, wooSecret, paid.ref).map((b) => b.type)).toEqual([
      "InvoiceReceivedPayment",
      "InvoiceProcessing",
      "InvoicePaymentSettled",
      "InvoiceSettled",
    ]);
  });

  it("partly paid, then the monitoring window ends -> InvoiceExpired partiallyPaid true", async () => {
    const inv = await invoice("10.00", "1002");
    await rpc.pay(inv.address, 4_000n);
    await settle();
    clock.advanceMinutes(QUOTE_MINUTES + 1);
    await settle();
    clock.advanceMinutes(MONITORING_MINUTES);
    await settle();
    const got = eventsFor(all, allSecret, inv.ref);
    expect(got.map((b) => b.type)).toEqual(["InvoiceCreated", "InvoiceReceivedPayment", "InvoiceExpired"]);
    expect(got[2]).toMatchObject({ partiallyPaid: true });
    expectCommon(got[2] as Body, inv.ref, "1002");
    expect(eventsFor(woo, wooSecret, inv.ref).map((b) => [b.type, b.partiallyPaid])).toEqual([
      ["InvoiceReceivedPayment", undefined],
      ["InvoiceExpired", true],
    ]);
  });

  it("nothing paid by the deadline -> InvoiceExpired; a late payment -> InvoiceReceivedPayment afterExpiration true", async () => {
    const inv = await invoice("10.00", "1003");
    clock.advanceMinutes(QUOTE_MINUTES + 1);
    await settle();
    let got = eventsFor(all, allSecret, inv.ref);
    expect(got.map((b) => b.type)).toEqual(["InvoiceCreated", "InvoiceExpired"]);
    expect(got[1]).toMatchObject({ partiallyPaid: false });

    const late = await rpc.pay(inv.address, inv.dueSats);
    await settle();
    got = eventsFor(all, allSecret, inv.ref);
    expect(got.map((b) => b.type)).toEqual(["InvoiceCreated", "InvoiceExpired", "InvoiceReceivedPayment"]);
    expect(got[2]?.afterExpiration).toBe(true);
    expectPayment(got[2] as Body, late, inv.address, inv.dueSats, "Processing");

    // Confirmed: the plugin's late-payment path continues with InvoicePaymentSettled.
    await rpc.mine(1);
    await settle();
    got = eventsFor(woo, wooSecret, inv.ref);
    expect(got.map((b) => [b.type, b.afterExpiration])).toEqual([
      ["InvoiceExpired", undefined],
      ["InvoiceReceivedPayment", true],
      ["InvoicePaymentSettled", true],
    ]);
  });

  it("the shop marks an invoice Invalid -> one InvoiceInvalid, manuallyMarked true (its cancellation is not sent again)", async () => {
    const inv = await invoice("10.00", "1004");
    const res = await fetch(`${t.apiUrl}/stores/${storeId}/invoices/${inv.ref}/status`, {
      method: "POST",
      headers: { authorization: `token ${gfKey}`, "content-type": "application/json" },
      body: JSON.stringify({ status: "Invalid" }),
    });
    expect(res.status).toBe(200);
    await settle();
    const got = eventsFor(all, allSecret, inv.ref);
    expect(got.map((b) => [b.type, b.manuallyMarked])).toEqual([
      ["InvoiceCreated", undefined],
      ["InvoiceInvalid", true],
    ]);
    expectCommon(got[1] as Body, inv.ref, "1004");
    expect(eventsFor(woo, wooSecret, inv.ref).map((b) => [b.type, b.manuallyMarked])).toEqual([
      ["InvoiceInvalid", true],
    ]);
  });

  it("the shop marks an expired invoice Settled -> InvoiceSettled manuallyMarked true", async () => {
    const inv = await invoice("10.00", "1005");
    clock.advanceMinutes(QUOTE_MINUTES + 1);
    await settle();
    const res = await fetch(`${t.apiUrl}/stores/${storeId}/invoices/${inv.ref}/status`, {
      method: "POST",
      headers: { authorization: `token ${gfKey}`, "content-type": "application/json" },
      body: JSON.stringify({ status: "Settled" }),
    });
    expect(res.status).toBe(200);
    await settle();
    expect(eventsFor(woo, wooSecret, inv.ref).map((b) => [b.type, b.manuallyMarked, b.overPaid])).toEqual([
      ["InvoiceExpired", undefined, undefined],
      ["InvoiceSettled", true, false],
    ]);
  });

  it("cancelled through btpay's own API -> InvoiceInvalid manuallyMarked false", async () => {
    const inv = await invoice("10.00", "1006");
    await btpay("DELETE", `/invoices/${inv.ref}`);
    await settle();
    expect(eventsFor(woo, wooSecret, inv.ref).map((b) => [b.type, b.manuallyMarked])).toEqual([
      ["InvoiceInvalid", false],
    ]);
  });

  it("every delivery succeeded, in order, once", async () => {
    for (const r of [all, woo]) {
      const ids = r.received.map((x) => Number(JSON.parse(x.body).deliveryId));
      expect(ids).toEqual([...ids].sort((a, b) => a - b));
      expect(new Set(ids).size).toBe(ids.length);
    }
  });
});
