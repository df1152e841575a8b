// Chain watching benchmarks:
// 1. detection latency: `sendtoaddress` on devchain -> GET /invoices/{ref}/status says "paid", through
//    a real `btpay serve` process, for each chain backend (Electrum, Bitcoin Core RPC, Esplora);
// 2. the cost of watching 10,000 open invoices: CPU per watcher pass after a new block and after one
//    mempool transaction, and the memory of the watching process, for each adapter.
// devchain (the regtest simulator) always runs in a process of its own, so its CPU is never counted
// as btpay's. Database: PostgreSQL at BENCH_DATABASE_URL (as run.mjs), the embedded one when "skip".
// `node bench/chain-watch.mjs` runs this module alone and prints its markdown (results JSON on stderr);
// `node bench/run.mjs chain-watch` runs it and replaces its section of docs/benchmarks.md.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { BIN, ROOT, run } from "./lib.mjs";

const DIST = `${ROOT}packages/server/dist/`;
const SELF = fileURLToPath(import.meta.url);
/** 1 BTC = 100,000 USD: a $10.00 invoice is 10,000 sats. */
const RATE = "USD:100000";
const BACKENDS = ["electrum", "bitcoind", "esplora"];
/** What `btpay serve` uses for the bitcoind hint poll: min(BTPAY_CHAIN_POLL_MS (default 5000), 2000). */
const BITCOIND_HINT_MS = 2_000;
const ESPLORA_POLL_MS = 1_000;
/** Random wait before each payment, so payments do not line up with the watcher's polling phase. */
const JITTER_MS = { electrum: 200, bitcoind: BITCOIND_HINT_MS, esplora: ESPLORA_POLL_MS };
const STATUS_POLL_MS = 20;

/** Child processes still running: killed if this process exits early (an error, Ctrl-C). */
const children = new Set();
function track(child) {
  children.add(child);
  child.on("exit", () => children.delete(child));
  return child;
}
process.on("exit", () => {
  for (const child of children) child.kill("SIGKILL");
});

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const btc = (sats) => `${sats / 100_000_000n}.${(sats % 100_000_000n).toString().padStart(8, "0")}`;

// ---------------------------------------------------------------------------------------------------
// Databases: a fresh one per measurement (embedded temp dir, or a new database on the Postgres at
// BENCH_DATABASE_URL, as in run.mjs).

function embeddedTarget() {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "btpay-bench-chain-"));
  return {
    kind: "embedded",
    env: { BTPAY_DATA_DIR: dataDir },
    db: { databaseUrl: undefined, dataDir },
    drop: async () => rmSync(dataDir, { recursive: true, force: true }),
  };
}

