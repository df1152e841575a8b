import type { ChainTip } from "./chain/chain-source.js";
import type { InvoiceLookup, InvoiceQuote, InvoiceRecord, InvoiceStatus, NewInvoice } from "./domain/invoice.js";
import type { PaymentRecord } from "./domain/payment.js";
import type { NewPaymentLink, PaymentLinkRecord } from "./domain/payment-link.js";
import type { GreenfieldInvoiceRepository } from "./ports/greenfield-invoices.js";
import type { RefundRepository } from "./ports/refunds.js";
import type { UserRepository } from "./ports/users.js";

/** What the services need from the outside world. `db/` implements the repositories. */

export interface StoreRecord {
  id: string;
  name: string;
  invoicePrefix: string;
  defaultCurrency: string;
  /** Percent added to the BTC amount, as an exact decimal string. */
  markupPercent: string;
  /** Default confirmations for `confirmed` (0, 1, 2 or 6); an invoice may override it. */
  requiredConfirmations: number;
  /** Accepted underpayment, percent (exact decimal string). */
  underpaymentTolerancePercent: string;
  createdAt: Date;
}

export type ApiKeyAccess = "full" | "read_only";

export interface ApiKeyRecord {
  id: number;
  storeId: string;
  name: string;
  prefix: string;
  access: ApiKeyAccess;
  /** Greenfield keys (WooCommerce bridge): the policies granted on the store; null for btpay's own keys. */
  permissions: string[] | null;
  /** Greenfield keys: the store owner who granted them (connect flow); null otherwise. */
  userId: string | null;
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
    /** Greenfield keys only: the policies granted on this key's store, and the user who granted them. */
    permissions?: string[] | null;
    userId?: string | null;
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
    tokens: number,
  ): Promise<{ key: ApiKeyRecord; store: StoreRecord; hits: number } | null>;
}

/**
 * One invoice row's identity and version (Postgres's `xmin`: every update of the row changes it,
 * whichever process or transaction made it), enough to know whether a rendering is still current.
 */
export interface InvoiceVersion {
  id: number;
  version: string;
}

/** A page of one store's invoices, newest first, optionally of one status. */
export interface InvoiceListQuery {
  storeId: string;
  status?: InvoiceStatus;
  limit: number;
  offset: number;
}

export interface InvoicePage {
  page: InvoiceVersion[];
  total: number;
}

/** A draft ready to insert: its ref, its store's number prefix, the invoice and its `created` event. */
export interface NewDraft {
  ref: string;
  invoicePrefix: string;
  invoice: NewInvoice;
  created: { type: string; data: Record<string, unknown> };
}

