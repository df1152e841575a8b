/**
 * Refunds owed to payers (Greenfield pull payments): a shop makes one, the payer leaves an address on
 * its claim page, the merchant pays from their own wallet and records the txid. btpay holds no keys
 * and never sends money.
 *
 * Rate and rounding (docs/decisions/0017-refunds.md): the BTC amount is fixed when the payer
 * claims, at the CURRENT btpay rate for the refund's currency, not the refunded invoice's rate. A
 * shop refunds an amount in its own currency (WooCommerce refunds in the order's currency); at
 * today's rate the payer gets that value, whatever BTC did since they paid, which is what BTCPay
 * does for fiat pull payments too. Satoshis are rounded HALF_UP, btpay's one rounding rule
 * (domain/pricing.ts): rounding down would differ by under one satoshi and need a second rule.
 */
import { randomBytes } from "node:crypto";
import { address as addressCodec, initEccLib } from "bitcoinjs-lib";
import * as ecc from "tiny-secp256k1";
import { minorUnits, normalizeCurrency } from "../domain/currency.js";
import { Decimal, HALF_UP } from "../domain/decimal.js";
import { ConflictError, NotFoundError, ValidationError } from "../domain/errors.js";
import { btcAmountSats } from "../domain/pricing.js";
import type { RefundRecord, RefundState } from "../ports/refunds.js";
import type { Clock, Database, Repositories } from "../ports.js";
import { type BitcoinNetwork, networkParams } from "../wallet/network.js";
import type { RateService } from "./rates.js";

// Taproot (bc1p...) addresses are checked through bitcoinjs-lib's library-wide ECC backend.
initEccLib(ecc);

/** Below this an output is dust: no wallet would send it and no node would relay it. */
export const REFUND_DUST_SATS = 546n;

/** `numeric(30,8)`: at most 22 integer digits; real refunds are far below this. */
const MAX_AMOUNT = Decimal.fromUnits(10n ** 15n, 0);

export interface RefundCreate {
  name: string;
  description: string | null;
  /** Decimal string. */
  amount: string;
  /** ISO 4217, or BTC / SATS. */
  currency: string;
  expiresAt: Date | null;
}

/**
 * A refund's amount as answers print it: a fiat amount with at least its currency's minor units
 * ("25" USD is "25.00", like invoice amounts), never rounded; a BTC amount as stored.
 */
export function refundAmountText(amount: string, currency: string): string {
  const d = Decimal.parse(amount);
  const places = currency === "BTC" ? 0 : minorUnits(currency);
  return d.format(Math.max(places, d.decimalPlaces()));
}

/** Unguessable public id (128 random bits): whoever holds the claim link can claim the refund. */
export function newRefundRef(): string {
  return randomBytes(16).toString("base64url");
}

