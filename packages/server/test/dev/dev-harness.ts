import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { type BtpayClient, createBtpayClient } from "@btpay/sdk";
import { type DevJson, type RunningDev, runDev } from "../../src/cli/dev.js";
import { createTestDatabase, type TestDatabaseTarget } from "../helpers/test-server.js";

/** 1 BTC = 100,000 USD: $10.00 is 10,000 sats, so amounts in tests stay readable. */
export const RATE = "USD:100000";

export interface DevHarness {
  url: string;
  dev: DevJson;
  running: RunningDev;
  api: BtpayClient;
  /** A JSON call to `/dev/api/<path>`: status and parsed body. */
  call(method: "GET" | "POST", p: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }>;
  /** Creates and finalizes a USD invoice; returns its ref and BTC amount in sats. */
  invoice(usd: string, extra?: Record<string, unknown>): Promise<{ ref: string; dueSats: bigint }>;
  get(ref: string): Promise<InvoiceView>;
  /** Polls the invoice until `accept` holds (the watcher reads devchain over Electrum: ~100 ms). */
  until(ref: string, accept: (inv: InvoiceView) => boolean, what: string): Promise<InvoiceView>;
  close(): Promise<void>;
}

export interface InvoiceView {
  ref: string;
  status: string;
  btc_amount: string;
  btc_paid: string;
  flags: string[];
  payments: { txid: string; amount_sats: string; confirmations: number; status: string }[];
}

/** Dev mode in this process (`runDev`), as `npm start` runs it, on a fresh data directory. */
export async function startDevHarness(env: Record<string, string> = {}): Promise<DevHarness> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "btpay-dev-sim-"));
  const target: TestDatabaseTarget = await createTestDatabase();
  const running = await runDev(
    {
      ...target.env,
      BTPAY_DATA_DIR: dataDir,
      PORT: "0",
      HOST: "127.0.0.1",
      BTPAY_RATES_FIXED: RATE,
      BTPAY_LOG_LEVEL: process.env.BTPAY_TEST_LOG_LEVEL ?? "error",
      ...env,
    },
    { out: () => undefined },
  );
  const api = createBtpayClient({ baseUrl: running.url, apiKey: running.dev.apiKey, retries: 0 });
  const harness: DevHarness = {
    url: running.url,
    dev: running.dev,
    running,
    api,
    async call(method, p, body) {
      const res = await fetch(`${running.url}/dev/api${p}`, {
        method,
        headers: body === undefined ? {} : { "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    },
    async invoice(usd, extra = {}) {
      const created = await api.POST("/invoices", {
        body: { currency: "USD", lines: [{ description: "Test", quantity: 1, unit_price: usd }], ...extra } as never,
      });
      if (!created.data) throw new Error(`create: ${JSON.stringify(created.error)}`);
      const fin = await api.POST("/invoices/{ref}/finalize", { params: { path: { ref: created.data.ref } } });
      if (!fin.data?.btc_amount) throw new Error(`finalize: ${JSON.stringify(fin.error)}`);
      return { ref: fin.data.ref, dueSats: BigInt(fin.data.btc_amount.replace(".", "")) };
    },
    async get(ref) {
      const r = await api.GET("/invoices/{ref}", { params: { path: { ref }, query: { include_payments: true } } });
      if (!r.data) throw new Error(`get: ${JSON.stringify(r.error)}`);
      return r.data as unknown as InvoiceView;
    },
    async until(ref, accept, what) {
      const deadline = Date.now() + 10_000;
      let last = await harness.get(ref);
      while (!accept(last)) {
        if (Date.now() > deadline) throw new Error(`invoice ${ref} never became ${what}: ${JSON.stringify(last)}`);
        await new Promise((r) => setTimeout(r, 50));
        last = await harness.get(ref);
      }
      return last;
    },
    async close() {
      await running.close();
      await target.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return harness;
}

export const hasStatus = (status: string) => (inv: InvoiceView) => inv.status === status;
