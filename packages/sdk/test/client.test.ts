import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../../server/test/helpers/test-server.js";
import { BtpayApiError, type BtpayClient, createBtpayClient, paginate, unwrap } from "../src/index.js";

// The SDK against a real btpay server on loopback, and its retry logic against a scripted server.

let t: TestServer;
let key: string;
let btpay: BtpayClient;

beforeAll(async () => {
  t = await startTestServer();
  ({ key } = await t.newStoreWithKey());
  btpay = createBtpayClient({ baseUrl: t.baseUrl, apiKey: key });
});
afterAll(async () => t?.close());

const body = { lines: [{ description: "T-shirt", quantity: 1, unit_price: "25.00" }] };

describe("errors", () => {
  it("unwrap returns the typed data of a success", async () => {
    const invoice = unwrap(await btpay.POST("/invoices", { body }));
    expect(invoice.total).toBe("25.00");
    expect(invoice.status).toBe("draft");
  });

  it("unwrap throws BtpayApiError with status, message and request id", async () => {
    const result = await btpay.GET("/invoices/{ref}", { params: { path: { ref: "INV-9999" } } });
    expect(result.error).toEqual({ error: expect.stringMatching(/not found/) });
    try {
      unwrap(result);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(BtpayApiError);
      const e = err as BtpayApiError;
      expect(e.status).toBe(404);
      expect(e.message).toMatch(/INV-9999/);
      expect(e.requestId).toMatch(/.+/);
    }
  });

  it("a bad key is a 401 value, never a thrown exception", async () => {
    const bad = createBtpayClient({ baseUrl: t.baseUrl, apiKey: "btpay_nope_nope", retries: 0 });
    const result = await bad.GET("/invoices");
    expect(result.response.status).toBe(401);
    expect(() => unwrap(result)).toThrow(BtpayApiError);
  });
});

describe("retries", () => {
  it("a create whose answer is lost is retried with the same Idempotency-Key: one invoice", async () => {
    const { key: k } = await t.newStoreWithKey();
    let calls = 0;
    const keys: (string | null)[] = [];
    const flaky = createBtpayClient({
      baseUrl: t.baseUrl,
      apiKey: k,
      retryBaseMs: 10,
      fetch: async (request) => {
        calls++;
        keys.push(request.headers.get("idempotency-key"));
        const response = await fetch(request);
        if (calls === 1) throw new TypeError("fetch failed: connection reset"); // the server did the work
        return response;
      },
    });
    const invoice = unwrap(await flaky.POST("/invoices", { body }));
    expect(calls).toBe(2);
    expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(keys[1]).toBe(keys[0]);
    const list = unwrap(await createBtpayClient({ baseUrl: t.baseUrl, apiKey: k }).GET("/invoices"));
    expect(list.total).toBe(1);
    expect(list.invoices[0]?.ref).toBe(invoice.ref);
  });

  describe("against a scripted server", () => {
    let server: Server;
    let url: string;
    const seen: IncomingMessage[] = [];
    let script: { status: number; headers?: Record<string, string> }[] = [];
    beforeAll(async () => {
      server = createServer((req, res) => {
        seen.push(req);
        const next = script.shift() ?? { status: 200 };
        res.writeHead(next.status, { "content-type": "application/json", ...next.headers });
        res.end(JSON.stringify(next.status < 400 ? { rates: [] } : { error: `status ${next.status}` }));
      });
      await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(() => server.close());

    it("429 and 503 are retried, honouring Retry-After, until a success", async () => {
      seen.length = 0;
      script = [{ status: 429, headers: { "retry-after": "0" } }, { status: 503 }];
      const client = createBtpayClient({ baseUrl: url, apiKey: "k", retryBaseMs: 5 });
      const started = Date.now();
      const result = await client.GET("/rates");
      expect(result.response.status).toBe(200);
      expect(seen).toHaveLength(3);
      expect(Date.now() - started).toBeLessThan(2_000);
    });

    it("gives up after `retries` and returns the last error as a value", async () => {
      seen.length = 0;
      script = [{ status: 502 }, { status: 502 }, { status: 502 }, { status: 502 }];
      const client = createBtpayClient({ baseUrl: url, apiKey: "k", retryBaseMs: 1, retries: 2 });
      const result = await client.GET("/rates");
      expect(result.response.status).toBe(502);
      expect(seen).toHaveLength(3);
    });

    it("a Retry-After in seconds is waited for", async () => {
      seen.length = 0;
      script = [{ status: 429, headers: { "retry-after": "1" } }];
      const client = createBtpayClient({ baseUrl: url, apiKey: "k" });
      const started = Date.now();
      await client.GET("/rates");
      expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    });

    it("a 400 is not retried", async () => {
      seen.length = 0;
      script = [{ status: 400 }];
      const client = createBtpayClient({ baseUrl: url, apiKey: "k", retryBaseMs: 1 });
      expect((await client.GET("/rates")).response.status).toBe(400);
      expect(seen).toHaveLength(1);
    });

    it("retries: 0 sends once and adds no Idempotency-Key", async () => {
      seen.length = 0;
      script = [{ status: 503 }];
      const client = createBtpayClient({ baseUrl: url, apiKey: "k", retries: 0 });
      await client.POST("/invoices", { body });
      expect(seen).toHaveLength(1);
      expect(seen[0]?.headers["idempotency-key"]).toBeUndefined();
    });
  });
});

describe("pagination", () => {
  it("walks every page once, newest first", async () => {
    const { key: k } = await t.newStoreWithKey();
    const client = createBtpayClient({ baseUrl: t.baseUrl, apiKey: k });
    const refs: string[] = [];
    for (let i = 0; i < 7; i++) refs.push(unwrap(await client.POST("/invoices", { body })).ref);
    const walked: string[] = [];
    for await (const invoice of paginate(
      (page) => client.GET("/invoices", { params: { query: page } }),
      (d) => d.invoices,
      3,
    )) {
      walked.push(invoice.ref);
      // An invoice created mid-walk shifts the pages; nothing is yielded twice.
      if (walked.length === 2) await client.POST("/invoices", { body });
    }
    expect(new Set(walked).size).toBe(walked.length);
    expect(walked.slice(0, 7).sort()).toEqual([...refs].sort());
  });
});
