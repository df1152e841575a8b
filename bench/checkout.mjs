// The public checkout read (issue 6): what every open checkout page polls. 50 connections against
// GET /api/v1/public/invoices/{ref}, answering 200 (no ETag sent) and 304 (If-None-Match), next to a
// bare Express "hello" measured in the same run. Target: 304s at >= 60% of hello, p99 < 25 ms.
import { randomBytes } from "node:crypto";
import autocannon from "autocannon";
import { run, startHello, startServer } from "./lib.mjs";

// BIP-84 test vector account: finalize needs a wallet to hand out addresses from.
const ZPUB =
  "zpub6rFR7y4Q2AijBEqTUquhVz398htDFrtymD9xYYfG1m4wAcvPhXNfE3EfH1r1ADqtfSdVCToUG868RvUUkgDKf31mGDtKsAYz2oz2AGutZYs";

async function hammer(url, headers, seconds) {
  const r = await autocannon({ url, headers, connections: 50, duration: seconds, pipelining: 1 });
  return {
    rps: Math.round(r.requests.average),
    p50: r.latency.p50,
    p99: r.latency.p99,
    ok2xx: r["2xx"],
    ok3xx: r["3xx"],
    bad: r["4xx"] + r["5xx"] + r.errors + r.timeouts,
  };
}

export async function checkoutBench({ env, seconds = 10 }) {
  const serverEnv = {
    ...env,
    BTPAY_RATES_FIXED: "USD:70862.71",
    BTPAY_RATE_LIMIT_PER_MINUTE: "10000000",
    BTPAY_PUBLIC_RATE_LIMIT_PER_MINUTE: "10000000",
    BTPAY_SECRET_KEY: randomBytes(32).toString("hex"),
  };
  const key = await run(["api-key", "create", "--name", "bench-checkout"], serverEnv);
  await run(["wallet", "set", "--xpub", ZPUB], serverEnv);
  const hello = await startHello();
  const server = await startServer(serverEnv);
  try {
    const headers = { authorization: `Bearer ${key}`, "content-type": "application/json" };
    const link = await fetch(`${server.url}/api/v1/payment-links`, {
      method: "POST",
      headers,
      body: JSON.stringify({ title: "Bench coffee", amount: "3.50", currency: "USD" }),
    }).then((r) => r.json());
    const inv = await fetch(`${server.url}/api/v1/public/payment-links/${link.slug}/invoices`, { method: "POST" }).then(
      (r) => r.json(),
    );
    const url = `${server.url}/api/v1/public/invoices/${inv.ref}`;
    const etag = (await fetch(url)).headers.get("etag");
    const ceiling = await hammer(hello.url, {}, seconds);
    const full = await hammer(url, {}, seconds);
    const notModified = await hammer(url, { "if-none-match": etag }, seconds);
    return { ceiling, full, notModified };
  } finally {
    await server.stop();
    await hello.stop();
  }
}

export function checkoutTable(label, r) {
  const row = (name, x, target) =>
    `| ${name} | ${x.rps.toLocaleString("en")} | ${x.p50} ms | ${x.p99} ms | ${x.bad} | ${target} |`;
  const share = Math.round((r.notModified.rps / r.ceiling.rps) * 100);
  return [
    `### ${label}`,
    "",
    "| scenario (50 connections) | requests/s | p50 | p99 | errors | target |",
    "|---|---:|---:|---:|---:|---|",
    row("bare Express 5 hello (ceiling)", r.ceiling, "-"),
    row("GET /api/v1/public/invoices/{ref} -> 200", r.full, "-"),
    row("same with If-None-Match -> 304", r.notModified, ">= 60% of hello, p99 < 25 ms"),
    "",
    `304s ran at **${share}%** of the bare Express rate (${r.notModified.ok3xx.toLocaleString("en")} answered 304).`,
    "",
  ].join("\n");
}