export interface InvoiceRepository {
  /**
   * Inserts a draft with the store's next invoice number (`<prefix><n, at least 4 digits>`) and
   * appends `created` to the outbox, all in ONE statement: atomic without a transaction (a crash
   * can never keep the invoice and lose its event), one round trip and one commit. The event's
   * `data.invoice_number` is set to the number taken.
   */
  insert(storeId: string, draft: NewDraft): Promise<InvoiceRecord>;
  /**
   * The same for several drafts of one store in ONE statement: numbers are taken in the drafts'
   * order, all or nothing. Answers in the drafts' order; empty when the store does not exist.
   */
  insertMany(storeId: string, drafts: readonly NewDraft[]): Promise<InvoiceRecord[]>;
  find(storeId: string, lookup: InvoiceLookup): Promise<InvoiceRecord | null>;
  /** Several lookups of one kind in one round trip; answers in their order, null where none matched. */
  findMany(
    by: InvoiceLookup["by"],
    keys: readonly { storeId: string; lookup: InvoiceLookup }[],
  ): Promise<(InvoiceRecord | null)[]>;
  /** Same, but locks the row (FOR UPDATE) for the rest of the transaction. */
  findForUpdate(storeId: string, lookup: InvoiceLookup): Promise<InvoiceRecord | null>;
  /** Locks the invoice and reads its store's active wallet in the same round trip (finalize). */
  findForUpdateWithWallet(
    storeId: string,
    lookup: InvoiceLookup,
  ): Promise<{ invoice: InvoiceRecord; wallet: WalletRecord | null } | null>;
  /** The same without a lock (finalize's first attempt, outside any transaction). */
  findWithWallet(
    storeId: string,
    lookup: InvoiceLookup,
  ): Promise<{ invoice: InvoiceRecord; wallet: WalletRecord | null } | null>;
  /** Pages of invoices, newest first, as versions, each with its filter's total; one round trip for all. */
  listMany(queries: readonly InvoiceListQuery[]): Promise<InvoicePage[]>;
  /** The store's invoices with these ids (any order; unknown ids are left out), each with its version. */
  findVersions(storeId: string, ids: readonly number[]): Promise<{ invoice: InvoiceRecord; version: string }[]>;
  /**
   * A finalized invoice by ref in any store, with its store's name, its payments and the chain tip
   * (one round trip: open checkout pages poll this). Null for drafts and unknown refs.
   */
  findPublic(ref: string, network: string): Promise<PublicInvoice | null>;
  setStatus(id: number, status: InvoiceStatus): Promise<void>;
  /** draft -> pending with the locked quote and the address. */
  markFinalized(id: number, fields: FinalizeFields): Promise<void>;
  /**
   * One statement: locks the invoice if it is still a draft, claims the wallet's lowest pre-derived
   * address (FOR UPDATE SKIP LOCKED) for it and marks it pending with the quote and that address.
   * Atomic on its own, so it may run outside a transaction. Null (and nothing changed) when the
   * invoice is no longer a draft or no pre-derived address is available.
   */
  finalizeWithPooledAddress(
    id: number,
    walletId: number,
    quote: Omit<FinalizeFields, "paymentAddress">,
  ): Promise<AssignedAddress | null>;
}

export interface PublicInvoice {
  invoice: InvoiceRecord;
  storeName: string;
  payments: StoredPayment[];
  tipHeight: number | null;
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
  /**
   * Claims several distinct keys of one operation in the current transaction, in one round trip
   * (two when some were used before): which are new, and the stored response of each that is not.
   */
  claimMany(
    storeId: string,
    operation: string,
    claims: readonly { key: string; requestHash: string }[],
  ): Promise<{ claimed: Set<string>; earlier: Map<string, StoredResponse> }>;
  /** Stores the responses of keys claimed in the current transaction, in one round trip. */
  completeMany(storeId: string, replies: readonly { key: string; status: number; body: unknown }[]): Promise<void>;
}

export interface RateLimitRepository {
  /** Adds `tokens` (default 1) to the bucket's count in the fixed window; returns the new count. */
  hit(bucket: string, windowStart: number, tokens?: number): Promise<number>;
  /** Drops windows that ended before `before` (unix seconds). */
  prune(before: number): Promise<number>;
}

export interface WalletRecord {
  id: number;
  storeId: string;
  kind: "xpub" | "descriptor";
  network: string;
  scriptType: string;
  receiveDescriptor: string;
  changeDescriptor: string | null;
  fingerprint: string | null;
  derivationPath: string | null;
  gapLimit: number;
  nextIndex: number;
  highestPaidIndex: number | null;
  createdAt: Date;
}

export type NewWallet = Omit<WalletRecord, "id" | "storeId" | "nextIndex" | "highestPaidIndex" | "createdAt"> & {
  /** Receive address 0: identifies the address sequence (unique across all stores). */
  firstAddress: string;
};

export interface WalletRepository {
  active(storeId: string): Promise<WalletRecord | null>;
  /**
   * Makes `wallet` the store's active wallet. A wallet with the same address sequence that this store
   * used before is re-activated with its `next_index` (so no address is handed out twice); one that
   * belongs to another store is refused (`"other-store"`). Call in a transaction.
   */
  replace(storeId: string, wallet: NewWallet): Promise<WalletRecord | "other-store">;
  /**
   * Reserves `count` receive indexes for derivation and returns the first; the wallet row stays
   * locked until the transaction ends (keep that transaction short).
   */
  takeIndexes(walletId: number, count: number): Promise<number>;
  /** Highest receive index held by an invoice (assigned or released), or null when none. */
  highestHandedOut(walletId: number): Promise<number | null>;
}

export interface AssignedAddress {
  address: string;
  chain: number;
  index: number;
}

