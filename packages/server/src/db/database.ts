import type { MikroORM } from "@mikro-orm/postgresql";
import type { Database, LeaderLock, Repositories, TableUpkeep } from "../ports.js";
import { addressRepository } from "./repositories/address-repository.js";
import { apiKeyRepository } from "./repositories/api-key-repository.js";
import { chainRepository } from "./repositories/chain-repository.js";
import { exchangeRateRepository } from "./repositories/exchange-rate-repository.js";
import { greenfieldInvoiceRepository } from "./repositories/greenfield-invoice-repository.js";
import { idempotencyRepository } from "./repositories/idempotency-repository.js";
import { invoiceRepository } from "./repositories/invoice-repository.js";
import { outboxRepository } from "./repositories/outbox-repository.js";
import { paymentLinkRepository } from "./repositories/payment-link-repository.js";
import { rateLimitRepository } from "./repositories/rate-limit-repository.js";
import { refundRepository } from "./repositories/refund-repository.js";
import { connectionSql, type PgConnection, type Sql, type StatementOptions } from "./repositories/sql.js";
import { storeRepository } from "./repositories/store-repository.js";
import { userRepository } from "./repositories/user-repository.js";
import { walletRepository } from "./repositories/wallet-repository.js";
import { webhookRepository } from "./repositories/webhook-repository.js";

function repositories(em: Sql): Repositories {
  return {
    stores: storeRepository(em),
    apiKeys: apiKeyRepository(em),
    invoices: invoiceRepository(em),
    idempotency: idempotencyRepository(em),
    rateLimits: rateLimitRepository(em),
    wallets: walletRepository(em),
    addresses: addressRepository(em),
    exchangeRates: exchangeRateRepository(em),
    chain: chainRepository(em),
    outbox: outboxRepository(em),
    paymentLinks: paymentLinkRepository(em),
    webhooks: webhookRepository(em),
    users: userRepository(em),
    refunds: refundRepository(em),
    greenfieldInvoices: greenfieldInvoiceRepository(em),
  };
}

interface PooledClient {
  acquireConnection(): Promise<PgConnection>;
  releaseConnection(connection: PgConnection): Promise<void>;
}

/**
 * The `Database` port over MikroORM's connection pool (decision 0002). Repositories run plain SQL on
 * a `pg` connection borrowed from that pool: one statement per borrow outside transactions, one
 * connection for the whole of a transaction. `namedStatements` prepares each statement once per
 * connection (once per session on the embedded database; see `connectionSql`).
 */
export function mikroDatabase(
  orm: MikroORM,
  opts: {
    namedStatements: boolean;
    onClose?: () => Promise<void>;
    tryLeadership: (name: string) => Promise<LeaderLock | null>;
    /** The embedded database's stand-in for autovacuum (db/embedded/table-upkeep.ts). */
    upkeep?: (connection: PgConnection) => Promise<TableUpkeep[]>;
  },
): Database {
  const knex = orm.em.getKnex();
  const pool = knex.client as unknown as PooledClient;
  const named = opts.namedStatements;
  const upkeep = opts.upkeep;
  const borrow = async <T>(fn: (connection: PgConnection) => Promise<T>): Promise<T> => {
    const connection = await pool.acquireConnection();
    try {
      return await fn(connection);
    } finally {
      await pool.releaseConnection(connection);
    }
  };
  const plain = repositories(<T>(sql: string, params?: readonly unknown[], opts?: StatementOptions) =>
    borrow((c) => connectionSql(c, named)<T>(sql, params, opts)),
  );
  return {
    repos: () => plain,
    transaction: (fn) =>
      borrow(async (connection) => {
        await connection.query({ text: "begin", values: [] });
        try {
          const result = await fn(repositories(connectionSql(connection, named)));
          await connection.query({ text: "commit", values: [] });
          return result;
        } catch (err) {
          // A failed rollback (connection gone) must not hide the error that caused it.
          await connection.query({ text: "rollback", values: [] }).catch(() => undefined);
          throw err;
        }
      }),
    tryLeadership: (name) => opts.tryLeadership(name),
    ...(upkeep ? { upkeep: () => borrow(upkeep) } : {}),
    async ping() {
      await borrow((c) => c.query({ text: "select 1", values: [] }));
    },
    async close() {
      // Let queries of requests still in flight (the HTTP server has stopped accepting) finish
      // instead of aborting them: wait, bounded, until no connection is checked out or awaited.
      const tarn = (knex.client as { pool?: { numUsed(): number; numPendingAcquires(): number } }).pool;
      const deadline = Date.now() + 5_000;
      while (tarn && (tarn.numUsed() > 0 || tarn.numPendingAcquires() > 0) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 20));
      }
      await orm.close(true);
      await opts.onClose?.();
    },
  };
}
