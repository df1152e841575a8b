import { createHash } from "node:crypto";
import type { CheckoutService } from "../../services/checkout.js";
import { EtagMemo } from "../etag-memo.js";
import { requestOrigin } from "../request-origin.js";
import type { Handlers } from "../route.js";
import { serializeCheckoutInvoice } from "../serializers/checkout.js";

type CheckoutBody = ReturnType<typeof serializeCheckoutInvoice>;

/** The checkout poll (no key; mounted on the public router): thousands of open pages call it. */
export function publicCheckoutHandlers(checkout: CheckoutService): Handlers {
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
  return {
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
}

function weakEtag(body: unknown): string {
  return `W/"${createHash("sha1").update(JSON.stringify(body)).digest("base64url").slice(0, 22)}"`;
}
