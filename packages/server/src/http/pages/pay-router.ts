import express, { type Request, Router } from "express";
import type { PaymentLinkCheckout } from "../../services/payment-link-checkout.js";
import type { RateLimiter } from "../../services/rate-limiter.js";
import { publicAccess } from "../middleware/public-access.js";
import { checkoutPath } from "../request-origin.js";
import { clientAddress } from "../routes/payment-links.js";
import { serializePublicPaymentLink } from "../serializers/payment-link.js";
import { renderErrorPage } from "./error-page.js";
import { sendPage } from "./layout.js";
import { renderLinkPage } from "./link-page.js";
import { pageErrors } from "./page-errors.js";

export interface PayPagesDeps {
  checkout: PaymentLinkCheckout;
  /** The public API's per-client-address limiter: pages and JSON share one budget per payer. */
  limiter: RateLimiter;
  bodyLimitBytes: number;
}

const NOT_FOUND = "This payment link or invoice does not exist, or is no longer available.";

/**
 * The hosted pages of payment links, mounted at `/pay`: the link page and the form post that makes
 * the invoice (the same service and limits as the public JSON endpoint), which then goes to the
 * invoice's hosted checkout `/i/{ref}` (the `<btpay-invoice>` element).
 */
export function payPages({ checkout, limiter, bodyLimitBytes }: PayPagesDeps): Router {
  const router = Router();
  router.use(publicAccess(limiter));
  router.use(express.urlencoded({ extended: false, limit: bodyLimitBytes, parameterLimit: 10 }));

  router.get("/:slug", async (req: Request<{ slug: string }>, res) => {
    sendPage(res, 200, renderLinkPage(serializePublicPaymentLink(await checkout.link(req.params.slug))));
  });
  router.post("/:slug", async (req: Request<{ slug: string }>, res) => {
    const amount = (req.body as Record<string, unknown> | undefined)?.amount;
    const made = await checkout.createInvoice(req.params.slug, amount, clientAddress(req));
    // 303: the browser GETs the checkout, so a reload does not post the form again.
    res.redirect(303, checkoutPath(made.invoice.ref));
  });
  // Where checkouts of links lived before `/i/{ref}`: links already handed out keep working.
  router.get("/:slug/:ref", async (req: Request<{ slug: string; ref: string }>, res) => {
    res.redirect(301, checkoutPath(await checkout.invoiceRefOfLink(req.params.ref, req.params.slug)));
  });

  router.use((_req, res) => sendPage(res, 404, renderErrorPage(404, NOT_FOUND)));
  router.use(
    pageErrors(NOT_FOUND, (req) => {
      // Where to try again from: the link page, when the path names a plausible slug.
      const slug = req.path.split("/")[1] ?? "";
      return /^[a-z0-9-]{1,64}$/.test(slug) ? `/pay/${slug}` : undefined;
    }),
  );
  return router;
}