async function postgresTarget(adminUrl) {
  const name = `btpay_bench_${randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  // A data dir is still needed by the config; nothing is written there with a DATABASE_URL.
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "btpay-bench-chain-"));
  return {
    kind: "postgres",
    env: { DATABASE_URL: url.toString(), BTPAY_DATA_DIR: dataDir },
    db: { databaseUrl: url.toString(), dataDir },
    drop: async () => {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// CPU of other processes, from /proc (Linux): devchain, the PGlite child, the PostgreSQL server.

function procCpuMs(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // utime and stime (fields 14 and 15 of stat; 12 and 13 after the command) in 1/100 s ticks.
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return 0;
  }
}

function postgresPids() {
  const pids = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, "utf8").trim() === "postgres") pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

// ---------------------------------------------------------------------------------------------------
// devchain in its own process, driven over Bitcoin Core JSON-RPC like a real node.

function startDevchain() {
  return new Promise((resolve, reject) => {
    // stdin is a pipe only so that devchain exits when this process does, however it ends.
    const child = track(spawn(process.execPath, [SELF, "--devchain"], { stdio: ["pipe", "pipe", "inherit"] }));
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
      const line = out.split("\n").find((l) => l.startsWith("{"));
      if (!line || out.indexOf("\n") < 0) return;
      child.stdout.removeAllListeners("data");
      child.stdout.resume();
      const urls = JSON.parse(line);
      const rpc = coreRpc(urls.rpcUrl);
      resolve({
        ...urls,
        pid: child.pid,
        rpc,
        stop: () =>
          new Promise((r) => {
            if (child.exitCode !== null) return r();
            child.on("exit", r);
            child.kill("SIGTERM");
          }),
      });
    });
    child.on("exit", (code) => reject(new Error(`devchain exited ${code}: ${out}`)));
  });
}

async function devchainMain() {
  const { startDevNode } = await import(`${DIST}chain/devchain/dev-node.js`);
  const node = await startDevNode();
  process.stdout.write(
    `${JSON.stringify({ rpcUrl: node.rpc.url, esploraUrl: node.esplora.url, electrum: node.electrumAddress })}\n`,
  );
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    node.close().finally(() => process.exit(0));
  };
  process.once("SIGTERM", stop);
  process.stdin.on("close", stop);
  process.stdin.resume();
}

function coreRpc(url) {
  const u = new URL(url);
  const auth = `Basic ${Buffer.from(`${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`).toString("base64")}`;
  u.username = "";
  u.password = "";
  let id = 0;
  return async function call(method, params = []) {
    const res = await fetch(u, {
      method: "POST",
      headers: { authorization: auth, "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "1.0", id: ++id, method, params }),
    });
    const body = await res.json();
    if (body.error) throw new Error(`devchain ${method}: ${body.error.message} (${body.error.code})`);
    return body.result;
  };
}

// ---------------------------------------------------------------------------------------------------
// Part 1: detection latency through a real `btpay serve`.

/** `btpay serve` on a free port; its stdout (a log line per request) is drained, never kept. */
function startServe(env) {
  return new Promise((resolve, reject) => {
    const child = track(
      spawn(process.execPath, [BIN, "serve"], {
        env: { ...process.env, PORT: "0", HOST: "127.0.0.1", ...env, BTPAY_LOG_LEVEL: "info" },
        stdio: ["ignore", "pipe", "inherit"],
      }),
    );
    let out = "";
    const onData = (d) => {
      out += d;
      const line = out.split("\n").find((l) => l.includes('"btpay listening"'));
      if (!line) return;
      child.stdout.off("data", onData);
      child.stdout.resume();
      resolve({
        url: JSON.parse(line).url,
        pid: child.pid,
        stop: () =>
          new Promise((r) => {
            if (child.exitCode !== null) return r();
            child.on("exit", r);
            child.kill("SIGTERM");
          }),
      });
    };
    child.stdout.on("data", onData);
    child.on("exit", (code) => reject(new Error(`btpay serve exited ${code} before listening: ${out}`)));
  });
}

function api(baseUrl, key) {
  const headers = { authorization: `Bearer ${key}`, "content-type": "application/json" };
  async function call(method, p, body) {
    const res = await fetch(`${baseUrl}/api/v1${p}`, {
      method,
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const json = await res.json();
    if (!res.ok) throw new Error(`${method} ${p}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  }
  return {
    async invoice() {
      const created = await call("POST", "/invoices", {
        currency: "USD",
        lines: [{ description: "bench", quantity: 1, unit_price: "10.00" }],
      });
      const fin = await call("POST", `/invoices/${created.ref}/finalize`);
      return { ref: fin.ref, address: fin.payment_address, sats: BigInt(fin.btc_amount.replace(".", "")) };
    },
    status: async (ref) => (await call("GET", `/invoices/${ref}/status`)).status,
  };
}

function backendEnv(backend, chain) {
  switch (backend) {
    case "electrum":
      return { BTPAY_CHAIN: "electrum", BTPAY_ELECTRUM: chain.electrum };
    case "bitcoind":
      return { BTPAY_CHAIN: "bitcoind", BTPAY_BITCOIND_RPC_URL: chain.rpcUrl };
    case "esplora":
      return {
        BTPAY_CHAIN: "esplora",
        BTPAY_ESPLORA_URL: chain.esploraUrl,
        BTPAY_CHAIN_POLL_MS: String(ESPLORA_POLL_MS),
      };
  }
}

