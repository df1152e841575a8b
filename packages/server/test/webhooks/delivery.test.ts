import { type BtpayClient, createBtpayClient, verifyWebhook } from "@btpay/sdk";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../src/logger.js";
import { startWebhookDispatcher, type WebhookDispatcher } from "../../src/workers/webhook-dispatcher.js";
import { movableClock } from "../chain/helpers/watch-harness.js";
import { startTestServer, type TestServer } from "../helpers/test-server.js";
import { type Receiver, startReceiver } from "./receiver.js";

// Deliveries from the outbox to real receivers on loopback, driven by a dispatcher in this process
// on a clock the test moves (the retry schedule is hours long).

const clock = movableClock();
let t: TestServer;
let api: BtpayClient;
let dispatcher: WebhookDispatcher;
const receivers: Receiver[] = [];

async function receiver(): Promise<Receiver> {
  const r = await startReceiver();
  receivers.push(r);
  return r;
}

async function webhook(url: string, events: string[] = ["*"]) {
  const created = await api.POST("/webhooks", { body: { url, events: events as never } });
  if (!created.data) throw new Error(JSON.stringify(created.error));
  return created.data;
}

/** Creating an invoice appends `invoice.created` to the outbox: an event on demand. */
async function event(): Promise<string> {
  const created = await api.POST("/invoices", {
    body: { lines: [{ description: "x", quantity: 1, unit_price: "1.00" }] },
  });
  return created.data?.ref ?? "";
}

async function deliveries(id: number) {
  const res = await api.GET("/webhooks/{id}/deliveries", { params: { path: { id } } });
  return res.data?.deliveries ?? [];
}

