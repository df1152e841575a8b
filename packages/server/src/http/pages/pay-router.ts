import express, { type NextFunction, type Request, type Response, Router } from "express";
import { DomainError, RateLimitedError } from "../../domain/errors.js";
import type { Clock } from "../../ports.js";
import type { PaymentLinkCheckout } from "../../services/payment-link-checkout.js";
import type { RateLimiter } from "../../services/rate-limiter.js";
import { publicAccess } from "../middleware/public-access.js";
import { clientAddress } from "../routes/payment-links.js";
import { checkoutPath, serializePublicPaymentLink } from "../serializers/payment-link.js";
import { renderCheckoutPage } from "./checkout-page.js";
import { renderErrorPage } from "./error-page.js";
import { sendPage } from "./layout.js";
import { renderLinkPage } from "./link-page.js";

export interface PayPagesDeps {
  checkout: PaymentLinkCheckout;
  /** The public API's per-client-address limiter: pages and JSON share one budget per payer. */
  limiter: RateLimiter;
  clock: Clock;
  bodyLimitBytes: number;
}

const NOT_FOUND = "This payment link or invoice does not exist, or is no longer available.";

/**
 * The hosted pages of payment links, mounted at `/pay`: the link page, the form post that makes the
 * invoice (the same service and limits as the public JSON endpoint), and the checkout page.
 */
export function payPages({ checkout, limiter, clock, bodyLimitBytes }: PayPagesDeps): Router {
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
    res.redirect(303, checkoutPath(made.link.slug, made.invoice.ref));
  });
  router.get("/:slug/:ref", async (req: Request<{ slug: string; ref: string }>, res) => {
    sendPage(res, 200, renderCheckoutPage(await checkout.invoice(req.params.ref, req.params.slug), clock.now()));
  });

  router.use((_req, res) => sendPage(res, 404, renderErrorPage(404, NOT_FOUND)));
  router.use(pageErrors);
  return router;
}

/** Errors as HTML pages: the API's error middleware answers JSON, which a payer's browser should not see. */
function pageErrors(err: unknown, req: Request, res: Response, _next: NextFunction): void {
  if (res.headersSent) {
    req.socket.destroy();
    return;
  }
  // Where to try again from: the link page, when the path names a plausible slug.
  const slug = req.path.split("/")[1] ?? "";
  const back = /^[a-z0-9-]{1,64}$/.test(slug) ? `/pay/${slug}` : undefined;
  if (err instanceof DomainError && err.status < 500) {
    if (err instanceof RateLimitedError) res.setHeader("Retry-After", String(err.retryAfterSeconds));
    const message = err.status === 404 ? NOT_FOUND : err.message;
    sendPage(res, err.status, renderErrorPage(err.status, message, err.status === 404 ? undefined : back));
    return;
  }
  const parserError = err as { type?: string; status?: number };
  if (typeof parserError.status === "number" && parserError.status >= 400 && parserError.status < 500) {
    sendPage(res, parserError.status, renderErrorPage(parserError.status, "The form could not be read.", back));
    return;
  }
  res.locals.log?.error({ err }, "unhandled error");
  sendPage(
    res,
    500,
    renderErrorPage(500, `Please try again in a moment (request ${String(res.locals.requestId ?? "")}).`, back),
  );
}