export interface AddressRepository {
  /** Stores pre-derived receive addresses as `available` (not handed out to anyone yet). */
  insertAvailable(
    walletId: number,
    rows: readonly { chain: number; index: number; address: string; scriptPubkey: string }[],
  ): Promise<void>;
  /**
   * Hands the lowest available address to `invoiceId` (FOR UPDATE SKIP LOCKED: concurrent finalizes
   * take different rows without waiting on each other), or null when none is available.
   */
  claimAvailable(walletId: number, invoiceId: number): Promise<AssignedAddress | null>;
  /**
   * Hands a released address (never paid, released before `releasedBefore`) to `invoiceId`, or null
   * when there is none. Rows are claimed with FOR UPDATE SKIP LOCKED.
   */
  reuseReleased(walletId: number, releasedBefore: Date, invoiceId: number): Promise<AssignedAddress | null>;
  /** Releases the invoice's address unless a payment to it was ever seen; true when released. */
  release(invoiceId: number, at: Date): Promise<boolean>;
}

export interface StoredRate {
  currency: string;
  rate: string;
  sources: string[];
  quotedAt: Date;
  fetchedAt: Date;
}

export interface ExchangeRateRepository {
  upsert(rates: readonly StoredRate[]): Promise<void>;
  all(): Promise<StoredRate[]>;
}

/** What finalize writes on the invoice: the locked quote and the address. */
export type FinalizeFields = InvoiceQuote;

/** A link's open invoices as the public checkout sees them (under the link's row lock). */
export interface PaymentLinkOpenInvoices {
  /** Still active (re-read under the lock: a concurrent deactivation wins). */
  isActive: boolean;
  /** This visitor's still-payable invoice for the same amount, if any. */
  reusableInvoiceId: number | null;
  /** Pending unexpired invoices, plus drafts created since `draftsSince` (about to be finalized). */
  open: number;
  /** When the first of the open invoices expires (a free slot is expected then). */
  nextExpiry: Date | null;
}

export interface PaymentLinkRepository {
  /** Inserts the link; null (nothing inserted) when `slug` is taken by any store. */
  insert(storeId: string, ref: string, slug: string, link: NewPaymentLink): Promise<PaymentLinkRecord | null>;
  /** Every slug starting with `prefix` (the candidates a generated slug must avoid). */
  slugsStartingWith(prefix: string): Promise<string[]>;
  /** A store's links, newest first, inactive ones included. */
  list(storeId: string): Promise<PaymentLinkRecord[]>;
  /** The link with this slug, active or not, whichever store it belongs to. */
  findBySlug(slug: string): Promise<PaymentLinkRecord | null>;
  /** False when the store has no link with this slug. */
  deactivate(storeId: string, slug: string): Promise<boolean>;
  /**
   * Locks the link's row until the transaction ends (so concurrent payers of one link are counted
   * one after another), then reads its open invoices as committed after the lock was granted.
   */
  lockOpenInvoices(
    linkId: number,
    visitor: { clientHash: string; total: string },
    now: Date,
    draftsSince: Date,
  ): Promise<PaymentLinkOpenInvoices>;
  /** Marks an invoice as created through the link by the visitor `clientHash`. */
  attachInvoice(invoiceId: number, linkId: number, clientHash: string): Promise<void>;
  /** The link an invoice (by ref) was created through, or null when none. */
  linkOfInvoice(ref: string): Promise<{ invoiceId: number; link: PaymentLinkRecord } | null>;
}

export interface Repositories {
  stores: StoreRepository;
  apiKeys: ApiKeyRepository;
  invoices: InvoiceRepository;
  idempotency: IdempotencyRepository;
  rateLimits: RateLimitRepository;
  wallets: WalletRepository;
  addresses: AddressRepository;
  exchangeRates: ExchangeRateRepository;
  chain: ChainRepository;
  outbox: OutboxRepository;
  paymentLinks: PaymentLinkRepository;
  webhooks: WebhookRepository;
  users: UserRepository;
  refunds: RefundRepository;
  greenfieldInvoices: GreenfieldInvoiceRepository;
}

