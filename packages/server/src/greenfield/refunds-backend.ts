import type { GreenfieldBackend } from "@btpay/woocommerce-bridge";
import { DomainError, RateLimitedError, ValidationError } from "../domain/errors.js";
import type { RefundRecord } from "../ports/refunds.js";
import { RateLimiter } from "../services/rate-limiter.js";
import { RefundService, refundAmountText } from "../services/refunds.js";
import type { GreenfieldDeps } from "./deps.js";

type RefundsBackend = GreenfieldBackend["refunds"];
type RefundView = Awaited<ReturnType<RefundsBackend["get"]>> & {};

/**
 * Greenfield pull payments over btpay's refunds. Errors the bridge must show become values: field
 * problems (a 422 array) on create, a status and message on claim.
 */
export function refundsBackend(deps: GreenfieldDeps): RefundsBackend {
  const refunds = new RefundService(deps.db, deps.clock, deps.rates, deps.config.network);
  // Same buckets (`ip:<address>`) and limit as btpay's other public pages: one budget per payer.
  const limiter = new RateLimiter(deps.db, deps.clock, deps.config.publicRateLimitPerMinute);
  return {
    network: deps.config.network,
    now: () => deps.clock.now(),
    async create(storeId, input) {
      try {
        return toView(await refunds.create(storeId, input));
      } catch (err) {
        if (err instanceof ValidationError) return { problems: [{ path: err.field ?? "", message: err.reason }] };
        throw err;
      }
    },
    async get(storeId, id) {
      const r = await refunds.find(storeId, id);
      return r ? toView(r) : null;
    },
    async list(storeId, { includeArchived }) {
      // Greenfield lists without pages; a store's refunds are few, and 1,000 bounds the answer.
      const { refunds: page } = await refunds.list(storeId, { limit: 1000, offset: 0 });
      return page.filter((r) => includeArchived || r.state !== "cancelled").map(toView);
    },
    async archive(storeId, id) {
      const r = await refunds.find(storeId, id);
      if (!r) return null;
      if (r.state === "paid" || r.state === "cancelled") return toView(r);
      try {
        return toView(await refunds.cancel(storeId, id));
      } catch (err) {
        // Paid meanwhile (the merchant marked it): BTCPay archives anyway; btpay keeps it paid.
        if (err instanceof ValidationError) return toView(await refunds.get(storeId, id));
        throw err;
      }
    },
    async page(id) {
      const found = await refunds.publicView(id);
      return found ? { refund: toView(found.refund), storeName: found.storeName } : null;
    },
    async claim(id, address) {
      try {
        await refunds.claim(id, address);
        return { ok: true };
      } catch (err) {
        if (!(err instanceof DomainError) || ![400, 404, 409].includes(err.status)) throw err;
        const found = await refunds.publicView(id);
        return {
          ok: false,
          status: err.status as 400 | 404 | 409,
          message: err instanceof ValidationError ? err.reason : err.message,
          page: found ? { refund: toView(found.refund), storeName: found.storeName } : null,
        };
      }
    },
    async limitClient(clientAddress) {
      try {
        await limiter.hit(`ip:${clientAddress}`);
        return null;
      } catch (err) {
        if (err instanceof RateLimitedError) return err.retryAfterSeconds;
        throw err;
      }
    },
  };
}

function toView(r: RefundRecord): RefundView {
  return {
    id: r.ref,
    name: r.name,
    description: r.description,
    amount: refundAmountText(r.amount, r.currency),
    currency: r.currency,
    state: r.state,
    claimAddress: r.claimAddress,
    claimAmountSats: r.claimAmountSats,
    claimRate: r.claimRate,
    txid: r.txid,
    createdAt: r.createdAt,
    claimedAt: r.claimedAt,
    paidAt: r.paidAt,
    expiresAt: r.expiresAt,
  };
}
