// Runs as a separate process for embedded-postgres.test.ts: the tests need real processes to
// kill -9 and to race against each other. Plain JS so node runs it without a TS loader; it uses
// the compiled server (dist/, or BTPAY_PGLITE_CHILD's directory).
// Usage: node embedded-client.mjs <insert|query> <dataDir> [rows]
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import pg from "pg";

const here = path.dirname(fileURLToPath(import.meta.url));
const compiled = process.env.BTPAY_PGLITE_CHILD
  ? path.join(path.dirname(process.env.BTPAY_PGLITE_CHILD), "embedded-postgres.js")
  : path.join(here, "../../../dist/db/embedded/embedded-postgres.js");
const { ensureEmbeddedPostgres } = await import(pathToFileURL(compiled).href);

const [mode, dataDir, rowsArg] = process.argv.slice(2);
const out = (o) => process.stdout.write(`${JSON.stringify(o)}\n`);

const emb = await ensureEmbeddedPostgres(dataDir);
const client = new pg.Client({
  host: emb.host,
  port: emb.port,
  user: emb.user,
  password: emb.password,
  database: emb.dbName,
});
await client.connect();
await client.query("create table if not exists kv (id bigserial primary key, who int, v text)");

if (mode === "insert") {
  const rows = Number(rowsArg ?? 10);
  for (let i = 0; i < rows; i++) {
    await client.query("insert into kv (who, v) values ($1, $2)", [process.pid, `row-${i}`]);
  }
  // Committed and acknowledged: the test SIGKILLs us now, with the connection still open.
  out({ done: rows, spawned: emb.spawned });
  setInterval(() => {}, 1_000);
} else {
  const { rows } = await client.query("insert into kv (who, v) values ($1, 'hello') returning id", [process.pid]);
  const n = await client.query("select count(*)::int as n from kv");
  out({ spawned: emb.spawned, id: Number(rows[0].id), count: n.rows[0].n });
  await client.end();
  await emb.release();
}