export class RefundService {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly rates: RateService,
    readonly network: BitcoinNetwork,
  ) {}

  async create(storeId: string, input: RefundCreate): Promise<RefundRecord> {
    const { amount, currency } = price(input.amount, input.currency);
    const name = input.name.trim();
    if (name.length > 200) throw new ValidationError("must be at most 200 characters", "name");
    const description = input.description?.trim() || null;
    if (description && description.length > 2000) {
      throw new ValidationError("must be at most 2000 characters", "description");
    }
    if (input.expiresAt && input.expiresAt.getTime() <= this.clock.now().getTime()) {
      throw new ValidationError("must be in the future", "expiresAt");
    }
    const repos = this.db.repos();
    const invoiceId = await linkedInvoice(repos, storeId, `${name}\n${description ?? ""}`);
    return repos.refunds.insert({
      ref: newRefundRef(),
      storeId,
      invoiceId,
      name,
      description,
      amount,
      currency,
      expiresAt: input.expiresAt,
    });
  }

  list(
    storeId: string,
    page: { status?: RefundState | undefined; limit: number; offset: number },
  ): Promise<{ refunds: RefundRecord[]; total: number }> {
    return this.db.repos().refunds.list(storeId, { state: page.status, limit: page.limit, offset: page.offset });
  }

  async get(storeId: string, ref: string): Promise<RefundRecord> {
    const refund = await this.db.repos().refunds.get(storeId, ref);
    if (!refund) throw notFound(ref);
    return refund;
  }

  find(storeId: string, ref: string): Promise<RefundRecord | null> {
    return this.db.repos().refunds.get(storeId, ref);
  }

  /** The store a refund belongs to (refs are unique across stores): for the CLI, which has no key. */
  async storeOf(ref: string): Promise<string> {
    const refund = await this.db.repos().refunds.findByRef(ref);
    if (!refund) throw notFound(ref);
    return refund.storeId;
  }

  /** What the payer's claim page shows (by ref alone: the ref is the secret). */
  publicView(ref: string): Promise<{ refund: RefundRecord; storeName: string } | null> {
    return this.db.repos().refunds.findPublic(ref);
  }

  /**
   * The payer claims: the address is checked for this server's network, the BTC amount fixed at the
   * current rate, and the claim recorded, all in one transaction that holds the refund's row, so of
   * two claims at once exactly one wins. 400 for a bad address or no rate (nothing changes), 409
   * when the refund no longer awaits a claim.
   */
  async claim(ref: string, rawAddress: string): Promise<RefundRecord> {
    const address = checkClaimAddress(rawAddress, this.network);
    return this.db.transaction(async (repos) => {
      const refund = await repos.refunds.findByRefForUpdate(ref);
      if (!refund) throw notFound(ref);
      const now = this.clock.now();
      if (refund.state !== "awaiting_claim") throw new ConflictError(notClaimable(refund));
      if (refund.expiresAt && refund.expiresAt.getTime() <= now.getTime()) {
        throw new ConflictError("this refund offer has expired; please contact the shop");
      }
      const { sats, rate } = await this.fix(refund, repos);
      if (sats < REFUND_DUST_SATS) {
        throw new ValidationError(
          `this refund is ${sats} sats at today's rate, too little to send on-chain; please contact the shop`,
        );
      }
      const claimed = await repos.refunds.claim(ref, { address, sats, rate, at: now });
      if (!claimed) throw new ConflictError("this refund has already been claimed");
      return claimed;
    });
  }

  /** claimed -> paid with the merchant's txid; the same txid again answers the refund unchanged. */
  async markPaid(storeId: string, ref: string, rawTxid: string): Promise<RefundRecord> {
    const txid = rawTxid.toLowerCase();
    if (!/^[0-9a-f]{64}$/.test(txid)) throw new ValidationError("must be 64 hexadecimal characters", "txid");
    const repos = this.db.repos();
    const paid = await repos.refunds.markPaid(storeId, ref, txid, this.clock.now());
    if (paid) return paid;
    const current = await repos.refunds.get(storeId, ref);
    if (!current) throw notFound(ref);
    if (current.state === "paid" && current.txid === txid) return current;
    if (current.state === "paid") {
      throw new ValidationError(`refund ${ref} is already marked paid with another transaction (${current.txid})`);
    }
    throw new ValidationError(
      current.state === "awaiting_claim"
        ? `refund ${ref} is not claimed yet: the payer has not left an address to pay to`
        : `refund ${ref} is cancelled and cannot be marked paid`,
    );
  }

  /** Unpaid -> cancelled; cancelling a cancelled refund answers it unchanged, a paid one is refused. */
  async cancel(storeId: string, ref: string): Promise<RefundRecord> {
    const repos = this.db.repos();
    const cancelled = await repos.refunds.cancel(storeId, ref);
    if (cancelled) return cancelled;
    const current = await repos.refunds.get(storeId, ref);
    if (!current) throw notFound(ref);
    if (current.state === "cancelled") return current;
    throw new ValidationError(`refund ${ref} is already paid (${current.txid}) and cannot be cancelled`);
  }

  /** The satoshis owed now, and the rate that made them (null for a refund priced in BTC). */
  private async fix(refund: RefundRecord, repos: Repositories): Promise<{ sats: bigint; rate: string | null }> {
    if (refund.currency === "BTC") return { sats: Decimal.parse(refund.amount).toUnits(8), rate: null };
    const quote = await this.rates.quote(refund.currency, repos).catch((err: unknown) => {
      if (!(err instanceof ValidationError)) throw err;
      // The rate service words its refusal for invoices; the payer needs to know to come back.
      throw new ValidationError(
        `no current ${refund.currency} exchange rate is available to fix the bitcoin amount; please try again in a few minutes`,
      );
    });
    // The refund row stores the rate at 8 decimals; price on exactly what is stored.
    const rate = Decimal.parse(quote.rate).rescale(8, HALF_UP).toString();
    return { sats: btcAmountSats(refund.amount, rate, "0"), rate };
  }
}