/**
 * One database, one devchain and one wallet for all backends (a merchant switching backends): each
 * backend gets its own `btpay serve` and `payments` new invoices; its paid invoices are confirmed
 * (a block) before the next backend starts, and stay watched, as confirmed ones are, for the
 * monitoring window.
 */
async function latencyRuns(backends, target, payments) {
  const { DEV_REGTEST_DESCRIPTOR } = await import(`${DIST}cli/dev.js`);
  const chain = await startDevchain();
  try {
    const base = {
      ...target.env,
      BTPAY_NETWORK: "regtest",
      BTPAY_RATES_FIXED: RATE,
      BTPAY_RATE_LIMIT_PER_MINUTE: "10000000",
    };
    const key = await run(["api-key", "create", "--name", "bench"], base);
    await run(["wallet", "set", "--descriptor", DEV_REGTEST_DESCRIPTOR], base);
    const miner = await chain.rpc("getnewaddress");
    const results = [];
    for (const backend of backends) {
      console.error(`bench: chain watch latency, ${backend} ...`);
      const server = await startServe({ ...base, ...backendEnv(backend, chain) });
      try {
        const client = api(server.url, key);
        const invoices = [];
        for (let i = 0; i < payments; i++) invoices.push(await client.invoice());
        // A block makes every backend's watcher take a pass (Electrum then subscribes the new
        // scripts); the wait covers the slowest hint (bitcoind's 2 s poll) and that pass.
        await chain.rpc("generatetoaddress", [1, miner]);
        await sleep(BITCOIND_HINT_MS + 1_500);
        const latencies = [];
        for (const inv of invoices) {
          await sleep(Math.random() * JITTER_MS[backend]);
          const started = performance.now();
          await chain.rpc("sendtoaddress", [inv.address, btc(inv.sats)]);
          for (;;) {
            if ((await client.status(inv.ref)) === "paid") break;
            if (performance.now() - started > 30_000) throw new Error(`${backend}: ${inv.ref} not paid after 30 s`);
            await sleep(STATUS_POLL_MS);
          }
          latencies.push(performance.now() - started);
        }
        await chain.rpc("generatetoaddress", [1, miner]);
        const sorted = [...latencies].sort((a, b) => a - b);
        results.push({
          backend,
          n: sorted.length,
          p50: percentile(sorted, 50),
          p99: percentile(sorted, 99),
          max: sorted[sorted.length - 1],
          latencies,
        });
      } finally {
        await server.stop();
      }
    }
    return results;
  } finally {
    await chain.stop();
  }
}

// ---------------------------------------------------------------------------------------------------
// Part 2: 10,000 open invoices, one watching process per adapter.

/**
 * A store, its wallet and `n` pending (finalized) invoices. The store, the wallet and the derivation
 * of every address go through the services; the invoices are then inserted already finalized with
 * ONE statement doing in bulk what `finalizeWithPooledAddress` does per invoice (claim the lowest
 * available address, price it with the fixed rate): through the services, creating and finalizing
 * 10,000 takes minutes (two transactions each, creates serialized on the store's invoice counter).
 */
