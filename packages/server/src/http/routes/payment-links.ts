import type { Request } from "express";
import type { Database } from "../../ports.js";
import type { CheckoutService } from "../../services/checkout.js";
import { idempotent } from "../../services/idempotency.js";
import type { PaymentLinkCheckout } from "../../services/payment-link-checkout.js";
import type { PaymentLinkService } from "../../services/payment-links.js";
import { requestOrigin } from "../request-origin.js";
import type { Handlers } from "../route.js";
import { serializeCheckoutInvoice } from "../serializers/checkout.js";
import { serializePaymentLink, serializePublicPaymentLink } from "../serializers/payment-link.js";

/** Who is paying, as far as the per-visitor rules go: the client address. */
export function clientAddress(req: Request): string {
  return req.ip ?? "unknown";
}

/** The merchant's payment links (API key). Thin handlers: validated input -> one service call -> serializer. */
export function paymentLinkHandlers(db: Database, links: PaymentLinkService): Handlers {
  return {
    listPaymentLinks: async ({ auth }) => ({
      status: 200,
      body: { payment_links: (await links.list(auth)).map(serializePaymentLink) },
    }),
    createPaymentLink: async ({ auth, body, idempotencyKey }) => {
      const prepared = links.prepare(auth, body);
      return idempotent(
        db,
        { storeId: auth.store.id, key: idempotencyKey, operation: "createPaymentLink", request: body },
        async (repos) => ({ status: 201, body: serializePaymentLink(await links.insert(repos, auth, prepared)) }),
      );
    },
    deletePaymentLink: async ({ auth, params }) => {
      await links.deactivate(auth, params.slug);
      return { status: 200, body: { ok: true } };
    },
  };
}

/** The payer's side of links (no key; mounted on the public router). */
export function publicPaymentLinkHandlers(links: PaymentLinkCheckout, checkout: CheckoutService): Handlers {
  return {
    getPublicPaymentLink: async ({ params }) => ({
      status: 200,
      body: serializePublicPaymentLink(await links.link(params.slug)),
    }),
    createPaymentLinkInvoice: async ({ params, body, req }) => {
      const result = await links.createInvoice(params.slug, body?.amount, clientAddress(req));
      // Read back as the checkout poll would, so both answers are the same document.
      const view = await checkout.invoice(result.invoice.ref);
      return { status: result.created ? 201 : 200, body: serializeCheckoutInvoice(view, requestOrigin(req)) };
    },
  };
}
