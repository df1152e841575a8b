import type { MikroORM } from "@mikro-orm/postgresql";
import type { Database, Repositories } from "../ports.js";
import { addressRepository } from "./repositories/address-repository.js";
import { apiKeyRepository } from "./repositories/api-key-repository.js";
import { exchangeRateRepository } from "./repositories/exchange-rate-repository.js";
import { idempotencyRepository } from "./repositories/idempotency-repository.js";
import { invoiceRepository } from "./repositories/invoice-repository.js";
import { rateLimitRepository } from "./repositories/rate-limit-repository.js";
import { makeSql, type Sql } from "./repositories/sql.js";
import { storeRepository } from "./repositories/store-repository.js";
import { walletRepository } from "./repositories/wallet-repository.js";

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
  };
}

/**
 * The `Database` port over MikroORM's connection pool. Repositories run plain parameterised SQL on
 * its knex instance (decision 0002); a transaction hands every repository the same knex transaction.
 */
export function mikroDatabase(orm: MikroORM, onClose: () => Promise<void> = async () => {}): Database {
  const knex = orm.em.getKnex();
  const plain = repositories(makeSql(knex));
  return {
    repos: () => plain,
    transaction: (fn) => knex.transaction((trx) => fn(repositories(makeSql(knex, trx)))),
    async ping() {
      await knex.raw("select 1");
    },
    async close() {
      // Let queries of requests still in flight (the HTTP server has stopped accepting) finish
      // instead of aborting them: wait, bounded, until no connection is checked out or awaited.
      const pool = (orm.em.getKnex().client as { pool?: { numUsed(): number; numPendingAcquires(): number } }).pool;
      const deadline = Date.now() + 5_000;
      while (pool && (pool.numUsed() > 0 || pool.numPendingAcquires() > 0) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 20));
      }
      await orm.close(true);
      await onClose();
    },
  };
}