async function seedInvoices(dbOpts, n) {
  const [{ openDatabase }, { createLogger }, { systemClock }, services, { parseFixedRates }, pricing, dev, embedded] =
    await Promise.all([
      import(`${DIST}db/connect.js`),
      import(`${DIST}logger.js`),
      import(`${DIST}ports.js`),
      Promise.all(["stores", "wallets", "address-pool", "rates"].map((x) => import(`${DIST}services/${x}.js`))),
      import(`${DIST}rates/fixed.js`),
      import(`${DIST}domain/pricing.js`),
      import(`${DIST}cli/dev.js`),
      import(`${DIST}db/embedded/embedded-postgres.js`),
    ]);
  const [{ StoreService }, { WalletService }, { AddressPool }, { RateService }] = services;
  const logger = createLogger("error");
  const opened = await openDatabase({ ...dbOpts, poolSize: 2, migrate: true }, logger);
  const db = opened.db;
  let store;
  let wallet;
  let quote;
  const started = performance.now();
  try {
    store = await new StoreService(db, { invoicePrefix: "W-", defaultCurrency: "USD" }).create({ name: "bench-watch" });
    const wallets = new WalletService(db, { network: "regtest", defaultGapLimit: 20 });
    ({ wallet } = await wallets.set(store.id, { descriptor: dev.DEV_REGTEST_DESCRIPTOR }));
    await new AddressPool(db, wallets, { batch: n, lowWater: n }).refill(wallet);
    const rates = new RateService(db, systemClock, {
      fixed: parseFixedRates(RATE, systemClock.now()).map((r) => ({ ...r, rate: r.rate.toString() })),
      maxAgeSeconds: 600,
    });
    quote = await rates.quote("USD");
  } finally {
    await db.close();
  }
  const derivedSeconds = (performance.now() - started) / 1000;

  let client;
  let release = async () => undefined;
  if (dbOpts.databaseUrl) client = new pg.Client({ connectionString: dbOpts.databaseUrl });
  else {
    const e = await embedded.ensureEmbeddedPostgres(dbOpts.dataDir);
    client = new pg.Client({ host: e.host, port: e.port, user: e.user, password: e.password, database: e.dbName });
    release = () => e.release();
  }
  await client.connect();
  try {
    const now = systemClock.now();
    // Long enough that nothing expires during the run.
    const expiresAt = new Date(now.getTime() + 120 * 60_000);
    const sats = pricing.btcAmountSats("10.00", quote.rate, store.markupPercent);
    await client.query(
      `with a as (
         select id, address, row_number() over (order by chain, derivation_index) as n
         from address where wallet_id = $1 and state = 'available' order by chain, derivation_index limit $2
       ), i as (
         insert into invoice (store_id, ref, invoice_number, status, currency, subtotal, tax_amount, discount_amount,
           total, payment_methods, metadata, notes, required_confirmations, underpayment_tolerance_percent,
           btc_rate, btc_amount_sats, btc_rate_sources, btc_rate_at, payment_address, finalized_at, expires_at,
           monitoring_until)
         select $3::text, upper(substr(md5(a.n::text || $3::text), 1, 8) || '-' || substr(md5((a.n * 7919)::text || $3::text), 1, 8)),
           'W-' || lpad(a.n::text, 5, '0'), 'pending', 'USD', 10, 0, 0, 10, '{onchain_btc}', '{}', '', $4, $5,
           $6, $7, $8::text[], $9, a.address, $10, $11, $12
         from a
         returning id, payment_address
       ), l as (
         insert into invoice_line (invoice_id, position, description, quantity, unit_price, amount)
         select i.id, 0, 'bench', 1, 10, 10 from i
       )
       update address set state = 'assigned', invoice_id = i.id from i
       where address.wallet_id = $1 and address.address = i.payment_address`,
      [
        wallet.id,
        n,
        store.id,
        store.requiredConfirmations,
        store.underpaymentTolerancePercent,
        quote.rate,
        sats.toString(),
        `{${quote.sources.join(",")}}`,
        quote.at,
        now,
        expiresAt,
        new Date(expiresAt.getTime() + 60 * 60_000),
      ],
    );
    await client.query("update store set next_invoice_number = $2 where id = $1", [store.id, n + 1]);
    await client.query("vacuum analyze");
    const { rows } = await client.query(
      "select payment_address as address, btc_amount_sats::text as sats from invoice where store_id = $1 order by id",
      [store.id],
    );
    return { seconds: (performance.now() - started) / 1000, derivedSeconds, invoices: rows };
  } finally {
    await client.end();
    await release();
  }
}

