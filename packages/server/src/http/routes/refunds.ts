import type { RefundService } from "../../services/refunds.js";
import { requestOrigin } from "../request-origin.js";
import type { Handlers } from "../route.js";
import { serializeRefund } from "../serializers/refund.js";

/** The merchant's refunds (API key). Thin handlers: validated input -> one service call -> serializer. */
export function refundHandlers(refunds: RefundService): Handlers {
  return {
    listRefunds: async ({ auth, query, req }) => {
      const limit = query.limit ?? 50;
      const offset = query.offset ?? 0;
      const page = await refunds.list(auth.store.id, { status: query.status, limit, offset });
      const origin = requestOrigin(req);
      return {
        status: 200,
        body: { refunds: page.refunds.map((r) => serializeRefund(r, origin)), total: page.total, limit, offset },
      };
    },
    getRefund: async ({ auth, params, req }) => ({
      status: 200,
      body: serializeRefund(await refunds.get(auth.store.id, params.ref), requestOrigin(req)),
    }),
    markRefundPaid: async ({ auth, params, body, req }) => ({
      status: 200,
      body: serializeRefund(await refunds.markPaid(auth.store.id, params.ref, body.txid), requestOrigin(req)),
    }),
    cancelRefund: async ({ auth, params, req }) => ({
      status: 200,
      body: serializeRefund(await refunds.cancel(auth.store.id, params.ref), requestOrigin(req)),
    }),
  };
}
