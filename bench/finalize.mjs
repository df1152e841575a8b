// Issue 3 benchmark: POST /invoices/{ref}/finalize with 50 concurrent clients, each request on its own
// pre-created draft; afterwards the database is checked for duplicate addresses.
import autocannon from "autocannon";
import { run, startServer } from "./lib.mjs";

const WALLET =
  "wpkh(xpub661MyMwAqRbcFtXgS5sYJABqqG9YLmC4Q1Rdap9gSE8NqtwybGhePY2gZ29ESFjqJoCu1Rupje8YtGqsefD265TMg7usUDFdp6W1EGMcet8/0/*)";
const DRAFT = JSON.stringify({ currency: "USD", lines: [{ description: "Widget", quantity: 2, unit_price: "49.99" }] });

async function createDrafts(url, key, n) {
  const refs = [];
  const headers = { authorization: `Bearer ${key}`, "content-type": "application/json" };
  for (let i = 0; i < n; i += 50) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(50, n - i) }, () =>
        fetch(`${url}/api/v1/invoices`, { method: "POST", headers, body: DRAFT }).then((r) => r.json()),
      ),
    );
    refs.push(...batch.map((b) => b.ref));
  }
  return refs;
}

export async function finalizeBench({ env, connect, seconds }) {
  const server = await startServer({
    ...env,
    BTPAY_RATE_LIMIT_PER_MINUTE: "10000000",
    BTPAY_RATES_FIXED: "USD:70862.71",
  });
  try {
    const storeId = await run(["store", "create", "--name", "bench-finalize"], env);
    const key = await run(["api-key", "create", "--name", "bench", "--store", storeId], env);
    await run(["wallet", "set", "--store", storeId, "--descriptor", WALLET, "--gap-limit", "1000"], env);
    // Enough drafts for the run at up to ~1,500 finalizes/s.
    const refs = await createDrafts(server.url, key, Math.max(2000, seconds * 1500));
    let next = 0;
    const result = await autocannon({
      url: server.url,
      connections: 50,
      duration: seconds,
      requests: [
        {
          method: "POST",
          headers: { authorization: `Bearer ${key}` },
          setupRequest: (req) => ({ ...req, path: `/api/v1/invoices/${refs[next++ % refs.length]}/finalize` }),
        },
      ],
    });
    const client = await connect();
    const { rows } = await client.query(
      `select count(*)::int as finalized, count(distinct payment_address)::int as distinct_addresses
       from invoice where store_id = $1 and payment_address is not null`,
      [storeId],
    );
    await client.end();
    return {
      rps: Math.round(result.requests.average),
      p50: result.latency.p50,
      p99: result.latency.p99,
      ok: result["2xx"],
      errors: result.non2xx + result.errors + result.timeouts,
      finalized: rows[0].finalized,
      duplicates: rows[0].finalized - rows[0].distinct_addresses,
    };
  } finally {
    await server.stop();
  }
}
