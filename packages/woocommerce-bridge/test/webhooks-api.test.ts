import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../../server/test/helpers/test-server.js";

// Greenfield webhook CRUD (`/api/v1/stores/{storeId}/webhooks`) over real HTTP, as shop plugins
// call it: exact JSON types, only HTTP 200, the secret in the create answer only, Greenfield errors.

const WEBHOOKS = "btcpay.store.webhooks.canmodifywebhooks";
// The six events the WooCommerce plugin subscribes to on connect.
const WOO_EVENTS = [
  "InvoiceReceivedPayment",
  "InvoicePaymentSettled",
  "InvoiceProcessing",
  "InvoiceExpired",
  "InvoiceSettled",
  "InvoiceInvalid",
];
const URL_ = "http://127.0.0.1:9/?wc-api=btcpaygf_default";

let t: TestServer;
let storeId: string;
let token: string;

async function greenfieldKey(store: string, permissions: string[]): Promise<string> {
  const { key } = await t.keys.create({ storeId: store, name: "WooCommerce", access: "full", permissions });
  return key;
}

async function call(method: string, path: string, body?: unknown, key = token) {
  const res = await fetch(`${t.apiUrl}${path}`, {
    method,
    headers: { authorization: `token ${key}`, accept: "application/json", "content-type": "application/json" },
    ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, text, json: text === "" ? undefined : (JSON.parse(text) as unknown) };
}

const hooks = () => `/stores/${storeId}/webhooks`;

async function stored(id: string) {
  const rows = await t.opened.orm.em
    .fork()
    .getConnection()
    .execute("select format, greenfield, events, secret_encrypted, url, is_active from webhook where id = ?", [
      Number(id),
    ]);
  return rows[0] as {
    format: string;
    greenfield: unknown;
    events: string[];
    secret_encrypted: string;
    url: string;
    is_active: boolean;
  };
}

/** Exactly Greenfield's webhook shape and JSON types. */
function expectWebhookShape(w: unknown, withSecret: boolean) {
  const o = w as Record<string, unknown>;
  expect(Object.keys(o).sort()).toEqual(
    ["id", "enabled", "automaticRedelivery", "url", "authorizedEvents", ...(withSecret ? ["secret"] : [])].sort(),
  );
  expect(typeof o.id).toBe("string");
  expect(o.id).toMatch(/^\d+$/);
  expect(typeof o.enabled).toBe("boolean");
  expect(typeof o.automaticRedelivery).toBe("boolean");
  expect(typeof o.url).toBe("string");
  const ev = o.authorizedEvents as Record<string, unknown>;
  expect(Object.keys(ev).sort()).toEqual(["everything", "specificEvents"]);
  expect(typeof ev.everything).toBe("boolean");
  expect(Array.isArray(ev.specificEvents)).toBe(true);
  for (const e of ev.specificEvents as unknown[]) expect(typeof e).toBe("string");
  if (withSecret) expect(typeof o.secret).toBe("string");
}

beforeAll(async () => {
  t = await startTestServer({ env: { BTPAY_ALLOW_PRIVATE_WEBHOOKS: "true" } });
  storeId = (await t.stores.create({ name: "Woo shop" })).id;
  token = await greenfieldKey(storeId, [
    "btcpay.store.canviewinvoices",
    "btcpay.store.cancreateinvoice",
    "btcpay.store.canviewstoresettings",
    "btcpay.store.canmodifyinvoices",
    WEBHOOKS,
  ]);
});
afterAll(async () => t?.close());

describe("Greenfield webhooks API", () => {
  it("create as the WooCommerce plugin does (no secret): 200, a generated secret, the settings as sent", async () => {
    const body = {
      enabled: true,
      automaticRedelivery: true,
      url: URL_,
      authorizedEvents: { everything: false, specificEvents: WOO_EVENTS },
    };
    const created = await call("POST", hooks(), body);
    expect(created.status).toBe(200);
    expectWebhookShape(created.json, true);
    const w = created.json as Record<string, unknown>;
    expect(w).toEqual({ id: w.id, ...body, secret: w.secret });
    expect(String(w.secret)).toMatch(/^[A-Za-z0-9_-]{20,}$/);

    // Stored as a btpay webhook: Greenfield format, settings as sent, the btpay events it needs,
    // the secret sealed like every other webhook secret.
    const row = await stored(String(w.id));
    expect(row.format).toBe("greenfield");
    expect(row.greenfield).toEqual({
      enabled: true,
      automaticRedelivery: true,
      authorizedEvents: { everything: false, specificEvents: WOO_EVENTS },
    });
    expect([...row.events].sort()).toEqual(
      [
        "payment.received",
        "payment.confirmed",
        "invoice.paid",
        "invoice.confirmed",
        "invoice.expired",
        "invoice.cancelled",
        "invoice.marked",
        "invoice.invalidated",
      ].sort(),
    );
    expect(row.url).toBe(URL_);
    expect(row.secret_encrypted).toMatch(/^v1\./);
    expect(row.secret_encrypted).not.toContain(String(w.secret));
    expect(t.box.open(row.secret_encrypted)).toBe(w.secret);

    // Read back as the plugin does on save: id and url, never the secret.
    const got = await call("GET", `${hooks()}/${w.id}`);
    expect(got.status).toBe(200);
    expectWebhookShape(got.json, false);
    expect(got.json).toEqual({ id: w.id, ...body });
    expect(got.text).not.toContain(String(w.secret));
  });

  it("create with everything:true and the shop's own secret keeps that secret; defaults are BTCPay's", async () => {
    const created = await call("POST", hooks(), {
      url: URL_,
      authorizedEvents: { everything: true },
      secret: "my-own-secret_123",
    });
    expect(created.status).toBe(200);
    expectWebhookShape(created.json, true);
    expect(created.json).toMatchObject({
      enabled: true,
      automaticRedelivery: true,
      authorizedEvents: { everything: true, specificEvents: [] },
      secret: "my-own-secret_123",
    });
    const row = await stored((created.json as { id: string }).id);
    expect(t.box.open(row.secret_encrypted)).toBe("my-own-secret_123");
    expect(row.events).toContain("invoice.created");

    const bare = await call("POST", hooks(), { url: URL_ });
    expect(bare.json).toMatchObject({ enabled: true, authorizedEvents: { everything: true, specificEvents: [] } });
  });

  it("list: every live Greenfield hook of the store, no secrets; btpay's own hooks are not Greenfield's", async () => {
    const btpayKey = (await t.keys.create({ storeId, name: "btpay", access: "full" })).key;
    const own = await fetch(`${t.apiUrl}/webhooks`, {
      method: "POST",
      headers: { authorization: `Bearer ${btpayKey}`, "content-type": "application/json" },
      body: JSON.stringify({ url: "http://127.0.0.1:9/btpay", events: ["invoice.paid"] }),
    });
    expect(own.status).toBe(201);
    const ownId = String(((await own.json()) as { id: number }).id);

    const created = await call("POST", hooks(), { url: URL_ });
    const list = await call("GET", hooks());
    expect(list.status).toBe(200);
    expect(Array.isArray(list.json)).toBe(true);
    const items = list.json as Record<string, unknown>[];
    for (const w of items) expectWebhookShape(w, false);
    expect(items.map((w) => w.id)).toContain((created.json as { id: string }).id);
    expect(items.map((w) => w.id)).not.toContain(ownId);
    expect(list.text).not.toContain((created.json as { secret: string }).secret);
    // A btpay-format hook is not found through the Greenfield API either.
    expect((await call("GET", `${hooks()}/${ownId}`)).status).toBe(404);
  });

  it("update: 200 with the new settings; a secret replaces the old one, none keeps it", async () => {
    const created = (await call("POST", hooks(), { url: URL_ })).json as { id: string; secret: string };
    const put = await call("PUT", `${hooks()}/${created.id}`, {
      enabled: true,
      automaticRedelivery: false,
      url: "http://127.0.0.1:9/?wc-api=other",
      authorizedEvents: { everything: false, specificEvents: ["InvoiceSettled"] },
    });
    expect(put.status).toBe(200);
    expectWebhookShape(put.json, false);
    expect(put.json).toEqual({
      id: created.id,
      enabled: true,
      automaticRedelivery: false,
      url: "http://127.0.0.1:9/?wc-api=other",
      authorizedEvents: { everything: false, specificEvents: ["InvoiceSettled"] },
    });
    let row = await stored(created.id);
    expect(t.box.open(row.secret_encrypted)).toBe(created.secret);
    expect([...row.events].sort()).toEqual(["invoice.confirmed", "invoice.marked"]);

    // The plugin's old upgrade path: the same body plus `secret`.
    const withSecret = await call("PUT", `${hooks()}/${created.id}`, { url: URL_, secret: "rotated-secret" });
    expect(withSecret.status).toBe(200);
    expect(withSecret.text).not.toContain("rotated-secret");
    row = await stored(created.id);
    expect(t.box.open(row.secret_encrypted)).toBe("rotated-secret");

    // Switched off: subscribed to no btpay event at all, so nothing is even queued for it.
    const off = await call("PUT", `${hooks()}/${created.id}`, { url: URL_, enabled: false });
    expect(off.json).toMatchObject({ enabled: false });
    expect((await stored(created.id)).events).toEqual([]);
  });

  it("delete: a bare 200; then it is gone (404 webhook-not-found) and out of the list", async () => {
    const created = (await call("POST", hooks(), { url: URL_ })).json as { id: string };
    const del = await call("DELETE", `${hooks()}/${created.id}`);
    expect(del.status).toBe(200);
    expect(del.text).toBe("");
    const gone = await call("GET", `${hooks()}/${created.id}`);
    expect(gone.status).toBe(404);
    expect(gone.json).toEqual({ code: "webhook-not-found", message: expect.any(String) });
    expect(((await call("GET", hooks())).json as { id: string }[]).map((w) => w.id)).not.toContain(created.id);
    expect((await call("DELETE", `${hooks()}/${created.id}`)).status).toBe(404);
    expect((await call("PUT", `${hooks()}/${created.id}`, { url: URL_ })).status).toBe(404);
  });

  it("unknown ids are 404 webhook-not-found, whatever their form", async () => {
    for (const id of ["999999", "abc", "0", "1e3", "99999999999999999999"]) {
      const got = await call("GET", `${hooks()}/${id}`);
      expect(got.status, id).toBe(404);
      expect(got.json).toMatchObject({ code: "webhook-not-found" });
    }
  });

  it("validation errors are Greenfield's 422 array of {path, message}", async () => {
    const cases: [unknown, string][] = [
      [{}, "url"],
      [{ url: "not a url" }, "url"],
      [{ url: "ftp://shop.example/hook" }, "url"],
      [{ url: URL_, enabled: "yes" }, "enabled"],
      [{ url: URL_, automaticRedelivery: 1 }, "automaticRedelivery"],
      [{ url: URL_, authorizedEvents: { everything: "true" } }, "authorizedEvents.everything"],
      [{ url: URL_, authorizedEvents: { specificEvents: "InvoiceSettled" } }, "authorizedEvents.specificEvents"],
      [{ url: URL_, secret: 42 }, "secret"],
      [[], ""],
    ];
    for (const [body, path] of cases) {
      const res = await call("POST", hooks(), body);
      expect(res.status, JSON.stringify(body)).toBe(422);
      expect(Array.isArray(res.json)).toBe(true);
      const errors = res.json as { path: string; message: string }[];
      expect(errors.map((e) => e.path)).toContain(path);
      for (const e of errors) {
        expect(Object.keys(e).sort()).toEqual(["message", "path"]);
        expect(typeof e.message).toBe("string");
      }
    }
  });

  it("a key without the webhooks permission, or for another store, gets 403 missing-permission", async () => {
    const viewer = await greenfieldKey(storeId, ["btcpay.store.canviewinvoices"]);
    for (const [method, path] of [
      ["GET", hooks()],
      ["POST", hooks()],
      ["GET", `${hooks()}/1`],
      ["PUT", `${hooks()}/1`],
      ["DELETE", `${hooks()}/1`],
    ] as const) {
      const res = await call(method, path, method === "POST" || method === "PUT" ? { url: URL_ } : undefined, viewer);
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(res.json).toMatchObject({ code: "missing-permission" });
    }
    const other = (await t.stores.create({ name: "Other shop" })).id;
    const otherKey = await greenfieldKey(other, [WEBHOOKS]);
    const res = await call("GET", hooks(), undefined, otherKey);
    expect(res.status).toBe(403);
    expect(res.json).toMatchObject({ code: "missing-permission" });
  });

  it("without a key: 401 unauthenticated", async () => {
    const res = await fetch(`${t.apiUrl}${hooks()}`);
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ code: "unauthenticated" });
  });
});

