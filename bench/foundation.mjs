// Issue 2 benchmarks: invoice create, get by ref, list over 100,000 invoices, next to bare Express.
import pg from "pg";
import { load, run, startHello, startServer } from "./lib.mjs";

const INVOICE = JSON.stringify({
  currency: "USD",
  tax_rate: 10,
  lines: [
    { description: "Consulting (1 hour)", quantity: 1, unit_price: "150.00" },
    { description: "Hardware wallet setup", quantity: 2, unit_price: "25.00" },
  ],
});

/** Inserts `n` invoices (one line each) straight into the store with SQL; the API would take minutes. */
async function seed(client, storeId, n) {
  await client.query(
    `insert into invoice (store_id, ref, invoice_number, status, currency, subtotal, tax_amount, discount_amount, total,
       payment_methods, metadata, notes)
     select $1, upper(substr(md5(g::text), 1, 8) || '-' || substr(md5((g * 7919)::text), 1, 8)),
       'SEED-' || lpad(g::text, 6, '0'),
       (array['draft','pending','paid','confirmed','expired','cancelled'])[1 + g % 6],
       'USD', 10, 0, 0, 10, '{onchain_btc}', '{}', ''
     from generate_series(1, $2::int) g`,
    [storeId, n],
  );
  await client.query(
    `insert into invoice_line (invoice_id, position, description, quantity, unit_price, amount)
     select id, 0, 'seeded', 1, 10, 10 from invoice where store_id = $1`,
    [storeId],
  );
  // VACUUM too, so autovacuum does not start on the fresh rows in the middle of the measurements.
  await client.query("vacuum analyze");
  const { rows } = await client.query("select ref from invoice where store_id = $1 order by id limit 1 offset $2", [
    storeId,
    Math.floor(n / 2),
  ]);
  return rows[0].ref;
}

export async function foundationBench({ label, env, connect, seconds, invoices }) {
  const server = await startServer({ ...env, BTPAY_RATE_LIMIT_PER_MINUTE: "10000000" });
  const hello = await startHello();
  try {
    const createStore = await run(["store", "create", "--name", "bench-create"], env);
    const createKey = await run(["api-key", "create", "--name", "bench", "--store", createStore], env);
    const listStore = await run(["store", "create", "--name", "bench-list"], env);
    const listKey = await run(["api-key", "create", "--name", "bench", "--store", listStore], env);
    const auth = (key) => ({ authorization: `Bearer ${key}`, "content-type": "application/json" });

    const ceiling = await load({ url: hello.url, seconds });
    const create = await load({
      url: `${server.url}/api/v1/invoices`,
      method: "POST",
      headers: auth(createKey),
      body: INVOICE,
      seconds,
    });

    const client = await connect();
    const started = Date.now();
    const ref = await seed(client, listStore, invoices);
    const seedSeconds = (Date.now() - started) / 1000;
    await client.end();

    const get = await load({ url: `${server.url}/api/v1/invoices/${ref}`, headers: auth(listKey), seconds });
    const list = await load({ url: `${server.url}/api/v1/invoices?limit=50`, headers: auth(listKey), seconds });
    const listFiltered = await load({
      url: `${server.url}/api/v1/invoices?limit=50&status=paid&offset=500`,
      headers: auth(listKey),
      seconds,
    });
    return { label, ceiling, create, get, list, listFiltered, seedSeconds, invoices };
  } finally {
    await Promise.all([server.stop(), hello.stop()]);
  }
}

export function pgConnector(url) {
  return async () => {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    return c;
  };
}