beforeAll(async () => {
  t = await startTestServer({ clock, env: { BTPAY_ALLOW_PRIVATE_WEBHOOKS: "true" } });
  const { key } = await t.newStoreWithKey();
  api = createBtpayClient({ baseUrl: t.baseUrl, apiKey: key });
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

describe("webhook delivery", () => {
  it("POSTs the event with the reference's headers; the SDK verifies it", async () => {
    const r = await receiver();
    const hook = await webhook(r.url, ["invoice.created"]);
    const ref = await event();
    await dispatcher.tickNow();
    const [got] = await r.waitFor(1);
    expect(got?.headers["content-type"]).toBe("application/json");
    expect(got?.headers["x-btpay-event"]).toBe("invoice.created");
    const verified = await verifyWebhook(got?.body ?? "", got?.headers ?? {}, hook.secret, {
      now: () => Math.floor(clock.now().getTime() / 1000),
    });
    expect(verified).toMatchObject({ event: "invoice.created", data: { ref, status: "draft" } });
    expect(got?.headers["x-btpay-delivery"]).toBe(verified.id);
    expect(verified.id).toMatch(/^evt_\d+$/);
    const [d] = await deliveries(hook.id);
    expect(d).toMatchObject({ state: "succeeded", attempts: 1, event: "invoice.created" });
    expect(d?.attempt_log[0]).toMatchObject({ attempt: 1, status: 200, error: null });
  });

  it("only subscribed events are delivered", async () => {
    const r = await receiver();
    const hook = await webhook(r.url, ["invoice.paid"]);
    await event();
    await dispatcher.tickNow();
    expect(r.received).toHaveLength(0);
    expect(await deliveries(hook.id)).toHaveLength(0);
  });

  it("a receiver answering 500 gets the retries at 60 s, 5 min, 15 min, 1 h, 2 h, then the delivery fails", async () => {
    const r = await receiver();
    r.answer = 500;
    const hook = await webhook(r.url, ["invoice.created"]);
    await event();
    await dispatcher.tickNow();
    expect(r.received).toHaveLength(1);
    for (const [i, seconds] of [60, 300, 900, 3600, 7200].entries()) {
      clock.advanceMinutes((seconds - 1) / 60);
      await dispatcher.tickNow();
      expect(r.received, `not before the ${seconds} s retry`).toHaveLength(i + 1);
      clock.advanceMinutes(2 / 60);
      await dispatcher.tickNow();
      expect(r.received).toHaveLength(i + 2);
    }
    clock.advanceMinutes(24 * 60);
    await dispatcher.tickNow();
    expect(r.received).toHaveLength(6);
    const [d] = await deliveries(hook.id);
    expect(d).toMatchObject({ state: "failed", attempts: 6, next_attempt_at: null });
    expect(d?.attempt_log.map((a) => a.status)).toEqual([500, 500, 500, 500, 500, 500]);
    expect(d?.attempt_log[0]?.error).toMatch(/500/);
    // The same event id on every attempt: receivers can de-duplicate.
    expect(new Set(r.received.map((x) => x.headers["x-btpay-delivery"])).size).toBe(1);

    // Redeliver: fresh retries, same id, now the receiver is back.
    r.answer = 200;
    const again = await api.POST("/webhooks/{id}/deliveries/{delivery_id}/redeliver", {
      params: { path: { id: hook.id, delivery_id: d?.id ?? 0 } },
    });
    expect(again.response.status).toBe(202);
    expect(again.data).toMatchObject({ state: "pending", attempts: 0 });
    await dispatcher.tickNow();
    expect(r.received).toHaveLength(7);
    expect((await deliveries(hook.id))[0]).toMatchObject({ state: "succeeded", attempts: 1 });
  });

  it("keeps order per endpoint: a later event waits until the earlier one is delivered", async () => {
    const r = await receiver();
    const hook = await webhook(r.url, ["invoice.created"]);
    r.answer = 503;
    const first = await event();
    const second = await event();
    await dispatcher.tickNow();
    expect(r.received).toHaveLength(1);
    expect(JSON.parse(r.received[0]?.body ?? "{}").data.ref).toBe(first);
    r.answer = 200;
    clock.advanceMinutes(1.1);
    await dispatcher.tickNow();
    await dispatcher.tickNow();
    const refs = r.received.map((x) => JSON.parse(x.body).data.ref);
    expect(refs).toEqual([first, first, second]);
    expect((await deliveries(hook.id)).map((d) => d.state)).toEqual(["succeeded", "succeeded"]);
  });

  it("one slow endpoint does not hold up another", async () => {
    const slow = await receiver();
    slow.answer = "hang";
    const fast = await receiver();
    await webhook(slow.url, ["invoice.created"]);
    await webhook(fast.url, ["invoice.created"]);
    await event();
    const started = Date.now();
    const tick = dispatcher.tickNow();
    await fast.waitFor(1, 900);
    expect(Date.now() - started).toBeLessThan(900);
    await tick; // the slow one times out after 1 s and is scheduled for a retry
    expect(slow.received).toHaveLength(1);
  });

  it("redirects are not followed; the attempt fails", async () => {
    const r = await receiver();
    r.answer = 302;
    const hook = await webhook(r.url, ["invoice.created"]);
    await event();
    await dispatcher.tickNow();
    const [d] = await deliveries(hook.id);
    expect(d?.state).toBe("pending");
    expect(d?.attempt_log[0]?.error).toMatch(/redirect/);
    expect(r.received).toHaveLength(1);
  });

  it("a deleted endpoint's pending deliveries are cancelled", async () => {
    const r = await receiver();
    r.answer = 500;
    const hook = await webhook(r.url, ["invoice.created"]);
    await event();
    await dispatcher.tickNow();
    await api.DELETE("/webhooks/{id}", { params: { path: { id: hook.id } } });
    clock.advanceMinutes(2);
    await dispatcher.tickNow();
    expect(r.received).toHaveLength(1);
    // Its history stays readable.
    expect((await deliveries(hook.id)).map((d) => d.state)).toEqual(["cancelled"]);
  });
});