describe("Greenfield webhooks API: btpay's URL policy", () => {
  let strict: TestServer;
  let strictKey: string;
  let strictStore: string;
  beforeAll(async () => {
    // No BTPAY_ALLOW_PRIVATE_WEBHOOKS: only public https targets, as in production.
    strict = await startTestServer();
    strictStore = (await strict.stores.create({ name: "Prod shop" })).id;
    strictKey = (
      await strict.keys.create({ storeId: strictStore, name: "Woo", access: "full", permissions: [WEBHOOKS] })
    ).key;
  });
  afterAll(async () => strict?.close());

  it("private, loopback and plain-http targets are a 422 on url; a public https one is accepted", async () => {
    for (const url of [
      "http://93.184.216.34/hook",
      "https://127.0.0.1/hook",
      "https://10.0.0.5/hook",
      "https://localhost/hook",
    ]) {
      const res = await fetch(`${strict.apiUrl}/stores/${strictStore}/webhooks`, {
        method: "POST",
        headers: { authorization: `token ${strictKey}`, "content-type": "application/json" },
        body: JSON.stringify({ url }),
      });
      expect(res.status, url).toBe(422);
      const errors = (await res.json()) as { path: string; message: string }[];
      expect(errors[0]?.path).toBe("url");
    }
    const ok = await fetch(`${strict.apiUrl}/stores/${strictStore}/webhooks`, {
      method: "POST",
      headers: { authorization: `token ${strictKey}`, "content-type": "application/json" },
      body: JSON.stringify({ url: "https://93.184.216.34/?wc-api=btcpaygf_default" }),
    });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ url: "https://93.184.216.34/?wc-api=btcpaygf_default" });
  });
});