function runWorker(config) {
  return new Promise((resolve, reject) => {
    const child = track(
      spawn(process.execPath, [SELF, "--watch-worker"], {
        env: { ...process.env, BENCH_CHAIN_WORKER: JSON.stringify(config) },
        stdio: ["ignore", "pipe", "inherit"],
      }),
    );
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.on("exit", (code) => {
      const line = out.split("\n").find((l) => l.startsWith('{"result"'));
      if (code === 0 && line) resolve(JSON.parse(line).result);
      else reject(new Error(`watch worker (${config.backend}) exited ${code}: ${out}`));
    });
  });
}

/** One adapter watching every open invoice: the "btpay side" is this process alone. */
async function workerMain() {
  const cfg = JSON.parse(process.env.BENCH_CHAIN_WORKER);
  const [{ openDatabase }, { createLogger }, { systemClock }, { PaymentTracker }, { startChainWatcher }, embedded] =
    await Promise.all([
      import(`${DIST}db/connect.js`),
      import(`${DIST}logger.js`),
      import(`${DIST}ports.js`),
      import(`${DIST}services/payment-tracker.js`),
      import(`${DIST}workers/chain-watcher.js`),
      import(`${DIST}db/embedded/embedded-postgres.js`),
    ]);
  const logger = createLogger("error");
  const opened = await openDatabase({ ...cfg.db, poolSize: 10, migrate: false }, logger);
  const db = opened.db;
  const rpc = coreRpc(cfg.chain.rpcUrl);
  const source = await makeSource(cfg.backend, cfg.chain);
  const dbPids = () => (cfg.db.databaseUrl ? postgresPids() : [embedded.lockOwner(cfg.db.dataDir)].filter(Boolean));
  const cpu = () => {
    const u = process.cpuUsage();
    return {
      self: (u.user + u.system) / 1000,
      db: dbPids().reduce((sum, pid) => sum + procCpuMs(pid), 0),
      chain: procCpuMs(cfg.chain.pid),
    };
  };
  // Passes only when the bench asks (tickNow): push and polled hints would add passes at random
  // times. Electrum's notifications still arrive and are read; the bitcoind hint poller never starts.
  const quiet = {
    kind: source.kind,
    tip: () => source.tip(),
    snapshot: (scripts) => source.snapshot(scripts),
    onHint: () => () => undefined,
    close: () => source.close(),
  };
  const tracker = new PaymentTracker(db, systemClock, logger, { network: "regtest", monitoringMinutes: 60 });
  let changed = 0;
  let firstPass;
  const firstPassDone = new Promise((r) => (firstPass = r));
  const counting = {
    async apply(watched, snapshot, kind) {
      const n = await tracker.apply(watched, snapshot, kind);
      changed += n;
      firstPass(watched.length);
      return n;
    },
  };
  const measure = async (work) => {
    const c0 = cpu();
    const t0 = performance.now();
    await work();
    const wall = performance.now() - t0;
    const c1 = cpu();
    return { wall, self: c1.self - c0.self, db: c1.db - c0.db, chain: c1.chain - c0.chain };
  };

  // The first pass: every script is new to the adapter (subscribe / rescan / first history reads).
  let watcher;
  let watched = 0;
  const first = await measure(async () => {
    watcher = startChainWatcher(
      { db, source: quiet, tracker: counting, clock: systemClock, logger },
      { pollMs: 3_600_000, leaderRetryMs: 100 },
    );
    watched = await firstPassDone;
  });
  const idle = [];
  for (let i = 0; i < 2; i++) idle.push(await measure(() => watcher.tickNow()));

  const miner = await rpc("getnewaddress");
  const blocks = [];
  for (let i = 0; i < cfg.blocks; i++) {
    await rpc("generatetoaddress", [1, miner]);
    blocks.push(await measure(() => watcher.tickNow()));
  }
  const changedBefore = changed;
  const mempool = [];
  for (const inv of cfg.payTo) {
    await rpc("sendtoaddress", [inv.address, btc(BigInt(inv.sats))]);
    mempool.push(await measure(() => watcher.tickNow()));
  }
  const detected = changed - changedBefore;
  const mem = process.memoryUsage();
  // Confirm this worker's payments (unmeasured) so the next adapter starts from settled invoices.
  await rpc("generatetoaddress", [1, miner]);
  await watcher.tickNow();
  await watcher.stop();
  await source.close();
  await db.close();
  const result = {
    backend: cfg.backend,
    watched,
    first,
    idle,
    blocks,
    mempool,
    detected,
    rssMb: mem.rss / 2 ** 20,
    heapMb: mem.heapUsed / 2 ** 20,
  };
  process.stdout.write(`${JSON.stringify({ result })}\n`);
  process.exit(0);
}

