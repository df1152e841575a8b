import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TLSSocket } from "node:tls";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { SNIPPET_BYTES, sendWebhook, type WebhookRequest } from "../../src/webhooks/send.js";

interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  servername: string | false | null | undefined;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

const servers: Server[] = [];

/** A real receiver on a loopback port; `handler` answers after the whole body has arrived. */
async function receiver(
  handler: Handler,
  server: Server = createServer(),
): Promise<{ port: number; seen: Received[] }> {
  const seen: Received[] = [];
  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const servername = "servername" in req.socket ? (req.socket as TLSSocket).servername : undefined;
      seen.push({
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks),
        servername,
      });
      handler(req, res);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { port: (server.address() as AddressInfo).port, seen };
}

afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

function send(url: string, overrides: Partial<WebhookRequest> = {}) {
  return sendWebhook({
    url: new URL(url),
    address: "127.0.0.1",
    family: 4,
    body: "{}",
    headers: {},
    timeoutMs: 5_000,
    ...overrides,
  });
}

describe("sendWebhook over http", () => {
  it("delivers the body bytes and headers exactly, to the pinned address", async () => {
    const { port, seen } = await receiver((_req, res) => res.writeHead(204).end());
    const body = '{"type":"invoice.settled","amount":"0.00012345","note":"café ₿ \\u2028","n":1e400}';
    // webhook.test does not resolve: the request can only arrive through the pinned address.
    const result = await send(`http://webhook.test:${port}/hooks/btpay?store=st_1`, {
      body,
      headers: { "BTPay-Signature": "t=1700000000,v1=abc123", "btpay-event-id": "evt_1", Host: "evil.example" },
    });

    expect(result).toMatchObject({ ok: true, status: 204, error: null, responseSnippet: "" });
    expect(seen).toHaveLength(1);
    const [got] = seen;
    expect(got!.method).toBe("POST");
    expect(got!.url).toBe("/hooks/btpay?store=st_1");
    expect(got!.body.equals(Buffer.from(body, "utf8"))).toBe(true);
    expect(got!.headers).toMatchObject({
      host: `webhook.test:${port}`,
      "content-type": "application/json",
      "user-agent": "btpay-webhooks/1",
      "content-length": String(Buffer.byteLength(body)),
      "btpay-signature": "t=1700000000,v1=abc123",
      "btpay-event-id": "evt_1",
    });
  });

  it("reports a 500 as a failure with its status and body", async () => {
    const { port } = await receiver((_req, res) => res.writeHead(500).end("database is down"));
    const result = await send(`http://127.0.0.1:${port}/hook`);
    expect(result).toMatchObject({
      ok: false,
      status: 500,
      error: "receiver answered HTTP 500",
      responseSnippet: "database is down",
    });
  });

  it("does not follow a redirect", async () => {
    const { port, seen } = await receiver((req, res) =>
      req.url === "/hook" ? res.writeHead(302, { location: "/elsewhere" }).end() : res.writeHead(200).end(),
    );
    const result = await send(`http://127.0.0.1:${port}/hook`);
    expect(result).toMatchObject({ ok: false, status: 302, error: "redirects are not followed" });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(seen.map((r) => r.url)).toEqual(["/hook"]);
  });

  it("times out on a receiver that never answers", async () => {
    const { port, seen } = await receiver(() => {});
    const result = await send(`http://127.0.0.1:${port}/hook`, { timeoutMs: 300 });
    expect(result).toMatchObject({ ok: false, status: null, error: "timed out after 300 ms", responseSnippet: null });
    expect(seen).toHaveLength(1);
    expect(result.durationMs).toBeGreaterThanOrEqual(290);
    expect(result.durationMs).toBeLessThan(300 + 700);
  });

  it("keeps the status when only the body is slow", async () => {
    const { port } = await receiver((_req, res) => {
      res.writeHead(200);
      res.write("accepted, still ");
    });
    const result = await send(`http://127.0.0.1:${port}/hook`, { timeoutMs: 300 });
    expect(result).toMatchObject({ ok: true, status: 200, error: null, responseSnippet: "accepted, still " });
  });

  it("reports a refused connection", async () => {
    const { port } = await receiver(() => {});
    for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
    const result = await send(`http://127.0.0.1:${port}/hook`);
    expect(result).toMatchObject({ ok: false, status: null, responseSnippet: null });
    expect(result.error).toMatch(/ECONNREFUSED/);
  });

  it("reads only the first 4 KB of a big response", async () => {
    const big = "x".repeat(1_000_000);
    const { port } = await receiver((_req, res) => res.writeHead(200).end(big));
    const result = await send(`http://127.0.0.1:${port}/hook`);
    expect(result).toMatchObject({ ok: true, status: 200, error: null });
    expect(result.responseSnippet).toBe(big.slice(0, SNIPPET_BYTES));
  });

  it("turns a header value with a newline into a result, not a throw", async () => {
    const result = await send("http://127.0.0.1:9/hook", { headers: { "x-evil": "a\r\nx-injected: 1" } });
    expect(result).toMatchObject({ ok: false, status: null });
    expect(result.error).toMatch(/ERR_INVALID_CHAR|Invalid character/);
  });
});

describe("sendWebhook over https", () => {
  let dir: string;
  let key: Buffer;
  let cert: Buffer;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "btpay-webhook-tls-"));
    execFileSync(
      "openssl",
      ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=webhook.test"]
        .concat(["-addext", "subjectAltName=DNS:webhook.test", "-days", "1"])
        .concat(["-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem")]),
      { stdio: "ignore" },
    );
    key = readFileSync(join(dir, "key.pem"));
    cert = readFileSync(join(dir, "cert.pem"));
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("connects to the pinned address and checks the certificate against the URL's hostname", async () => {
    const { port, seen } = await receiver(
      (_req, res) => res.writeHead(200).end("ok"),
      createHttpsServer({ key, cert }),
    );
    const result = await send(`https://webhook.test:${port}/hook`, { ca: cert, body: '{"id":"evt_1"}' });
    expect(result).toMatchObject({ ok: true, status: 200, error: null, responseSnippet: "ok" });
    expect(seen[0]!.servername).toBe("webhook.test");
    expect(seen[0]!.headers.host).toBe(`webhook.test:${port}`);
    expect(seen[0]!.body.toString()).toBe('{"id":"evt_1"}');
  });

  it("refuses a certificate that does not name the URL's hostname", async () => {
    const { port, seen } = await receiver((_req, res) => res.writeHead(200).end(), createHttpsServer({ key, cert }));
    const result = await send(`https://other.test:${port}/hook`, { ca: cert });
    expect(result).toMatchObject({ ok: false, status: null, responseSnippet: null });
    expect(result.error).toMatch(/ERR_TLS_CERT_ALTNAME_INVALID|does not match certificate's altnames/);
    expect(seen).toHaveLength(0);
  });

  it("refuses a certificate from an untrusted issuer", async () => {
    const { port, seen } = await receiver((_req, res) => res.writeHead(200).end(), createHttpsServer({ key, cert }));
    const result = await send(`https://webhook.test:${port}/hook`);
    expect(result).toMatchObject({ ok: false, status: null });
    expect(result.error).toMatch(/self-signed certificate|DEPTH_ZERO_SELF_SIGNED_CERT/);
    expect(seen).toHaveLength(0);
  });
});
