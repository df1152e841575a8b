// `npm run bench`: runs every benchmark on the embedded database and on PostgreSQL, then rewrites
// docs/benchmarks.md (method from bench/benchmarks.head.md + this run's numbers).
// Env: BENCH_SECONDS (default 10), BENCH_INVOICES (default 100000), BENCH_DATABASE_URL (admin URL of
// the Postgres to use, default postgres://postgres@127.0.0.1:5432/postgres; "skip" to skip it).
// `node bench/run.mjs chain-watch` runs only the chain watching benchmark (bench/chain-watch.mjs, on
// PostgreSQL, or the embedded database when BENCH_DATABASE_URL=skip) and replaces only its section.
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { ensureEmbeddedPostgres } from "../packages/server/dist/db/embedded/embedded-postgres.js";
import { chainWatchBench, chainWatchMarkdown } from "./chain-watch.mjs";
import { checkoutBench, checkoutTable } from "./checkout.mjs";
import { derivationBench } from "./derivation.mjs";
import { finalizeBench } from "./finalize.mjs";
import { foundationBench, pgConnector } from "./foundation.mjs";
import { ROOT } from "./lib.mjs";
import { webhookBench, webhookTable } from "./webhooks.mjs";

const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const invoices = Number(process.env.BENCH_INVOICES ?? 100_000);
const adminUrl = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

async function embeddedTarget() {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "btpay-bench-"));
  return {
    env: { BTPAY_DATA_DIR: dataDir },
    // Connects to the socket of the PGlite child the running server owns (never opens the files twice).
    connect: async () => {
      const e = await ensureEmbeddedPostgres(dataDir);
      const c = new pg.Client({ host: e.host, port: e.port, user: e.user, password: e.password, database: e.dbName });
      await c.connect();
      const end = c.end.bind(c);
      c.end = async () => {
        await end();
        await e.release();
      };
      return c;
    },
    drop: async () => rmSync(dataDir, { recursive: true, force: true }),
  };
}

async function postgresTarget() {
  const name = `btpay_bench_${randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    // The default pool (BTPAY_DB_POOL_SIZE=10): more connections only add lock contention on 2 cores.
    env: { DATABASE_URL: url.toString() },
    connect: pgConnector(url.toString()),
    drop: async () => {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

const ms = (v) => `${v} ms`;
function table(r) {
  const row = (name, x, target) =>
    `| ${name} | ${x.rps.toLocaleString("en")} | ${ms(x.p50)} | ${ms(x.p99)} | ${x.errors} | ${target} |`;
  return [
    `### ${r.label}`,
    "",
    "| scenario (50 connections) | requests/s | p50 | p99 | errors | target |",
    "|---|---:|---:|---:|---:|---|",
    row("bare Express 5 hello (ceiling)", r.ceiling, "-"),
    row("POST /invoices (create, 2 lines)", r.create, ">= 500/s, p99 < 100 ms"),
    row("GET /invoices/{ref}", r.get, ">= 2,000/s"),
    row(`GET /invoices?limit=50 (${r.invoices.toLocaleString("en")} invoices in the store)`, r.list, "p99 < 50 ms"),
    row("GET /invoices?limit=50&status=paid&offset=500", r.listFiltered, "p99 < 50 ms"),
    `| POST /invoices/{ref}/finalize (one draft per request) | ${r.finalize.rps.toLocaleString("en")} | ${ms(r.finalize.p50)} | ${ms(r.finalize.p99)} | ${r.finalize.errors} | >= 300/s, 0 duplicate addresses |`,
    "",
    `Seeding ${r.invoices.toLocaleString("en")} invoices by SQL took ${r.seedSeconds.toFixed(1)} s. Finalize: ${r.finalize.finalized.toLocaleString("en")} invoices finalized, **${r.finalize.duplicates} duplicate addresses**.`,
    "",
  ].join("\n");
}

function derivationTable(d) {
  return [
    "### Address derivation (one core, in process)",
    "",
    "| script | btpay WalletDeriver addresses/s | raw bip32 `derive(0).derive(i)` /s (ceiling named by the issue) | raw single `derive(i)` on a cached chain key /s | @bitcoinerlab/descriptors `Output` /s | descriptor parse + checks, ms per wallet |",
    "|---|---:|---:|---:|---:|---:|",
    ...Object.entries(d).map(
      ([script, x]) =>
        `| ${script} | ${x.derivePerSec.toLocaleString("en")} | ${x.rawBip32PerSec.toLocaleString("en")} | ${x.rawBip32CachedChainPerSec.toLocaleString("en")} | ${x.descriptorsLibraryPerSec.toLocaleString("en")} | ${x.parseMsPerWallet} |`,
    ),
    "",
  ].join("\n");
}