export interface Database {
  /** Repositories outside any explicit transaction (each call autocommits). */
  repos(): Repositories;
  /** Runs `fn` in one database transaction; everything it does commits or rolls back together. */
  transaction<T>(fn: (repos: Repositories) => Promise<T>): Promise<T>;
  /**
   * Tries to become the one process doing `name` (e.g. the chain watcher); null when another holds
   * it. The lock ends when `release` is called or the process or its connection dies (`lost`).
   */
  tryLeadership(name: string): Promise<LeaderLock | null>;
  /**
   * Vacuums and analyzes the tables that need it, a few per call (housekeeping calls it every
   * minute). Only the embedded database has it: PostgreSQL's autovacuum does this by itself.
   */
  upkeep?(): Promise<TableUpkeep[]>;
  /** Cheap round trip used by the health check. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** What one upkeep pass did to one table. */
export interface TableUpkeep {
  table: string;
  action: "vacuum analyze" | "analyze";
  durationMs: number;
}

export interface LeaderLock {
  /** Settles when leadership is gone (released, or the connection holding it died). */
  lost: Promise<void>;
  release(): Promise<void>;
}

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A payment as stored: the domain record plus whether `payment.confirmed` was announced. */
export interface StoredPayment extends PaymentRecord {
  address: string;
  confirmedAnnounced: boolean;
}

/** An invoice the chain watcher looks after, with its address and recorded payments. */
export interface WatchedInvoice {
  id: number;
  storeId: string;
  ref: string;
  invoiceNumber: string;
  status: InvoiceStatus;
  currency: string;
  total: string;
  dueSats: bigint;
  finalizedAt: Date;
  expiresAt: Date;
  monitoringUntil: Date;
  requiredConfirmations: number;
  underpaymentTolerancePercent: string;
  watchUntil: Date | null;
  paidSats: bigint;
  flags: string[];
  address: string;
  scriptPubKeyHex: string;
  payments: StoredPayment[];
}

export interface LifecycleUpdate {
  status: InvoiceStatus;
  paidSats: bigint;
  /** Fiat equivalent of paidSats (exact decimal string). */
  amountPaid: string;
  flags: string[];
  watchUntil: Date | null;
  at: Date;
}

export interface NewOutboxEvent {
  storeId: string;
  type: string;
  invoiceId: number | null;
  data: Record<string, unknown>;
}

export interface ChainRepository {
  /**
   * Invoices to watch at `now`: open ones (pending, partial, paid) and confirmed or expired ones
   * whose `watch_until` has not passed, with their payments.
   */
  watched(now: Date): Promise<WatchedInvoice[]>;
  /** One watched invoice, its row locked (FOR UPDATE) until the transaction ends. */
  lockWatched(invoiceId: number): Promise<WatchedInvoice | null>;
  /** Inserts or updates payments by (txid, vout); never deletes. */
  savePayments(invoiceId: number, payments: readonly StoredPayment[]): Promise<void>;
  saveLifecycle(invoiceId: number, update: LifecycleUpdate): Promise<void>;
  /** The invoice's address has been paid: never released or reused; advances the wallet's gap state. */
  markAddressPaid(invoiceId: number): Promise<void>;
  appendEvents(events: readonly NewOutboxEvent[]): Promise<void>;
  saveTip(network: string, source: string, tip: ChainTip): Promise<void>;
  tip(network: string): Promise<ChainTip | null>;
  payments(invoiceId: number): Promise<StoredPayment[]>;
}

export interface OutboxEventRecord extends NewOutboxEvent {
  id: number;
  createdAt: Date;
}

export interface OutboxRepository {
  /** Events of a store after `afterId`, oldest first (tests and the webhook dispatcher). */
  list(storeId: string, afterId: number, limit: number): Promise<OutboxEventRecord[]>;
}

/** `btpay`: the reference's payloads and signatures; `greenfield`: BTCPay's (WooCommerce bridge). */
export type WebhookFormat = "btpay" | "greenfield";

export interface WebhookRecord {
  id: number;
  storeId: string;
  url: string;
  events: string[];
  description: string | null;
  isActive: boolean;
  createdAt: Date;
  format: WebhookFormat;
  /** A Greenfield hook's own settings as the shop sent them (enabled, automaticRedelivery, authorizedEvents). */
  greenfield: Record<string, unknown> | null;
}

export type DeliveryState = "pending" | "succeeded" | "failed" | "cancelled";

export interface AttemptRecord {
  attempt: number;
  startedAt: Date;
  durationMs: number;
  status: number | null;
  error: string | null;
}

export interface DeliveryRecord {
  id: number;
  webhookId: number;
  eventId: number;
  eventType: string;
  state: DeliveryState;
  attempts: number;
  nextAttemptAt: Date | null;
  deliveredAt: Date | null;
  createdAt: Date;
  attemptLog: AttemptRecord[];
}

/** A delivery claimed for sending, with what is needed to send it. */
export interface ClaimedDelivery {
  id: number;
  webhookId: number;
  url: string;
  secretEncrypted: string;
  attempts: number;
  format: WebhookFormat;
  greenfield: Record<string, unknown> | null;
  event: {
    id: number;
    type: string;
    data: Record<string, unknown>;
    createdAt: Date;
    storeId: string;
    invoiceId: number | null;
  };
}

/** What a Greenfield payload needs beyond the stored event, read when it is sent. */
export interface GreenfieldEventContext {
  /**
   * The invoice's metadata, flags, manual mark and whether it went Invalid at its monitoring
   * expiration, now; null when the event has no invoice.
   */
  invoice: {
    ref: string;
    metadata: Record<string, unknown>;
    flags: string[];
    manualStatus: string | null;
    invalidated: boolean;
  } | null;
  /** When the event's payment (if any) was first seen. */
  paymentFirstSeenAt: Date | null;
}

export interface WebhookRepository {
  create(w: {
    storeId: string;
    url: string;
    events: string[];
    description: string | null;
    secretEncrypted: string;
    /** Default `btpay`. */
    format?: WebhookFormat;
    greenfield?: Record<string, unknown> | null;
  }): Promise<WebhookRecord>;
  /**
   * Changes a live endpoint (a Greenfield hook's PUT): url, events, settings, and the secret when
   * given; `cancelPending` also cancels its queued deliveries (a hook switched off). Null when the
   * store has no such live endpoint.
   */
  update(
    storeId: string,
    id: number,
    w: {
      url: string;
      events: string[];
      greenfield: Record<string, unknown> | null;
      secretEncrypted: string | null;
      cancelPending: boolean;
    },
  ): Promise<WebhookRecord | null>;
  list(storeId: string): Promise<WebhookRecord[]>;
  get(storeId: string, id: number): Promise<WebhookRecord | null>;
  /** Deactivates and cancels its pending deliveries; false when not this store's or already inactive. */
  deactivate(storeId: string, id: number, at: Date): Promise<boolean>;
  deliveries(webhookId: number, limit: number, offset: number): Promise<DeliveryRecord[]>;
  delivery(webhookId: number, deliveryId: number): Promise<DeliveryRecord | null>;
  /** Queues a delivery again now with fresh retries; false when it does not exist. */
  requeue(webhookId: number, deliveryId: number, now: Date): Promise<boolean>;
  /**
   * Leases up to `perEndpoint` consecutive due deliveries at the head of each active endpoint's
   * queue (at most `maxEndpoints` endpoints), oldest first: per-endpoint order is kept because only
   * an endpoint's oldest pending deliveries are ever handed out, and each lease is exclusive.
   */
  claim(now: Date, leaseUntil: Date, maxEndpoints: number, perEndpoint: number): Promise<ClaimedDelivery[]>;
  /** Records an attempt and the delivery's new state (succeeded, retry at `nextAttemptAt`, failed). */
  recordAttempt(
    deliveryId: number,
    attempt: AttemptRecord & { responseSnippet: string | null },
    outcome: { state: "succeeded" | "pending" | "failed"; nextAttemptAt: Date | null },
  ): Promise<void>;
  /** Gives back leases not used (an earlier delivery of the same endpoint failed). */
  release(deliveryIds: readonly number[]): Promise<void>;
  /** Settles a claimed delivery without sending it (`cancelled`, with why): nothing to announce. */
  skip(deliveryId: number, reason: string): Promise<void>;
  /** The invoice and payment details a Greenfield payload needs for outbox event `eventId`. */
  greenfieldContext(eventId: number): Promise<GreenfieldEventContext>;
}