async function makeSource(backend, chain) {
  switch (backend) {
    case "bitcoind": {
      const { BitcoindSource } = await import(`${DIST}chain/bitcoind-source.js`);
      return new BitcoindSource({ url: chain.rpcUrl, pollIntervalMs: BITCOIND_HINT_MS });
    }
    case "electrum": {
      const { ElectrumSource } = await import(`${DIST}chain/electrum-source.js`);
      const [host, port] = chain.electrum.split(":");
      return new ElectrumSource({ host, port: Number(port), tls: false });
    }
    case "esplora": {
      const { EsploraSource } = await import(`${DIST}chain/esplora-source.js`);
      return new EsploraSource({ baseUrl: chain.esploraUrl, pollIntervalMs: ESPLORA_POLL_MS });
    }
  }
}

async function watchRun(target, opts) {
  const setup = await seedInvoices(target.db, opts.invoices);
  const chain = await startDevchain();
  try {
    const results = [];
    let offset = 0;
    for (const backend of opts.watchBackends) {
      const { blocks, mempoolTxs } = backend === "esplora" ? opts.esplora : opts;
      const payTo = setup.invoices.slice(offset, offset + mempoolTxs);
      offset += mempoolTxs;
      console.error(`bench: chain watch, ${opts.invoices} invoices, ${backend} ...`);
      results.push(
        await runWorker({
          backend,
          db: target.db,
          chain: { rpcUrl: chain.rpcUrl, esploraUrl: chain.esploraUrl, electrum: chain.electrum, pid: chain.pid },
          blocks,
          payTo,
        }),
      );
    }
    return { setupSeconds: setup.seconds, derivedSeconds: setup.derivedSeconds, adapters: results };
  } finally {
    await chain.stop();
  }
}

// ---------------------------------------------------------------------------------------------------

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/**
 * Runs both parts on one database: the embedded one, or PostgreSQL when `databaseUrl` (an admin URL,
 * a new database is created and dropped for each part) is given.
 */
export async function chainWatchBench({
  databaseUrl,
  payments = Number(process.env.BENCH_CHAIN_PAYMENTS ?? 30),
  invoices = Number(process.env.BENCH_CHAIN_INVOICES ?? 10_000),
  blocks = 10,
  mempoolTxs = 10,
  esplora = { blocks: 2, mempoolTxs: 2 },
  watchBackends = ["bitcoind", "electrum", "esplora"],
  parts = (process.env.BENCH_CHAIN_PARTS ?? "latency,watch").split(","),
} = {}) {
  const makeTarget = () => (databaseUrl ? postgresTarget(databaseUrl) : embeddedTarget());
  const label = databaseUrl
    ? `PostgreSQL at ${new URL(databaseUrl).host} (a fresh database for each part)`
    : "the embedded database (a fresh data directory for each part)";
  const loadBefore = os.loadavg()[0];
  let latency = [];
  if (parts.includes("latency")) {
    const first = await makeTarget();
    try {
      latency = await latencyRuns(BACKENDS, first, payments);
    } finally {
      await first.drop();
    }
  }
  let watch;
  if (parts.includes("watch")) {
    const target = await makeTarget();
    try {
      watch = await watchRun(target, { invoices, blocks, mempoolTxs, esplora, watchBackends });
    } finally {
      await target.drop();
    }
  }
  return { label, payments, invoices, latency, watch, load: [loadBefore, os.loadavg()[0]] };
}