const machine = `${os.cpus().length} cores (${os.cpus()[0]?.model ?? "?"}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
const docsPath = path.join(ROOT, "docs/benchmarks.md");
const CHAIN_HEADING = "\n## Chain watching";
const chainWatch = async () =>
  chainWatchMarkdown(await chainWatchBench({ databaseUrl: adminUrl === "skip" ? undefined : adminUrl }), machine);

const WEBHOOK_HEADING = "\n## Webhook delivery";
async function webhooks() {
  const parts = ["## Webhook delivery", ""];
  const targets = [["embedded database", embeddedTarget]];
  if (adminUrl !== "skip") targets.push(["PostgreSQL", postgresTarget]);
  for (const [label, make] of targets) {
    const target = await make();
    try {
      console.error(`bench: webhooks on the ${label} ...`);
      parts.push(webhookTable(label, await webhookBench({ env: target.env, connect: target.connect, seconds })));
    } finally {
      await target.drop();
    }
  }
  return parts.join("\n");
}

const CHECKOUT_HEADING = "\n## Public checkout read";
async function checkout() {
  const parts = ["## Public checkout read", ""];
  const targets = [["embedded database", embeddedTarget]];
  if (adminUrl !== "skip") targets.push(["PostgreSQL", postgresTarget]);
  for (const [label, make] of targets) {
    const target = await make();
    try {
      console.error(`bench: public checkout on the ${label} ...`);
      parts.push(checkoutTable(label, await checkoutBench({ env: target.env, seconds })));
    } finally {
      await target.drop();
    }
  }
  return parts.join("\n");
}

const WEIGHT_HEADING = "\n## Checkout script weight";
async function weight() {
  // bench/competitor-weights.mjs packs bitcoin-connect from the npm registry and bundles it with
  // Vite; BTCPay's numbers are recorded constants (its repository is not reachable from here).
  const { execFileSync } = await import("node:child_process");
  const size = execFileSync(process.execPath, [path.join(ROOT, "packages/elements/scripts/size.mjs")], {
    cwd: path.join(ROOT, "packages/elements"),
    encoding: "utf8",
  });
  const others = execFileSync(process.execPath, [path.join(ROOT, "bench/competitor-weights.mjs")], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  });
  return [
    "## Checkout script weight",
    "",
    "What a page downloads to show a checkout, gzip -9. btpay's bundles (`npm run size -w @btpay/elements`, the budget CI enforces):",
    "",
    "```",
    size.trim(),
    "```",
    "",
    others.trim().replace(/^## /gm, "### "),
    "",
  ].join("\n");
}

/** `node bench/run.mjs <section>` reruns one section and replaces it in docs/benchmarks.md. */
const sections = {
  "chain-watch": [CHAIN_HEADING, chainWatch],
  webhooks: [WEBHOOK_HEADING, webhooks],
  checkout: [CHECKOUT_HEADING, checkout],
  weight: [WEIGHT_HEADING, weight],
};
const only = sections[process.argv[2]];
if (only) {
  const [heading, make] = only;
  const section = (await make()).trimEnd();
  const current = readFileSync(docsPath, "utf8");
  const at = current.indexOf(heading);
  const next = at < 0 ? -1 : current.indexOf("\n## ", at + heading.length);
  const before = (at < 0 ? current : current.slice(0, at)).trimEnd();
  const after = next < 0 ? "" : `\n${current.slice(next)}`;
  writeFileSync(docsPath, `${before}\n\n${section}\n${after}`.replace(/\n{3,}/g, "\n\n"));
  console.error(`bench: replaced the ${process.argv[2]} section of docs/benchmarks.md`);
  process.exit(0);
}

const results = [];
const targets = [["Embedded database (PGlite over its socket)", embeddedTarget]];
if (adminUrl !== "skip") targets.push(["PostgreSQL 15 at 127.0.0.1:5432", postgresTarget]);
for (const [label, make] of targets) {
  const target = await make();
  try {
    console.error(`bench: ${label} ...`);
    const r = await foundationBench({ label, env: target.env, connect: target.connect, seconds, invoices });
    r.finalize = await finalizeBench({ env: target.env, connect: target.connect, seconds });
    console.error(table(r));
    results.push(r);
  } finally {
    await target.drop();
  }
}

const derivation = await derivationBench({ seconds: Math.min(seconds, 3) });
const chainSection = await chainWatch();
const webhookSection = await webhooks();
const checkoutSection = await checkout();
const weightSection = await weight();

const head = readFileSync(path.join(ROOT, "bench/benchmarks.head.md"), "utf8");
const body = [
  head.trimEnd(),
  "",
  "## Latest results",
  "",
  `Run on ${new Date().toISOString().slice(0, 10)}: ${machine}; ${seconds} s per scenario; load generator (autocannon) on the same machine.`,
  "",
  ...results.map(table),
  derivationTable(derivation),
  chainSection,
  "",
  webhookSection,
  "",
  checkoutSection,
  "",
  weightSection,
].join("\n");
writeFileSync(docsPath, `${body}\n`);
console.error("bench: wrote docs/benchmarks.md");
