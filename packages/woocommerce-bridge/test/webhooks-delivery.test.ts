import { createHmac, timingSafeEqual } from "node:crypto";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../server/src/logger.js";
import { startWebhookDispatcher, type WebhookDispatcher } from "../../server/src/workers/webhook-dispatcher.js";
import { movableClock } from "../../server/test/chain/helpers/watch-harness.js";
import { startTestServer, type TestServer } from "../../server/test/helpers/test-server.js";
import { type Received, type Receiver, startReceiver } from "../../server/test/webhooks/receiver.js";

// Greenfield-format deliveries from btpay's outbox to real receivers on loopback: BTCPay's body and
// BTCPay-Sig, BTCPay's retry rule (only 5xx, 408, 429 and network errors), order per hook, one
// attempt without automaticRedelivery, nothing for a disabled hook; btpay hooks as before.
// A dispatcher in this process on a clock the test moves (the retry schedule is hours long).

const clock = movableClock();
let t: TestServer;
let storeId: string;
let gfKey: string;
let btpayKey: string;
let dispatcher: WebhookDispatcher;
const receivers: Receiver[] = [];

async function receiver(): Promise<Receiver> {
  const r = await startReceiver();
  receivers.push(r);
  return r;
}

async function greenfieldHook(
  url: string,
  settings: Record<string, unknown> = {},
): Promise<{ id: string; secret: string }> {
  const res = await fetch(`${t.apiUrl}/stores/${storeId}/webhooks`, {
    method: "POST",
    headers: { authorization: `token ${gfKey}`, "content-type": "application/json" },
    body: JSON.stringify({
      url,
      authorizedEvents: { everything: false, specificEvents: ["InvoiceCreated"] },
      ...settings,
    }),
  });
  if (res.status !== 200) throw new Error(`create: ${res.status} ${await res.text()}`);
  return (await res.json()) as { id: string; secret: string };
}