const avg = (xs, f) => xs.reduce((s, x) => s + f(x), 0) / xs.length;
const ms = (v) => `${Math.round(v).toLocaleString("en")} ms`;
const s1 = (v) => `${(v / 1000).toFixed(2)} s`;

const LATENCY_ROWS = {
  electrum: ["Electrum", "push: `blockchain.scripthash.subscribe` notification, then a pass", "<= 1 s", 1_000],
  bitcoind: [
    "Bitcoin Core RPC",
    `hint poll every ${BITCOIND_HINT_MS.toLocaleString("en")} ms (\`getmempoolinfo\` changed -> mempool refresh -> pass); BTPAY_CHAIN_POLL_MS default 5000`,
    `<= ${(BITCOIND_HINT_MS + 500) / 1000} s`,
    BITCOIND_HINT_MS + 500,
  ],
  esplora: [
    "Esplora",
    `no mempool hints: a pass every ${ESPLORA_POLL_MS.toLocaleString("en")} ms (BTPAY_CHAIN_POLL_MS=${ESPLORA_POLL_MS})`,
    `<= ${(ESPLORA_POLL_MS + 500) / 1000} s`,
    ESPLORA_POLL_MS + 500,
  ],
};

const NAMES = { bitcoind: "Bitcoin Core RPC", electrum: "Electrum", esplora: "Esplora" };

