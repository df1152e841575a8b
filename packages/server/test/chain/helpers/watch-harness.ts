import { randomBytes } from "node:crypto";
import { type BtpayClient, createBtpayClient } from "@btpay/sdk";
import { BIP32Factory } from "bip32";
import { networks } from "bitcoinjs-lib";
import { pino } from "pino";
import * as ecc from "tiny-secp256k1";
import type { ChainSource } from "../../../src/chain/chain-source.js";
import { createLogger } from "../../../src/logger.js";
import type { Clock, OutboxEventRecord } from "../../../src/ports.js";
import { PaymentTracker } from "../../../src/services/payment-tracker.js";
import { type ChainWatcher, startChainWatcher } from "../../../src/workers/chain-watcher.js";
import { startTestServer, type TestServer } from "../../helpers/test-server.js";

/** A clock tests can move forward (expiry, monitoring windows) while real time keeps running. */
export interface MovableClock extends Clock {
  advanceMinutes(minutes: number): void;
}

export function movableClock(): MovableClock {
  let offsetMs = 0;
  return {
    now: () => new Date(Date.now() + offsetMs),
    advanceMinutes(minutes) {
      offsetMs += minutes * 60_000;
    },
  };
}

/** 1 BTC = 100,000 USD, so $10.00 is 0.0001 BTC = 10,000 sats: amounts in tests stay readable. */
export const RATE = "USD:100000";
export const QUOTE_MINUTES = 15;
export const MONITORING_MINUTES = 60;

/**
 * A fresh watch-only wallet per run: a real regtest node keeps its history between runs, and an
 * address paid by an earlier run must not pay this run's invoices.
 */
export function randomRegtestDescriptor(): string {
  const tpub = BIP32Factory(ecc).fromSeed(randomBytes(32), networks.regtest).neutered().toBase58();
  return `wpkh(${tpub}/<0;1>/*)`;
}

export interface WatchHarness {
  t: TestServer;
  api: BtpayClient;
  storeId: string;
  clock: MovableClock;
  watcher: ChainWatcher;
  /** A new source and watcher, as after a restart (the old ones are stopped first). */
  restartWatcher(): Promise<void>;
  stopWatcher(): Promise<void>;
  /** Runs one watcher pass now. */
  tick(): Promise<void>;
  /** Creates and finalizes an invoice for `usd`; returns its ref, address and BTC amount in sats. */
  invoice(usd: string, extra?: Record<string, unknown>): Promise<{ ref: string; address: string; dueSats: bigint }>;
  get(ref: string): Promise<InvoiceView>;
  events(ref: string): Promise<OutboxEventRecord[]>;
  close(): Promise<void>;
}

export interface InvoiceView {
  id: number;
  status: string;
  amount_paid: string;
  amount_due: string;
  btc_paid?: string;
  flags?: string[];
  payments: {
    txid: string;
    vout: number;
    amount_sats: string;
    confirmations: number;
    status: string;
    late?: boolean;
  }[];
}

export async function startWatchHarness(makeSource: () => ChainSource): Promise<WatchHarness> {
  const clock = movableClock();
  const t = await startTestServer({
    clock,
    env: {
      BTPAY_RATES_FIXED: RATE,
      BTPAY_NETWORK: "regtest",
      BTPAY_QUOTE_DEADLINE: String(QUOTE_MINUTES),
      BTPAY_MONITORING_MINUTES: String(MONITORING_MINUTES),
    },
  });
  const { key, storeId } = await t.newStoreWithKey();
  const api = createBtpayClient({ baseUrl: t.baseUrl, apiKey: key });
  const wallet = await api.PUT("/wallet", { body: { descriptor: randomRegtestDescriptor() } });
  if (!wallet.data) throw new Error(`wallet: ${JSON.stringify(wallet.error)}`);
  const logger = createLogger(process.env.BTPAY_TEST_LOG_LEVEL ?? "error", pino.destination({ dest: 2, sync: true }));
  const tracker = new PaymentTracker(t.opened.db, clock, logger, {
    network: "regtest",
    monitoringMinutes: MONITORING_MINUTES,
  });

  let source: ChainSource | undefined;
  let watcher: ChainWatcher | undefined;
  async function startWatcher(): Promise<ChainWatcher> {
    source = makeSource();
    const w = startChainWatcher(
      { db: t.opened.db, source, tracker, clock, logger },
      // Passes are driven by tick(); the poll is long so a test sees only the passes it asks for
      // (push hints may add passes, which must be harmless: that is part of what is tested).
      { pollMs: 600_000, leaderRetryMs: 100 },
    );
    for (let i = 0; i < 200 && !w.isLeader(); i++) await new Promise((r) => setTimeout(r, 25));
    if (!w.isLeader()) throw new Error("the watcher never became leader");
    return w;
  }
  async function stopWatcher() {
    await watcher?.stop();
    await source?.close();
    watcher = undefined;
    source = undefined;
  }
  watcher = await startWatcher();

  const harness: WatchHarness = {
    t,
    api,
    storeId,
    clock,
    get watcher() {
      return watcher as ChainWatcher;
    },
    async restartWatcher() {
      await stopWatcher();
      watcher = await startWatcher();
    },
    stopWatcher,
    async tick() {
      if (!watcher) throw new Error("the watcher is stopped");
      await watcher.tickNow();
    },
    async invoice(usd, extra = {}) {
      const created = await api.POST("/invoices", {
        body: { currency: "USD", lines: [{ description: "Test", quantity: 1, unit_price: usd }], ...extra } as never,
      });
      if (!created.data) throw new Error(`create: ${JSON.stringify(created.error)}`);
      const fin = await api.POST("/invoices/{ref}/finalize", { params: { path: { ref: created.data.ref } } });
      if (!fin.data?.payment_address || !fin.data.btc_amount) throw new Error(`finalize: ${JSON.stringify(fin.error)}`);
      return {
        ref: fin.data.ref,
        address: fin.data.payment_address,
        dueSats: BigInt(fin.data.btc_amount.replace(".", "")),
      };
    },
    async get(ref) {
      const r = await api.GET("/invoices/{ref}", { params: { path: { ref }, query: { include_payments: true } } });
      if (!r.data) throw new Error(`get: ${JSON.stringify(r.error)}`);
      return r.data as unknown as InvoiceView;
    },
    async events(ref) {
      const inv = await harness.get(ref);
      const all = await t.opened.db.repos().outbox.list(storeId, 0, 10_000);
      return all.filter((e) => e.invoiceId === inv.id);
    },
    async close() {
      await stopWatcher();
      await t.close();
    },
  };
  return harness;
}
