import { createHash } from "node:crypto";
import type { RequestHandler } from "express";
import type { CheckoutService } from "../../services/checkout.js";
import { EtagMemo } from "../etag-memo.js";
import { requestOrigin } from "../request-origin.js";
import type { Handlers } from "../route.js";
import { serializeCheckoutInvoice } from "../serializers/checkout.js";

type CheckoutBody = ReturnType<typeof serializeCheckoutInvoice>;

export interface PublicCheckoutRoutes {
  handlers: Handlers;
  /**
   * `GET /invoices/:ref` ahead of the generated validation: a poll repeating the ETag this process
   * served under a second ago is a 304 at once (the memo only ever holds keys of valid refs, so
   * nothing unvalidated gets through); anything else goes on to the validated handler.
   */
  notModified: RequestHandler;
}

/** The checkout poll (no key; mounted on the public router): thousands of open pages call it. */
export function publicCheckoutRoutes(checkout: CheckoutService): PublicCheckoutRoutes {
  const recentEtags = new EtagMemo(1_000);
  // Polls of one invoice arriving together share one database read (when the memo has just
  // expired, every open page would otherwise read at once).
  const reads = new Map<string, Promise<CheckoutBody>>();
  const readOnce = (key: string, read: () => Promise<CheckoutBody>) => {
    let pending = reads.get(key);
    if (!pending) {
      pending = read().finally(() => reads.delete(key));
      reads.set(key, pending);
    }
    return pending;
  };
  const notModified: RequestHandler = (req, res, next) => {
    const ifNoneMatch = req.get("if-none-match");
    const ref = req.params.ref;
    if (
      !ifNoneMatch ||
      typeof ref !== "string" ||
      !recentEtags.fresh(`${ref.toUpperCase()}|${requestOrigin(req)}`, ifNoneMatch)
    ) {
      next();
      return;
    }
    res.setHeader("ETag", ifNoneMatch);
    res.setHeader("Cache-Control", "no-cache");
    res.status(304).end();
  };
  const handlers: Handlers = {
    getCheckoutInvoice: async ({ params, req }) => {
      // A poll repeating the ETag this process served under a second ago is a 304 without a
      // database read; otherwise read, hash, and 304 if still unchanged.
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
  return { handlers, notModified };
}

function weakEtag(body: unknown): string {
  return `W/"${createHash("sha1").update(JSON.stringify(body)).digest("base64url").slice(0, 22)}"`;
}
