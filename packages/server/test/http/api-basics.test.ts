import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import express from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errorHandler } from "../../src/http/middleware/errors.js";
import { mountOperations } from "../../src/http/route.js";
import { startTestServer, type TestServer } from "../helpers/test-server.js";

let t: TestServer;
let full: string;
let readOnly: string;

const call = async (path: string, init: RequestInit & { key?: string } = {}) => {
  const { key, ...rest } = init;
  const headers = new Headers(rest.headers);
  if (key) headers.set("authorization", `Bearer ${key}`);
  const res = await fetch(`${t.baseUrl}${path}`, { ...rest, headers });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: () => JSON.parse(text) as Record<string, unknown> };
};

const invoiceBody = JSON.stringify({ lines: [{ description: "a", quantity: 1, unit_price: "1" }] });
const jsonHeaders = { "content-type": "application/json" };

beforeAll(async () => {
  t = await startTestServer({ env: { BTPAY_RATE_LIMIT_PER_MINUTE: "100000", BTPAY_BODY_LIMIT_BYTES: "2000" } });
  ({ key: full } = await t.newStoreWithKey("full"));
  const store = await t.stores.list();
  readOnly = (await t.keys.create({ storeId: store[0]?.id ?? "", name: "ro", access: "read_only" })).key;
});
afterAll(async () => t?.close());

describe("authentication", () => {
  it("no Authorization header -> 401 JSON", async () => {
    const res = await call("/api/v1/invoices");
    expect(res.status).toBe(401);
    expect(res.json().error).toMatch(/Bearer/);
  });
  for (const [name, header] of [
    ["a wrong scheme", "Basic abc"],
    ["a malformed key", "Bearer nope"],
    ["a well-formed but unknown key", "Bearer btpay_AAAAAAAA_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"],
  ]) {
    it(`${name} -> 401 JSON`, async () => {
      const res = await call("/api/v1/invoices", { headers: { authorization: header as string } });
      expect(res.status).toBe(401);
      expect(typeof res.json().error).toBe("string");
    });
  }
  it("a revoked key stops working within the auth cache lifetime (2 s)", async () => {
    const store = (await t.stores.list())[0];
    const created = await t.keys.create({ storeId: store?.id ?? "", name: "temp", access: "full" });
    expect((await call("/api/v1/invoices", { key: created.key })).status).toBe(200);
    await t.keys.revoke(created.record.prefix);
    const revokedAt = Date.now();
    let status = 200;
    while (status === 200 && Date.now() - revokedAt < 5_000) {
      status = (await call("/api/v1/invoices", { key: created.key })).status;
      if (status === 200) await new Promise((r) => setTimeout(r, 100));
    }
    expect(status).toBe(401);
    expect(Date.now() - revokedAt).toBeLessThan(3_000);
  });
  it("the key is stored only as a hash with a public prefix", async () => {
    const all = (await t.opened.orm.em.fork().execute("select prefix, key_hash from api_key")) as {
      prefix: string;
      key_hash: string;
    }[];
    expect(all.length).toBeGreaterThan(0);
    for (const r of all) {
      expect(r.key_hash).toMatch(/^[0-9a-f]{64}$/);
      expect(r.key_hash).not.toContain(r.prefix);
    }
    expect(full.startsWith(all[0]?.prefix ?? "x")).toBe(true);
  });
});

describe("read-only keys", () => {
  it("can read", async () => {
    expect((await call("/api/v1/invoices", { key: readOnly })).status).toBe(200);
  });
  it("writing -> 403 and nothing is written", async () => {
    const before = (await call("/api/v1/invoices", { key: full })).json().total;
    const res = await call("/api/v1/invoices", {
      key: readOnly,
      method: "POST",
      headers: jsonHeaders,
      body: invoiceBody,
    });
    expect(res.status).toBe(403);
    expect(res.json().error).toMatch(/read-only/);
    expect((await call("/api/v1/invoices", { key: full })).json().total).toBe(before);
  });
});

describe("routes, methods and bodies", () => {
  it("unknown route -> 404 JSON", async () => {
    const res = await call("/nope");
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toMatch(/json/);
    expect(res.json().error).toMatch(/no route/);
    const api = await call("/api/v1/nope", { key: full });
    expect(api.status).toBe(404);
    expect(api.json().error).toBeDefined();
  });
  it("wrong method on a known path -> 405 JSON with Allow", async () => {
    const res = await call("/api/v1/invoices", { key: full, method: "PUT" });
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toContain("POST");
    expect(res.json().error).toMatch(/not allowed/);
  });
  it("a body over the limit -> 413 JSON", async () => {
    const big = JSON.stringify({ lines: [{ description: "x".repeat(5000), quantity: 1, unit_price: "1" }] });
    const res = await call("/api/v1/invoices", { key: full, method: "POST", headers: jsonHeaders, body: big });
    expect(res.status).toBe(413);
    expect(res.json().error).toMatch(/limit/);
  });
  it("an operation of the contract without a handler answers 501 JSON, not a crash", async () => {
    // Every operation has a handler today; mount the contract with none to see the fallback.
    const bare = express();
    bare.use("/api/v1", mountOperations({}, { exclude: "/public" }));
    bare.use(errorHandler);
    const server = await new Promise<Server>((resolve) => {
      const s = bare.listen(0, "127.0.0.1", () => resolve(s));
    });
    try {
      const { port } = server.address() as AddressInfo;
      const res = await fetch(`http://127.0.0.1:${port}/api/v1/webhooks`);
      expect(res.status).toBe(501);
      expect(((await res.json()) as { error: string }).error).toMatch(/listWebhooks/);
    } finally {
      server.close();
    }
  });
  it("sends security headers and a request id", async () => {
    const res = await call("/api/v1/invoices", { key: full, headers: { "x-request-id": "abc-123" } });
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("x-frame-options")).toBe("DENY");
    expect(res.headers.get("content-security-policy")).toContain("default-src 'none'");
    expect(res.headers.get("x-request-id")).toBe("abc-123");
    expect(res.headers.get("x-powered-by")).toBeNull();
  });
});

describe("contract and docs", () => {
  it("serves the OpenAPI document", async () => {
    const res = await call("/api/v1/openapi.json");
    expect(res.status).toBe(200);
    const doc = res.json() as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toMatch(/^3\.1/);
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        "/invoices",
        "/invoices/{ref}",
        "/invoices/{ref}/finalize",
        "/invoices/{ref}/status",
        "/payment-links",
        "/rates",
        "/webhooks",
      ]),
    );
  });
  it("serves a readable docs page listing every operation", async () => {
    const res = await call("/docs");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/html/);
    for (const id of [
      "createInvoice",
      "listInvoices",
      "finalizeInvoice",
      "cancelInvoice",
      "createWebhook",
      "getRates",
      "createPaymentLink",
    ]) {
      expect(res.text).toContain(`id="${id}"`);
    }
  });
});
