// Generates a migration from the difference between the entities and the migrated schema.
// Usage: npm run build && node scripts/migration-create.mjs [name]
// Needs a scratch Postgres (BTPAY_SCRATCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/postgres);
// a throwaway database is created there and dropped again. Review the file, then add it to
// packages/server/src/db/migrations/index.ts.
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { initOrm, migrate } from "../packages/server/dist/db/orm.js";

const admin = process.env.BTPAY_SCRATCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const name = `btpay_migration_${randomBytes(4).toString("hex")}`;
const client = new pg.Client({ connectionString: admin });
await client.connect();
await client.query(`create database ${name}`);
try {
  const url = new URL(admin);
  url.pathname = `/${name}`;
  const orm = await initOrm({ kind: "url", url: url.toString(), poolSize: 2 });
  await migrate(orm, "url");
  const out = fileURLToPath(new URL("../packages/server/src/db/migrations", import.meta.url));
  const result = await orm.migrator.createMigration(out, false, false, process.argv[2]);
  console.log(result.fileName ? `wrote ${result.fileName}\n${result.diff.up.join("\n")}` : "no changes");
  await orm.close(true);
} finally {
  await client.query(`drop database if exists ${name} with (force)`);
  await client.end();
}