async function btpay(method: string, path: string, body?: unknown) {
  const res = await fetch(`${t.apiUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${btpayKey}`, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return (await res.json()) as Record<string, unknown>;
}

/** Creating an invoice appends `invoice.created` to the outbox: an event on demand. */
async function event(orderId = "1"): Promise<string> {
  const created = await btpay("POST", "/invoices", {
    lines: [{ description: "x", quantity: 1, unit_price: "1.00" }],
    metadata: { orderId },
  });
  return String(created.ref);
}

async function deliveries(id: string) {
  const res = (await btpay("GET", `/webhooks/${id}/deliveries`)) as {
    deliveries: {
      state: string;
      attempts: number;
      next_attempt_at: number | null;
      attempt_log: { status: number | null }[];
    }[];
  };
  return res.deliveries;
}

/** Deleted so its retries stay out of the later tests. */
async function deleteHook(id: string): Promise<void> {
  const res = await fetch(`${t.apiUrl}/stores/${storeId}/webhooks/${id}`, {
    method: "DELETE",
    headers: { authorization: `token ${gfKey}` },
  });
  expect(res.status).toBe(200);
}

/** BTCPay-Sig checked the way a shop plugin checks it: HMAC-SHA256 over the raw bytes received. */
function verifySignature(got: Received, secret: string): void {
  const header = String(got.headers["btcpay-sig"]);
  expect(header).toMatch(/^sha256=[0-9a-f]{64}$/);
  const expected = createHmac("sha256", secret).update(Buffer.from(got.body, "utf8")).digest();
  expect(timingSafeEqual(Buffer.from(header.slice(7), "hex"), expected)).toBe(true);
}

/** Runs the retry at `seconds` after the last failure: nothing a second before, one attempt after. */
async function passRetry(r: Receiver, seconds: number, before: number): Promise<void> {
  clock.advanceMinutes((seconds - 1) / 60);
  await dispatcher.tickNow();
  expect(r.received, `not before the ${seconds} s retry`).toHaveLength(before);
  clock.advanceMinutes(2 / 60);
  await dispatcher.tickNow();
  expect(r.received).toHaveLength(before + 1);
}

beforeAll(async () => {
  t = await startTestServer({ clock, env: { BTPAY_ALLOW_PRIVATE_WEBHOOKS: "true" } });
  storeId = (await t.stores.create({ name: "Woo shop" })).id;
  gfKey = (
    await t.keys.create({
      storeId,
      name: "WooCommerce",
      access: "full",
      permissions: ["btcpay.store.webhooks.canmodifywebhooks"],
    })
  ).key;
  btpayKey = (await t.keys.create({ storeId, name: "btpay", access: "full" })).key;
  const logger = createLogger(process.env.BTPAY_TEST_LOG_LEVEL ?? "silent", pino.destination({ dest: 2, sync: true }));
  dispatcher = startWebhookDispatcher(
    { db: t.opened.db, box: t.box, clock, logger },
    { pollMs: 60_000, timeoutMs: 1_000, allowPrivate: true, endpoints: 8, perEndpoint: 20 },
  );
});
afterAll(async () => {
  await dispatcher?.stop();
  for (const r of receivers) await r.close();
  await t?.close();
});

describe("Greenfield webhook delivery", () => {
  it("POSTs BTCPay's body with BTCPay-Sig over the raw bytes; exact JSON types", async () => {
    const r = await receiver();
    const hook = await greenfieldHook(r.url);
    const ref = await event("order-77");
    await dispatcher.tickNow();
    const [got] = await r.waitFor(1);
    if (!got) throw new Error("nothing received");
    expect(got.headers["content-type"]).toBe("application/json");
    verifySignature(got, hook.secret);
    expect(got.headers["x-btpay-signature"]).toBeUndefined();
    const body = JSON.parse(got.body) as Record<string, unknown>;
    expect(body).toEqual({
      deliveryId: expect.any(String),
      webhookId: hook.id,
      originalDeliveryId: body.deliveryId,
      isRedelivery: false,
      type: "InvoiceCreated",
      timestamp: expect.any(Number),
      storeId,
      invoiceId: ref,
      metadata: { orderId: "order-77" },
    });
    expect(Number.isInteger(body.timestamp)).toBe(true);
    expect(Math.abs(Number(body.timestamp) - clock.now().getTime() / 1000)).toBeLessThan(120);
    expect((await deliveries(hook.id))[0]).toMatchObject({ state: "succeeded", attempts: 1 });
  });

  for (const answer of [500, 503, 408, 429] as const) {
    it(`a receiver answering ${answer} is retried (60 s later)`, async () => {
      const r = await receiver();
      r.answer = answer;
      const hook = await greenfieldHook(r.url);
      await event();
      await dispatcher.tickNow();
      expect(r.received).toHaveLength(1);
      expect((await deliveries(hook.id))[0]).toMatchObject({ state: "pending", attempts: 1 });
      r.answer = 200;
      await passRetry(r, 60, 1);
      expect((await deliveries(hook.id))[0]).toMatchObject({ state: "succeeded", attempts: 2 });
      // Every retry is the same delivery, byte for byte.
      expect(r.received[1]?.body).toBe(r.received[0]?.body);
      expect(r.received[1]?.headers["btcpay-sig"]).toBe(r.received[0]?.headers["btcpay-sig"]);
    });
  }

  it("a 500 that never ends gets every retry (60 s, 5 min, 15 min, 1 h, 2 h): 6 attempts, then failed", async () => {
    const r = await receiver();
    r.answer = 500;
    const hook = await greenfieldHook(r.url);
    await event();
    await dispatcher.tickNow();
    for (const [i, seconds] of [60, 300, 900, 3600, 7200].entries()) await passRetry(r, seconds, i + 1);
    clock.advanceMinutes(24 * 60);
    await dispatcher.tickNow();
    expect(r.received).toHaveLength(6);
    const [d] = await deliveries(hook.id);
    expect(d).toMatchObject({ state: "failed", attempts: 6, next_attempt_at: null });
  });

  it("a network error (nothing listening) is retried", async () => {
    const r = await receiver();
    const url = r.url;
    await r.close();
    receivers.splice(receivers.indexOf(r), 1);
    const hook = await greenfieldHook(url);
    await event();
    await dispatcher.tickNow();
    const [d] = await deliveries(hook.id);
    expect(d).toMatchObject({ state: "pending", attempts: 1 });
    expect(d?.attempt_log[0]?.status).toBeNull();
    expect(d?.next_attempt_at).not.toBeNull();
    await deleteHook(hook.id);
  });

  it("a timeout is retried", async () => {
    const r = await receiver();
    r.answer = "hang";
    const hook = await greenfieldHook(r.url);
    await event();
    await dispatcher.tickNow();
    expect((await deliveries(hook.id))[0]).toMatchObject({ state: "pending", attempts: 1 });
    await deleteHook(hook.id);
  });

  for (const answer of [400, 404, 410, 302] as const) {
    it(`a receiver answering ${answer} is final: one attempt, failed, and the next event goes out at once`, async () => {
      const r = await receiver();
      r.answer = (got) => (JSON.parse(got.body).metadata.orderId === "first" ? answer : 200);
      const hook = await greenfieldHook(r.url);
      await event("first");
      await event("second");
      await dispatcher.tickNow();
      expect(r.received.map((x) => JSON.parse(x.body).metadata.orderId)).toEqual(["first", "second"]);
      const [second, first] = await deliveries(hook.id);
      expect(first).toMatchObject({ state: "failed", attempts: 1, next_attempt_at: null });
      expect(first?.attempt_log.map((a) => a.status)).toEqual([answer]);
      expect(second).toMatchObject({ state: "succeeded", attempts: 1 });
      clock.advanceMinutes(24 * 60);
      await dispatcher.tickNow();
      expect(r.received).toHaveLength(2);
    });
  }

  it("automaticRedelivery false: one attempt even on a 500", async () => {
    const r = await receiver();
    r.answer = 500;
    const hook = await greenfieldHook(r.url, { automaticRedelivery: false });
    await event();
    await dispatcher.tickNow();
    clock.advanceMinutes(24 * 60);
    await dispatcher.tickNow();
    expect(r.received).toHaveLength(1);
    expect((await deliveries(hook.id))[0]).toMatchObject({ state: "failed", attempts: 1 });
  });

  it("keeps order per hook: a later event waits behind a retried one", async () => {
    const r = await receiver();
    r.answer = 503;
    const hook = await greenfieldHook(r.url);
    await event("first");
    await event("second");
    await dispatcher.tickNow();
    expect(r.received).toHaveLength(1);
    r.answer = 200;
    clock.advanceMinutes(1.1);
    await dispatcher.tickNow();
    await dispatcher.tickNow();
    const order = r.received.map((x) => JSON.parse(x.body).metadata.orderId);
    expect(order).toEqual(["first", "first", "second"]);
    const ids = r.received.map((x) => Number(JSON.parse(x.body).deliveryId));
    expect(ids[2]).toBeGreaterThan(ids[0] ?? 0);
    expect((await deliveries(hook.id)).map((d) => d.state)).toEqual(["succeeded", "succeeded"]);
  });

  it("a disabled hook gets nothing; switching it off cancels what was queued", async () => {
    const r = await receiver();
    const off = await greenfieldHook(r.url, { enabled: false });
    await event();
    await dispatcher.tickNow();
    expect(r.received).toHaveLength(0);
    expect(await deliveries(off.id)).toHaveLength(0);

    const r2 = await receiver();
    r2.answer = 500;
    const on = await greenfieldHook(r2.url);
    await event();
    await dispatcher.tickNow();
    expect(r2.received).toHaveLength(1);
    const put = await fetch(`${t.apiUrl}/stores/${storeId}/webhooks/${on.id}`, {
      method: "PUT",
      headers: { authorization: `token ${gfKey}`, "content-type": "application/json" },
      body: JSON.stringify({ url: r2.url, enabled: false }),
    });
    expect(put.status).toBe(200);
    clock.advanceMinutes(24 * 60);
    await event();
    await dispatcher.tickNow();
    expect(r2.received).toHaveLength(1);
    expect((await deliveries(on.id)).map((d) => d.state)).toEqual(["cancelled"]);
  });

  it("only the subscribed Greenfield events: a hook for InvoiceSettled gets no InvoiceCreated", async () => {
    const r = await receiver();
    const hook = await greenfieldHook(r.url, {
      authorizedEvents: { everything: false, specificEvents: ["InvoiceSettled"] },
    });
    await event();
    await dispatcher.tickNow();
    expect(r.received).toHaveLength(0);
    expect(await deliveries(hook.id)).toHaveLength(0);
  });

  it("btpay hooks on the same store are unaffected: the reference's body and signature, every failure retried", async () => {
    const r = await receiver();
    r.answer = 400;
    const hook = (await btpay("POST", "/webhooks", { url: r.url, events: ["invoice.created"] })) as {
      id: number;
      secret: string;
    };
    const gr = await receiver();
    await greenfieldHook(gr.url);
    const ref = await event();
    await dispatcher.tickNow();
    await gr.waitFor(1);
    const [got] = await r.waitFor(1);
    if (!got) throw new Error("nothing received");
    expect(got.headers["btcpay-sig"]).toBeUndefined();
    expect(got.headers["x-btpay-signature"]).toBe(createHmac("sha256", hook.secret).update(got.body).digest("hex"));
    expect(JSON.parse(got.body)).toMatchObject({ event: "invoice.created", data: { ref } });
    // A 400 is final for a Greenfield hook, but btpay's own hooks retry it as they always did.
    expect((await deliveries(String(hook.id)))[0]).toMatchObject({ state: "pending", attempts: 1 });
    r.answer = 200;
    await passRetry(r, 60, 1);
  });
});
