import { type BtpayClient, createBtpayClient } from "@btpay/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../helpers/test-server.js";

// The webhooks API as the reference defines it, on a server WITHOUT BTPAY_ALLOW_PRIVATE_WEBHOOKS:
// only public https targets are accepted.

let t: TestServer;
let api: BtpayClient;
let key: string;

async function raw(method: string, path: string, body?: unknown, withKey = key) {
  const res = await fetch(`${t.apiUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${withKey}`, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

// A public IP literal: no DNS needed, and nothing is ever sent to it in these tests.
const PUBLIC = "https://93.184.216.34/webhook";

beforeAll(async () => {
  t = await startTestServer();
  ({ key } = await t.newStoreWithKey());
  api = createBtpayClient({ baseUrl: t.baseUrl, apiKey: key });
});
afterAll(async () => t?.close());

describe("webhooks API", () => {
  it("creates with a whsec_ secret shown once, default events ['*']; the secret is stored encrypted", async () => {
    const created = await raw("POST", "/webhooks", { url: PUBLIC, description: "Production webhook" });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      url: PUBLIC,
      events: ["*"],
      is_active: true,
      description: "Production webhook",
    });
    const secret = String(created.body.secret);
    expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    const list = await api.GET("/webhooks");
    const listed = list.data?.webhooks.find((w) => w.id === created.body.id);
    expect(listed).toBeDefined();
    expect(JSON.stringify(list.data)).not.toContain(secret);
    const stored = await t.opened.orm.em
      .fork()
      .getConnection()
      .execute("select secret_encrypted from webhook where id = ?", [created.body.id]);
    expect(String(stored[0]?.secret_encrypted)).not.toContain(secret.slice(6));
    expect(String(stored[0]?.secret_encrypted)).toMatch(/^v1\./);
  });

  it("keeps the events asked for", async () => {
    const created = await raw("POST", "/webhooks", { url: PUBLIC, events: ["invoice.paid", "invoice.confirmed"] });
    expect(created.body.events).toEqual(["invoice.paid", "invoice.confirmed"]);
  });

  for (const [what, body] of [
    ["an unknown event", { url: PUBLIC, events: ["invoice.exploded"] }],
    ["no url", { events: ["*"] }],
    ["an empty events list", { url: PUBLIC, events: [] }],
    ["plain http", { url: "http://93.184.216.34/webhook" }],
    ["localhost", { url: "https://localhost/hook" }],
    ["127.0.0.1", { url: "https://127.0.0.1/hook" }],
    ["[::1]", { url: "https://[::1]/hook" }],
    ["10/8", { url: "https://10.0.0.8/hook" }],
    ["172.16/12", { url: "https://172.20.1.1/hook" }],
    ["192.168/16", { url: "https://192.168.0.10/hook" }],
    ["cloud metadata", { url: "https://169.254.169.254/latest/meta-data" }],
    ["*.internal", { url: "https://billing.internal/hook" }],
    ["*.local", { url: "https://printer.local/hook" }],
  ] as const) {
    it(`refuses ${what} with 400 and creates nothing`, async () => {
      const before = (await api.GET("/webhooks")).data?.webhooks.length;
      const res = await raw("POST", "/webhooks", body);
      expect(res.status).toBe(400);
      expect(typeof res.body.error).toBe("string");
      expect((await api.GET("/webhooks")).data?.webhooks.length).toBe(before);
    });
  }

  it("refuses a hostname that resolves to a private address (this machine's own name)", async () => {
    const { hostname } = await import("node:os");
    const res = await raw("POST", "/webhooks", { url: `https://${hostname()}/hook` });
    expect(res.status).toBe(400);
    expect(String(res.body.error)).toMatch(/resolves to|loopback|private/i);
  });

  it("delete deactivates: gone from the list, 404 the second time, 404 for another store", async () => {
    const created = await raw("POST", "/webhooks", { url: PUBLIC });
    const other = await t.newStoreWithKey("full", "Other");
    expect((await raw("DELETE", `/webhooks/${created.body.id}`, undefined, other.key)).status).toBe(404);
    expect((await raw("DELETE", `/webhooks/${created.body.id}`)).body).toEqual({ ok: true });
    expect((await api.GET("/webhooks")).data?.webhooks.some((w) => w.id === created.body.id)).toBe(false);
    expect((await raw("DELETE", `/webhooks/${created.body.id}`)).status).toBe(404);
    expect((await raw("GET", `/webhooks/${created.body.id}/deliveries`, undefined, other.key)).status).toBe(404);
  });

  it("a read-only key can list but not create or delete", async () => {
    const ro = await t.keys.create({ storeId: (await t.stores.list())[0]?.id ?? "", name: "ro", access: "read_only" });
    expect((await raw("GET", "/webhooks", undefined, ro.key)).status).toBe(200);
    expect((await raw("POST", "/webhooks", { url: PUBLIC }, ro.key)).status).toBe(403);
  });
});