/** The "Chain watching" section of docs/benchmarks.md. */
export function chainWatchMarkdown(r, machine) {
  const out = [
    "## Chain watching",
    "",
    `Run on ${new Date().toISOString().slice(0, 10)}: ${machine}; ${r.label}; 1-minute load average`,
    `${r.load[0].toFixed(1)} at the start and ${r.load[1].toFixed(1)} at the end. devchain (the regtest simulator: Core JSON-RPC,`,
    "Esplora REST and Electrum on loopback) runs in a process of its own on the same 2 cores, so its",
    "CPU is never counted as btpay's. Reproduce: `npm run bench`; this section alone:",
    "`npm run build && node bench/run.mjs chain-watch` (replaces only this section of this file) or",
    "`node bench/chain-watch.mjs` (prints it). Like the rest, it uses the PostgreSQL at",
    "`BENCH_DATABASE_URL`, or the embedded database with `BENCH_DATABASE_URL=skip`. Knobs:",
    "`BENCH_CHAIN_PAYMENTS` (default 30), `BENCH_CHAIN_INVOICES` (default 10000),",
    "`BENCH_CHAIN_PARTS` (default `latency,watch`).",
    "",
  ];
  if (r.latency.length > 0) {
    out.push(
      `### Payment detection latency (${r.payments} payments per backend, real \`btpay serve\`)`,
      "",
      "From the `sendtoaddress` RPC call on devchain (it broadcasts) to `GET /api/v1/invoices/{ref}/status`",
      `answering \`paid\`, polled every ${STATUS_POLL_MS} ms by the benchmark. One database, devchain and wallet`,
      `serve the three backends in turn, each through its own \`btpay serve\` process: ${r.payments} invoices ($10,`,
      "fixed rate) are created and finalized over HTTP, a block is mined and the watcher given 3.5 s for",
      "a pass (so Electrum has subscribed the new scripts), then they are paid one at a time, each after",
      "a random wait of up to the backend's polling interval (200 ms for Electrum) so that payments do",
      "not line up with the polling phase; a block then confirms them before the next backend. With 30",
      "payments, p99 is the slowest value but one at most.",
      "",
      "| backend | how a mempool payment is noticed | payments | p50 | p99 | max | target (p99) | met |",
      "|---|---|---:|---:|---:|---:|---|---|",
      ...r.latency.map((l) => {
        const [name, how, target, limit] = LATENCY_ROWS[l.backend];
        return `| ${name} | ${how} | ${l.n} | ${ms(l.p50)} | ${ms(l.p99)} | ${ms(l.max)} | ${target} | ${l.p99 <= limit ? "yes" : "**no**"} |`;
      }),
      "",
    );
  }
  const w = r.watch;
  if (w) {
    const cpuCell = (xs) =>
      `${ms(avg(xs, (x) => x.self))} / ${ms(avg(xs, (x) => x.db))} / ${ms(avg(xs, (x) => x.chain))}`;
    out.push(
      `### Watching ${r.invoices.toLocaleString("en")} open invoices (one process per adapter)`,
      "",
      `Setup, ${w.setupSeconds.toFixed(1)} s: a store and its wallet through the services, every address derived up front`,
      `through \`AddressPool\` (${w.derivedSeconds.toFixed(1)} s of it), then the ${r.invoices.toLocaleString("en")} invoices inserted already finalized ($10,`,
      "fixed rate, one address each) by one SQL statement doing in bulk what finalize does per invoice",
      "(through the services, two transactions per invoice, it takes minutes).",
      "",
      "Each adapter then runs in a fresh Node process (`PaymentTracker` + `startChainWatcher` + the",
      "adapter, wired as `btpay serve` wires them, Esplora with its default concurrency of 4) against",
      "that database and one devchain. Its hints are not connected, so the only passes are the",
      "benchmark's `tickNow()` calls: the first pass (every script new to the adapter: subscriptions,",
      "rescans, first history reads), idle passes (nothing changed), a pass after each",
      "`generatetoaddress 1` (block pass), and a pass after each `sendtoaddress` to one of the open",
      "invoices (mempool pass; each pays a different invoice, which that pass must mark paid). CPU is",
      "`process.cpuUsage()` (user + system) of the watching process; database CPU is the PGlite child's,",
      "or all `postgres` processes', from /proc (10 ms ticks); devchain CPU is its process's. RSS and",
      "heap are the watching process's after those passes.",
      "",
      "| adapter | invoices watched | first pass: wall / CPU | idle pass: wall / CPU | block pass: wall | block pass CPU: btpay / database / devchain | mempool pass: wall | mempool pass CPU: btpay / database / devchain | payments detected | RSS (heap used) | RSS < 300 MB |",
      "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
      ...w.adapters.map(
        (a) =>
          `| ${NAMES[a.backend]} | ${a.watched.toLocaleString("en")} | ${s1(a.first.wall)} / ${s1(a.first.self)} | ${ms(avg(a.idle, (x) => x.wall))} / ${ms(avg(a.idle, (x) => x.self))} | ${ms(avg(a.blocks, (x) => x.wall))} (${a.blocks.length} blocks) | ${cpuCell(a.blocks)} | ${ms(avg(a.mempool, (x) => x.wall))} (${a.mempool.length} txs) | ${cpuCell(a.mempool)} | ${a.detected} of ${a.mempool.length} | ${Math.round(a.rssMb)} MB (${Math.round(a.heapMb)} MB) | ${a.rssMb < 300 ? "yes" : "**no**"} |`,
      ),
      "",
    );
  }
  return out.join("\n");
}

if (process.argv[1] === SELF) {
  if (process.argv[2] === "--devchain") await devchainMain();
  else if (process.argv[2] === "--watch-worker") await workerMain();
  else {
    const url = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
    const r = await chainWatchBench({ databaseUrl: url === "skip" ? undefined : url });
    const machine = `${os.cpus().length} cores (${os.cpus()[0]?.model ?? "?"}), Node ${process.version}`;
    console.error(JSON.stringify(r, null, 2));
    process.stdout.write(`${chainWatchMarkdown(r, machine)}\n`);
  }
}
