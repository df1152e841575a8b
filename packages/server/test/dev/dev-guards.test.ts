import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { request, type Server } from "node:http";
import os from "node:os";
import path from "node:path";
import express from "express";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isLoopback, loopbackOnly } from "../../src/dev/loopback-only.js";
import { payAmountSats } from "../../src/dev/pay-amount.js";
import { mountPlayground } from "../../src/dev/playground-static.js";
import { errorHandler, notFound } from "../../src/http/middleware/errors.js";
import { startTestServer } from "../helpers/test-server.js";

// The small pieces of dev mode's routes: who may call them, how much "Pay" sends, and how the
// built playground is served.

const logger = pino({ level: "silent" });
const built = mkdtempSync(path.join(os.tmpdir(), "btpay-playground-"));
const missing = path.join(built, "not-built");
let server: Server;
let base: string;

beforeAll(async () => {
  mkdirSync(path.join(built, "assets"));
  writeFileSync(path.join(built, "index.html"), "<!doctype html><title>playground</title>");
  writeFileSync(path.join(built, "assets", "app.js"), "export {};");
  const app = express();
  const unbuilt = express();
  mountPlayground(unbuilt, logger, missing);
  app.use("/unbuilt", unbuilt);
  mountPlayground(app, logger, built);
  app.get("/guarded", loopbackOnly, (_req, res) => {
    res.json({ ok: true });
  });
  app.use(notFound, errorHandler);
  server = await new Promise((resolve) => {
    const s = app.listen(0, "127.0.0.1", () => resolve(s));
  });
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r));
  rmSync(built, { recursive: true, force: true });
});

describe("payAmountSats", () => {
  const vectors: [string, "full" | "partial" | "over", bigint, bigint | string][] = [
    ["full is what is due", "full", 14112n, 14112n],
    ["partial is half, rounded down", "partial", 14113n, 7056n],
    ["over is due + 10 %, rounded down", "over", 14112n, 15523n],
    ["nothing due: nothing to pay", "full", 0n, "nothing is due"],
    ["1 sat due cannot be split", "partial", 1n, "cannot be paid in part"],
  ];
  for (const [description, kind, due, expected] of vectors) {
    it(description, () => {
      if (typeof expected === "bigint") expect(payAmountSats(kind, due)).toBe(expected);
      else expect(() => payAmountSats(kind, due)).toThrow(expected);
    });
  }
});

describe("loopbackOnly", () => {
  it("knows loopback addresses, IPv4-mapped included", () => {
    expect(["127.0.0.1", "127.8.9.10", "::1", "::ffff:127.0.0.1"].every(isLoopback)).toBe(true);
    expect(["10.0.0.1", "::ffff:192.168.1.2", "fe80::1", ""].some(isLoopback)).toBe(false);
  });

  it("lets this machine in by name or address, refuses a foreign Host header (DNS rebinding)", async () => {
    for (const host of ["localhost:1", "127.0.0.1:1", "[::1]:1", "app.localhost"]) {
      expect({ host, status: (await getWithHost("/guarded", host)).status }).toEqual({ host, status: 200 });
    }
    const res = await getWithHost("/guarded", "attacker.example:80");
    expect(res.status).toBe(403);
    expect(JSON.parse(res.body)).toEqual({ error: expect.stringContaining("only requests from this machine") });
  });

  it("refuses a peer that is not loopback", () => {
    let status = 0;
    let body: unknown;
    const res = {
      status(s: number) {
        status = s;
        return this;
      },
      json(b: unknown) {
        body = b;
      },
    };
    const req = {
      socket: { remoteAddress: "192.168.1.20", localAddress: "192.168.1.10" },
      headers: { host: "localhost" },
    };
    let passed = false;
    loopbackOnly(req as never, res as never, () => {
      passed = true;
    });
    expect({ passed, status, body }).toEqual({ passed: false, status: 403, body: { error: expect.any(String) } });
  });
});

describe("mountPlayground", () => {
  it("/ redirects to /playground/, which is served with a CSP of its own", async () => {
    const root = await fetch(`${base}/`, { redirect: "manual" });
    expect(root.status).toBe(302);
    expect(root.headers.get("location")).toBe("/playground/");
    const page = await fetch(`${base}/playground/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("<title>playground</title>");
    expect(page.headers.get("content-security-policy")).toContain("script-src 'self'");
    expect((await fetch(`${base}/playground/assets/app.js`)).headers.get("content-type")).toContain("javascript");
    const nope = await fetch(`${base}/playground/nope.js`);
    expect(nope.status).toBe(404);
    expect(await nope.json()).toEqual({ error: "no such playground file" });
  });

  it("answers a JSON hint while the playground is not built", async () => {
    const res = await fetch(`${base}/unbuilt/playground/`);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ error: expect.stringContaining("npm run build -w @btpay/playground") });
  });
});

/** fetch() will not send a Host header of our choosing; node:http will. */
function getWithHost(p: string, host: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${p}`, { headers: { host } }, (res) => {
      let body = "";
      res.on("data", (d) => {
        body += d;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("outside dev mode", () => {
  it("the app has no /dev routes and no playground (only dev mode passes them as extraRoutes)", async () => {
    const t = await startTestServer();
    try {
      for (const p of ["/dev/api/session", "/playground/"]) {
        const res = await fetch(`${t.baseUrl}${p}`);
        expect({ p, status: res.status }).toEqual({ p, status: 404 });
      }
      const pay = await fetch(`${t.baseUrl}/dev/api/pay`, { method: "POST" });
      expect(await pay.json()).toEqual({ error: "no route for POST /dev/api/pay" });
    } finally {
      await t.close();
    }
  });
});
