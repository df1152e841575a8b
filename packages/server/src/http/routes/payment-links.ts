import { createHash } from "node:crypto";
import type { Request } from "express";
import type { Database } from "../../ports.js";
import { idempotent } from "../../services/idempotency.js";
import type { PaymentLinkCheckout } from "../../services/payment-link-checkout.js";
import type { PaymentLinkService } from "../../services/payment-links.js";
import { EtagMemo } from "../etag-memo.js";
import type { Handlers } from "../route.js";
import {
  serializeCheckoutInvoice,
  serializePaymentLink,
  serializePublicPaymentLink,
} from "../serializers/payment-link.js";

/** `<protocol>://<host[:port]>` the payer used (X-Forwarded-Proto/-Host honoured with BTPAY_TRUST_PROXY). */
export function requestOrigin(req: Request): string {
  return `${req.protocol}://${req.host || "localhost"}`;
}

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

/** The payer's side (no key; mounted on the public router). */
export function publicPaymentLinkHandlers(checkout: PaymentLinkCheckout): Handlers {
  const recentEtags = new EtagMemo(1_000);
  // Polls of one invoice arriving together share one database read (when the memo has just
  // expired, every open page would otherwise read at once).
  const reads = new Map<string, Promise<ReturnType<typeof serializeCheckoutInvoice>>>();
  const readOnce = (key: string, read: () => Promise<ReturnType<typeof serializeCheckoutInvoice>>) => {
    let pending = reads.get(key);
    if (!pending) {
      pending = read().finally(() => reads.delete(key));
      reads.set(key, pending);
    }
    return pending;
  };
  return {
    getPublicPaymentLink: async ({ params }) => ({
      status: 200,
      body: serializePublicPaymentLink(await checkout.link(params.slug)),
    }),
    createPaymentLinkInvoice: async ({ params, body, req }) => {
      const result = await checkout.createInvoice(params.slug, body?.amount, clientAddress(req));
      return { status: result.created ? 201 : 200, body: serializeCheckoutInvoice(result, requestOrigin(req)) };
    },
    getCheckoutInvoice: async ({ params, req }) => {
      // Open checkout pages poll this. A poll repeating the ETag this process served under a second
      // ago is a 304 without a database read; otherwise read, hash, and 304 if still unchanged.
      const key = `${params.ref.toUpperCase()}|${requestOrigin(req)}`;
      const ifNoneMatch = req.get("if-none-match");
      if (recentEtags.fresh(key, ifNoneMatch)) {
        return { status: 304, body: null, headers: { ETag: ifNoneMatch as string, "Cache-Control": "no-cache" } };
      }
      const body = await readOnce(key, () =>
        checkout.invoice(params.ref).then((view) => serializeCheckoutInvoice(view, requestOrigin(req))),
      );
      const etag = weakEtag(body);
      recentEtags.remember(key, etag);
      const headers = { ETag: etag, "Cache-Control": "no-cache" };
      if (ifNoneMatch === etag) return { status: 304, body: null, headers };
      return { status: 200, body, headers };
    },
  };
}

function weakEtag(body: unknown): string {
  return `W/"${createHash("sha1").update(JSON.stringify(body)).digest("base64url").slice(0, 22)}"`;
}
