import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import { signWebhookTestHeaders } from "@btpay/sdk";
import { afterAll, describe, expect, it } from "vitest";
import { type DevJson, runDev } from "../../src/cli/dev.js";
import { createTestDatabase } from "../helpers/test-server.js";
import { RATE } from "./dev-harness.js";

// Dev mode registers a webhook to its own sink once, keeps the secret in dev.json, and lists what
// the sink received (signatures checked) for the playground.

interface SinkEvent {
  seq: number;
  event: string;
  verified: boolean;
  error?: string;
  payload: { id: string; event: string; data: { ref?: string } };
}

const dataDir = mkdtempSync(path.join(os.tmpdir(), "btpay-dev-sink-"));
const target = await createTestDatabase();
afterAll(async () => {
  await target.drop();
  rmSync(dataDir, { recursive: true, force: true });
});

function start(port: number) {
  return runDev(
    {
      ...target.env,
      BTPAY_DATA_DIR: dataDir,
      PORT: String(port),
      HOST: "127.0.0.1",
      BTPAY_RATES_FIXED: RATE,
      BTPAY_LOG_LEVEL: process.env.BTPAY_TEST_LOG_LEVEL ?? "error",
    },
    { out: () => undefined },
  );
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

async function json(url: string, init?: RequestInit) {
  const res = await fetch(url, init);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function events(url: string, after = 0): Promise<SinkEvent[]> {
  return (await json(`${url}/dev/api/events?after=${after}`)).body.events as SinkEvent[];
}

async function webhooks(dev: DevJson) {
  const r = await json(`${dev.apiUrl}/webhooks`, { headers: { authorization: `Bearer ${dev.apiKey}` } });
  return r.body.webhooks as { id: number; url: string; events: string[] }[];
}

describe("dev mode's webhook sink", () => {
  it("receives every event signed, lists them verified, refuses forgeries, and is registered once across restarts", async () => {
    const port = await freePort();
    let dev = await start(port);
    const { url } = dev;
    const file = JSON.parse(readFileSync(path.join(dataDir, "dev.json"), "utf8")) as DevJson;
    expect(file.webhookSecret).toMatch(/^whsec_/);
    expect(await webhooks(dev.dev)).toEqual([
      expect.objectContaining({ id: file.webhookId, url: `${url}/dev/api/webhook-sink`, events: ["*"] }),
    ]);

    // An invoice paid and confirmed through the simulator: its events arrive, each verified.
    const post = (p: string, body: unknown) =>
      json(`${url}/dev/api${p}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    const auth = { authorization: `Bearer ${dev.dev.apiKey}`, "content-type": "application/json" };
    const created = await json(`${dev.dev.apiUrl}/invoices`, {
      method: "POST",
      headers: auth,
      body: JSON.stringify({ lines: [{ description: "Sink", quantity: 1, unit_price: "2.00" }] }),
    });
    const ref = String(created.body.ref);
    await json(`${dev.dev.apiUrl}/invoices/${ref}/finalize`, { method: "POST", headers: auth });
    expect((await post("/pay", { ref })).status).toBe(200);
    const paidSeen = await poll(url, (list) => list.some((e) => e.event === "invoice.paid"));
    expect((await post("/mine", { blocks: 1 })).status).toBe(200);
    const all = await poll(url, (list) => list.some((e) => e.event === "invoice.confirmed"));
    const names = all.map((e) => e.event);
    expect(names).toEqual(
      expect.arrayContaining([
        "invoice.created",
        "payment.received",
        "invoice.paid",
        "payment.confirmed",
        "invoice.confirmed",
      ]),
    );
    for (const e of all) {
      expect(e).toMatchObject({ verified: true, payload: { event: e.event, data: expect.objectContaining({}) } });
    }
    expect(all.filter((e) => e.event.startsWith("invoice.")).every((e) => e.payload.data.ref === ref)).toBe(true);
    expect(paidSeen.length).toBeGreaterThan(0);

    // ?after= pages; a bad value is a 400.
    const last = all.at(-1)!.seq;
    expect(await events(url, last)).toEqual([]);
    expect((await events(url, last - 1)).map((e) => e.seq)).toEqual([last]);
    expect((await json(`${url}/dev/api/events?after=-1`)).status).toBe(400);

    // A delivery signed with another secret is refused (400) and listed as not verified.
    const body = JSON.stringify({
      id: "evt_999999",
      event: "invoice.paid",
      data: {},
      timestamp: new Date().toISOString(),
    });
    const forged = await json(`${url}/dev/api/webhook-sink`, {
      method: "POST",
      headers: { "content-type": "application/json", ...(await signWebhookTestHeaders(body, "whsec_not_the_secret")) },
      body,
    });
    expect(forged.status).toBe(400);
    expect(forged.body.error).toContain("X-BTPay-Signature does not match");
    const [listed] = await events(url, last);
    expect(listed).toMatchObject({
      verified: false,
      event: "invoice.paid",
      error: expect.stringContaining("does not match"),
    });

    // Restart on the same port: the same registration (the secret came from dev.json), and it verifies.
    await dev.close();
    dev = await start(port);
    expect(dev.dev.webhookId).toBe(file.webhookId);
    expect(await webhooks(dev.dev)).toHaveLength(1);
    const after = await json(`${dev.dev.apiUrl}/invoices`, {
      method: "POST",
      headers: auth,
      body: JSON.stringify({ lines: [{ description: "After restart", quantity: 1, unit_price: "1.00" }] }),
    });
    const fresh = await poll(dev.url, (list) => list.some((e) => e.payload.data.ref === after.body.ref));
    expect(fresh.find((e) => e.payload.data.ref === after.body.ref)).toMatchObject({
      event: "invoice.created",
      verified: true,
    });

    // On another port the old endpoint is replaced, not left failing.
    await dev.close();
    dev = await start(await freePort());
    const hooks = await webhooks(dev.dev);
    expect(hooks).toEqual([expect.objectContaining({ id: dev.dev.webhookId, url: `${dev.url}/dev/api/webhook-sink` })]);
    expect(dev.dev.webhookId).not.toBe(file.webhookId);
    await dev.close();
  });
});

async function poll(url: string, done: (list: SinkEvent[]) => boolean): Promise<SinkEvent[]> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const list = await events(url);
    if (done(list)) return list;
    if (Date.now() > deadline) throw new Error(`sink never got there: ${JSON.stringify(list.map((e) => e.event))}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
