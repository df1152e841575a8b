import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cli, startServerProcess } from "../helpers/processes.js";
import { createTestDatabase, type TestDatabaseTarget } from "../helpers/test-server.js";

let target: TestDatabaseTarget;
let key: string;

beforeAll(async () => {
  target = await createTestDatabase();
  key = (await cli(["api-key", "create", "--name", "p"], target.env)).stdout.trim();
});
afterAll(async () => target?.drop());

const invoice = JSON.stringify({ lines: [{ description: "survivor", quantity: 1, unit_price: "9.99" }] });
const post = (url: string, withKey = key) =>
  fetch(`${url}/api/v1/invoices`, {
    method: "POST",
    headers: { authorization: `Bearer ${withKey}`, "content-type": "application/json" },
    body: invoice,
  });

const ZPUB =
  "zpub6rFR7y4Q2AijBEqTUquhVz398htDFrtymD9xYYfG1m4wAcvPhXNfE3EfH1r1ADqtfSdVCToUG868RvUUkgDKf31mGDtKsAYz2oz2AGutZYs";

describe("real server processes", () => {
  it("an invoice survives kill -9 of the server and a restart", async () => {
    const first = await startServerProcess(target.env);
    const created = (await (await post(first.url)).json()) as { ref: string };
    expect(await first.stop("SIGKILL")).toBe("SIGKILL");
    const second = await startServerProcess(target.env);
    try {
      const res = await fetch(`${second.url}/api/v1/invoices/${created.ref}`, {
        headers: { authorization: `Bearer ${key}` },
      });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { total: string }).total).toBe("9.99");
    } finally {
      expect(await second.stop("SIGTERM")).toBe(0);
    }
  });

  it("two processes on one database share the rate limit and never hand out a number twice", async () => {
    const env = { ...target.env, BTPAY_RATE_LIMIT_PER_MINUTE: "20" };
    // A fresh key: the budget is per key per minute, and the other test spent some of the first key's.
    const fresh = (await cli(["api-key", "create", "--name", "burst"], target.env)).stdout.trim();
    const a = await startServerProcess(env);
    const b = await startServerProcess(env);
    try {
      const secondsIntoMinute = new Date().getUTCSeconds();
      if (secondsIntoMinute > 50) await new Promise((r) => setTimeout(r, (61 - secondsIntoMinute) * 1000));
      const responses = await Promise.all(Array.from({ length: 30 }, (_, i) => post(i % 2 ? a.url : b.url, fresh)));
      const statuses = responses.map((r) => r.status);
      expect(statuses.filter((s) => s === 201)).toHaveLength(20);
      expect(statuses.filter((s) => s === 429)).toHaveLength(10);
      const created = await Promise.all(
        responses.filter((r) => r.status === 201).map((r) => r.json() as Promise<{ invoice_number: string }>),
      );
      expect(new Set(created.map((c) => c.invoice_number)).size).toBe(20);
      // Structured access logs carry the request id; the key itself never reaches a log line.
      const lines = a
        .output()
        .split("\n")
        .filter((l) => l.includes('"msg":"request"'));
      expect(lines.length).toBeGreaterThan(0);
      expect(JSON.parse(lines[0] ?? "{}")).toMatchObject({ requestId: expect.any(String), status: expect.any(Number) });
      expect(a.output() + b.output()).not.toContain(fresh);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });

  it("two processes finalizing at once never hand out one address twice", async () => {
    const env = { ...target.env, BTPAY_RATES_FIXED: "USD:70862.71" };
    const storeId = (await cli(["store", "create", "--name", "Two-process shop"], target.env)).stdout.trim();
    const shopKey = (await cli(["api-key", "create", "--name", "f", "--store", storeId], target.env)).stdout.trim();
    const set = await cli(["wallet", "set", "--store", storeId, "--xpub", ZPUB, "--gap-limit", "100"], target.env);
    expect(set.code).toBe(0);
    const a = await startServerProcess(env);
    const b = await startServerProcess(env);
    try {
      const drafts = await Promise.all(
        Array.from({ length: 20 }, async () => (await (await post(a.url, shopKey)).json()) as { ref: string }),
      );
      const finalized = await Promise.all(
        drafts.map(async (d, i) => {
          const res = await fetch(`${i % 2 ? a.url : b.url}/api/v1/invoices/${d.ref}/finalize`, {
            method: "POST",
            headers: { authorization: `Bearer ${shopKey}` },
          });
          expect(res.status).toBe(200);
          return ((await res.json()) as { payment_address: string }).payment_address;
        }),
      );
      expect(new Set(finalized).size).toBe(20);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });
});