/** Amount and currency as a shop sends them; SATS (the plugin's sats mode) is stored as BTC. */
function price(rawAmount: string, rawCurrency: string): { amount: string; currency: string } {
  const code = rawCurrency.trim().toUpperCase();
  let amount = Decimal.parse(rawAmount.trim(), "amount");
  if (!amount.isPositive()) throw new ValidationError("must be more than 0", "amount");
  if (amount.compare(MAX_AMOUNT) >= 0) throw new ValidationError("is too large", "amount");
  let currency = code;
  if (code === "SATS" || code === "SAT") {
    if (amount.decimalPlaces() > 0) throw new ValidationError("must be a whole number of satoshis", "amount");
    amount = Decimal.fromUnits(amount.toUnits(0), 8);
    currency = "BTC";
  } else if (code !== "BTC") {
    currency = normalizeCurrency(code, "currency");
  }
  if (amount.decimalPlaces() > 8) throw new ValidationError("must have at most 8 decimal places", "amount");
  return { amount: amount.normalize().toString(), currency };
}

/**
 * The refunded invoice, when the shop's text names one: a btpay invoice ref, or an order number the
 * way the WooCommerce plugin writes it ("Refund of order 1234; reason", "Refund for order no.: 1234").
 */
async function linkedInvoice(repos: Repositories, storeId: string, text: string): Promise<number | null> {
  const ref = /\b([0-9A-F]{8}-[0-9A-F]{8})\b/.exec(text)?.[1];
  if (ref) {
    const id = await repos.refunds.findInvoiceId(storeId, { ref });
    if (id !== null) return id;
  }
  const orderId = /\border\s+(?:no\.?:?\s*)?#?([A-Za-z0-9_-]{1,64})/i.exec(text)?.[1];
  return orderId ? repos.refunds.findInvoiceId(storeId, { orderId }) : null;
}

const OTHER_NETWORKS: { name: string; network: BitcoinNetwork }[] = [
  { name: "mainnet", network: "mainnet" },
  { name: "testnet or signet", network: "testnet" },
  { name: "regtest", network: "regtest" },
];

/**
 * A payer's address, valid on `network` (bitcoinjs-lib decodes it to an output script). A `bitcoin:`
 * URI is read for its address. Another network's address gets a message naming both networks.
 */
export function checkClaimAddress(raw: string, network: BitcoinNetwork): string {
  let address = raw.trim();
  if (/^bitcoin:/i.test(address)) address = address.slice("bitcoin:".length).split("?")[0] ?? "";
  if (address.length === 0) throw new ValidationError("enter the Bitcoin address to receive the refund", "address");
  if (address.length > 100) throw new ValidationError("this is not a Bitcoin address", "address");
  if (decodes(address, network)) return address;
  const other = OTHER_NETWORKS.find(
    (o) => networkParams(o.network) !== networkParams(network) && decodes(address, o.network),
  );
  if (other) {
    throw new ValidationError(
      `this is a ${other.name} address, but this shop is paid on Bitcoin ${network}; enter a ${network} address`,
      "address",
    );
  }
  throw new ValidationError(`this is not a valid Bitcoin ${network} address`, "address");
}

function decodes(address: string, network: BitcoinNetwork): boolean {
  try {
    addressCodec.toOutputScript(address, networkParams(network));
    return true;
  } catch {
    return false;
  }
}

function notClaimable(refund: RefundRecord): string {
  if (refund.state === "claimed") return "this refund has already been claimed";
  if (refund.state === "paid") return "this refund has already been paid";
  return "this refund was cancelled by the shop";
}

const notFound = (ref: string) => new NotFoundError(`refund ${ref} not found`);
