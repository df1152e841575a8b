import type { EntityManager, MikroORM } from "@mikro-orm/postgresql";
import type { Database, Repositories } from "../ports.js";
import { apiKeyRepository } from "./repositories/api-key-repository.js";
import { idempotencyRepository } from "./repositories/idempotency-repository.js";
import { invoiceRepository } from "./repositories/invoice-repository.js";
import { rateLimitRepository } from "./repositories/rate-limit-repository.js";
import { storeRepository } from "./repositories/store-repository.js";

function repositories(em: EntityManager): Repositories {
  return {
    stores: storeRepository(em),
    apiKeys: apiKeyRepository(em),
    invoices: invoiceRepository(em),
    idempotency: idempotencyRepository(em),
    rateLimits: rateLimitRepository(em),
  };
}

/** The `Database` port over MikroORM. Each call works on its own fork, never a shared identity map. */
export function mikroDatabase(orm: MikroORM, onClose: () => Promise<void> = async () => {}): Database {
  return {
    repos: () => repositories(orm.em.fork()),
    transaction: (fn) => orm.em.fork().transactional((em) => fn(repositories(em))),
    async ping() {
      await orm.em.fork().execute("select 1");
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
