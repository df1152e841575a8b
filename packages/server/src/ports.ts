import type { InvoiceLookup, InvoiceRecord, InvoiceStatus, NewInvoice } from "./domain/invoice.js";

/** What the services need from the outside world. `db/` implements the repositories. */

export interface StoreRecord {
  id: string;
  name: string;
  invoicePrefix: string;
  defaultCurrency: string;
  createdAt: Date;
}

export type ApiKeyAccess = "full" | "read_only";

export interface ApiKeyRecord {
  id: number;
  storeId: string;
  name: string;
  prefix: string;
  access: ApiKeyAccess;
  createdAt: Date;
  revokedAt: Date | null;
}

export interface StoreRepository {
  create(store: Omit<StoreRecord, "createdAt">): Promise<StoreRecord>;
  list(): Promise<StoreRecord[]>;
  get(id: string): Promise<StoreRecord | null>;
}

export interface ApiKeyRepository {
  create(key: {
    storeId: string;
    name: string;
    prefix: string;
    hash: string;
    access: ApiKeyAccess;
  }): Promise<ApiKeyRecord>;
  list(storeId?: string): Promise<ApiKeyRecord[]>;
  /** Revokes by prefix or numeric id; returns the key or null when none matched. */
  revoke(idOrPrefix: string): Promise<ApiKeyRecord | null>;
  /**
   * The live (not revoked) key with this hash and its store, counting one hit on the key's rate-limit
   * window in the same round trip (every authenticated request pays one database round trip for both).
   */
  authenticate(
    hash: string,
    windowStart: number,
  ): Promise<{ key: ApiKeyRecord; store: StoreRecord; hits: number } | null>;
}

export interface InvoicePage {
  invoices: InvoiceRecord[];
  total: number;
}

export interface InvoiceRepository {
  /** Inserts a draft with the store's next invoice number (`<prefix><n, at least 4 digits>`). */
  insert(storeId: string, ref: string, invoicePrefix: string, invoice: NewInvoice): Promise<InvoiceRecord>;
  find(storeId: string, lookup: InvoiceLookup): Promise<InvoiceRecord | null>;
  /** Same, but locks the row (FOR UPDATE) for the rest of the transaction. */
  findForUpdate(storeId: string, lookup: InvoiceLookup): Promise<InvoiceRecord | null>;
  list(storeId: string, filter: { status?: InvoiceStatus; limit: number; offset: number }): Promise<InvoicePage>;
  setStatus(id: number, status: InvoiceStatus): Promise<void>;
}

export interface StoredResponse {
  operation: string;
  requestHash: string;
  status: number;
  body: unknown;
}

export interface IdempotencyRepository {
  /**
   * Claims the key inside the current transaction. Returns null when the claim is new; otherwise the
   * response stored by the earlier request (a concurrent one is waited for by the database).
   */
  claim(storeId: string, key: string, operation: string, requestHash: string): Promise<StoredResponse | null>;
  complete(storeId: string, key: string, status: number, body: unknown): Promise<void>;
}

export interface RateLimitRepository {
  /** Counts one hit in the fixed window and returns the count so far in it. */
  hit(bucket: string, windowStart: number): Promise<number>;
  /** Drops windows that ended before `before` (unix seconds). */
  prune(before: number): Promise<number>;
}

export interface Repositories {
  stores: StoreRepository;
  apiKeys: ApiKeyRepository;
  invoices: InvoiceRepository;
  idempotency: IdempotencyRepository;
  rateLimits: RateLimitRepository;
}

export interface Database {
  /** Repositories outside any explicit transaction (each call autocommits). */
  repos(): Repositories;
  /** Runs `fn` in one database transaction; everything it does commits or rolls back together. */
  transaction<T>(fn: (repos: Repositories) => Promise<T>): Promise<T>;
  /** Cheap round trip used by the health check. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
