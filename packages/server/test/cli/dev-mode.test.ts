import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { coreRpc } from "../chain/helpers/core-rpc.js";
import { type ServerProcess, startServerProcess } from "../helpers/processes.js";

// `npm start` is `btpay dev`: embedded database, devchain, rate simulator, a demo store. Two
// instances side by side (own PORT and BTPAY_DATA_DIR), paying with one sendtoaddress and
// confirming with one generatetoaddress, and a restart that keeps the chain.

interface DevJson {
  apiUrl: string;
  playgroundUrl: string;
  apiKey: string;
  bitcoindRpcUrl: string;
  esploraUrl: string;
  electrum: string;
}

const dirs: string[] = [];
const running: ServerProcess[] = [];

async function startDev(dataDir: string): Promise<{ server: ServerProcess; dev: DevJson }> {
  // No DATABASE_URL and no chain settings: exactly what a fresh machine has.
  const server = await startServerProcess(
    { BTPAY_DATA_DIR: dataDir, DATABASE_URL: "", BTPAY_TEST_DATABASE_URL: "" },
    60_000,
    "dev",
  );
  running.push(server);
  // "listening" is logged just before dev.json is (re)written: wait for the one naming this server.
  for (let i = 0; i < 200; i++) {
    try {
      const dev = JSON.parse(readFileSync(path.join(dataDir, "dev.json"), "utf8")) as DevJson;
      if (dev.apiUrl === `${server.url}/api/v1`) return { server, dev };
    } catch {
      // not written yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`dev.json was not written for ${server.url}`);
}

async function api(dev: DevJson, method: string, p: string, body?: unknown) {
  const res = await fetch(`${dev.apiUrl}${p}`, {
    method,
    headers: { authorization: `Bearer ${dev.apiKey}`, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return (await res.json()) as Record<string, unknown>;
}

async function until(dev: DevJson, ref: string, status: string) {
  const deadline = Date.now() + 15_000;
  let last: Record<string, unknown> = {};
  while (Date.now() < deadline) {
    last = await api(dev, "GET", `/invoices/${ref}?include_payments=true`);
    if (last.status === status) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`invoice ${ref} is ${String(last.status)}, expected ${status}`);
}

afterAll(async () => {
  for (const s of running) await s.stop("SIGKILL");
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe("dev mode (npm start)", () => {
  it("writes dev.json; one sendtoaddress pays, one generatetoaddress confirms; two instances side by side", async () => {
    const dirA = mkdtempSync(path.join(os.tmpdir(), "btpay-dev-a-"));
    const dirB = mkdtempSync(path.join(os.tmpdir(), "btpay-dev-b-"));
    dirs.push(dirA, dirB);
    const [a, b] = await Promise.all([startDev(dirA), startDev(dirB)]);
    for (const { dev } of [a, b]) {
      expect(Object.keys(dev).sort()).toEqual(
        expect.arrayContaining(["apiUrl", "apiKey", "bitcoindRpcUrl", "esploraUrl", "electrum"]),
      );
      expect(dev.bitcoindRpcUrl).toMatch(/^http:\/\/[^:]+:[^@]+@127\.0\.0\.1:\d+\/$/);
      expect(dev.electrum).toMatch(/^127\.0\.0\.1:\d+$/);
    }
    expect(a.dev.apiUrl).not.toBe(b.dev.apiUrl);
    expect(a.dev.bitcoindRpcUrl).not.toBe(b.dev.bitcoindRpcUrl);

    // The playground's side: its URL in the banner and dev.json, the dev API answering with the key.
    expect(a.dev.playgroundUrl).toBe(`${a.server.url}/playground/`);
    await expect.poll(() => a.server.output()).toContain(`Playground: ${a.server.url}/playground/`);
    const session = (await fetch(`${a.server.url}/dev/api/session`).then((r) => r.json())) as Record<string, unknown>;
    expect(session).toMatchObject({ apiKey: a.dev.apiKey, network: "regtest", simulator: true });
    expect((session.paymentLinks as { slug: string }[]).map((l) => l.slug).sort()).toEqual(["coffee", "donate"]);

    for (const { dev } of [a, b]) {
      const created = await api(dev, "POST", "/invoices", {
        lines: [{ description: "Coffee", quantity: 1, unit_price: "4.50" }],
      });
      const fin = await api(dev, "POST", `/invoices/${created.ref}/finalize`);
      expect(fin.status).toBe("pending");
      const rpc = coreRpc(dev.bitcoindRpcUrl);
      await rpc.call("sendtoaddress", [fin.payment_address, fin.btc_amount]);
      await until(dev, String(fin.ref), "paid");
      await rpc.mine(1);
      const done = await until(dev, String(fin.ref), "confirmed");
      expect(done.payments).toEqual([expect.objectContaining({ confirmations: 1, status: "confirmed" })]);
    }

    // The Esplora endpoint it advertises answers like Esplora.
    const tip = await fetch(`${a.dev.esploraUrl}/blocks/tip/height`).then((r) => r.text());
    expect(Number(tip)).toBeGreaterThan(100);

    // A restart keeps the chain (devchain.json) and the store, key and invoices.
    const height = Number(tip);
    await a.server.stop("SIGTERM");
    const again = await startDev(dirA);
    expect(again.dev.apiKey).toBe(a.dev.apiKey);
    const tipAgain = await fetch(`${again.dev.esploraUrl}/blocks/tip/height`).then((r) => r.text());
    expect(Number(tipAgain)).toBe(height);
    const list = await api(again.dev, "GET", "/invoices?status=confirmed");
    expect(list.total).toBe(1);
  });
});
