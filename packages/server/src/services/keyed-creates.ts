import type { InvoiceRecord } from "../domain/invoice.js";
import type { NewDraft, Repositories } from "../ports.js";
import { IdempotencyMismatchError, type Reply } from "./idempotency.js";

/** The operation invoice creates are stored under (the same as `idempotent` uses for them). */
export const CREATE_INVOICE = "createInvoice";

/** A create that carries an Idempotency-Key: its draft, its key and request hash, how its reply is made. */
export interface KeyedCreate {
  draft: NewDraft;
  key: string;
  requestHash: string;
  reply: (invoice: InvoiceRecord) => Reply;
}

/** What one keyed create gets: a reply (new or stored), or the error its caller must see. */
export type KeyedOutcome = { reply: Reply } | { error: Error };

/**
 * One store's keyed creates in the caller's transaction, a few round trips for all of them: claim
 * every key, insert the drafts whose keys are new (one statement), store their replies, and answer
 * the rest with what their keys stored before, exactly as `idempotent` does one by one. A create
 * whose key is already in this batch (a retry racing its original) shares the first one's outcome.
 * A key used with another request gets 422, alone; anything else that fails fails the transaction,
 * and the batcher runs each create again alone.
 */
export async function createKeyed(
  repos: Repositories,
  storeId: string,
  creates: readonly KeyedCreate[],
): Promise<KeyedOutcome[]> {
  const leaders = new Map<string, KeyedCreate>();
  for (const c of creates) if (!leaders.has(c.key)) leaders.set(c.key, c);
  const { claimed, earlier } = await repos.idempotency.claimMany(
    storeId,
    CREATE_INVOICE,
    [...leaders.values()].map((c) => ({ key: c.key, requestHash: c.requestHash })),
  );
  const fresh = [...leaders.values()].filter((c) => claimed.has(c.key));
  const answered = new Map<string, { reply: Reply; requestHash: string }>();
  if (fresh.length > 0) {
    const inserted = await repos.invoices.insertMany(
      storeId,
      fresh.map((c) => c.draft),
    );
    if (inserted.length !== fresh.length) throw new Error(`store ${storeId} not found while inserting invoices`);
    const stored = fresh.map((c, i) => {
      const reply = c.reply(inserted[i] as InvoiceRecord);
      answered.set(c.key, { reply, requestHash: c.requestHash });
      return { key: c.key, status: reply.status, body: reply.body };
    });
    await repos.idempotency.completeMany(storeId, stored);
  }
  for (const [key, s] of earlier) {
    answered.set(key, { reply: { status: s.status, body: s.body }, requestHash: s.requestHash });
  }
  return creates.map((c) => {
    const a = answered.get(c.key);
    if (!a) throw new Error(`idempotency key ${c.key} was neither claimed nor found`);
    return a.requestHash === c.requestHash ? { reply: a.reply } : { error: new IdempotencyMismatchError() };
  });
}
