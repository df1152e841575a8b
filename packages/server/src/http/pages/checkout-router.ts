import { Router } from "express";
import type { Clock } from "../../ports.js";
import type { CheckoutService } from "../../services/checkout.js";
import type { RateLimiter } from "../../services/rate-limiter.js";
import type { ElementsAssets } from "../elements-assets.js";
import { publicAccess } from "../middleware/public-access.js";
import { requestOrigin } from "../request-origin.js";
import { serializeCheckoutInvoice } from "../serializers/checkout.js";
import { renderCheckoutPage } from "./checkout-page.js";
import { renderErrorPage } from "./error-page.js";
import { CHECKOUT_CSP, sendPage } from "./layout.js";
import { pageErrors } from "./page-errors.js";
import { pageLanguage } from "./page-language.js";

export interface CheckoutPagesDeps {
  checkout: CheckoutService;
  assets: ElementsAssets;
  /** The public API's per-client-address limiter: pages and JSON share one budget per payer. */
  limiter: RateLimiter;
  clock: Clock;
}

const NOT_FOUND = "This invoice does not exist, or is not ready to be paid yet.";

/** `/i/{ref}`: the hosted checkout page of any finalized invoice. */
export function checkoutPages({ checkout, assets, limiter, clock }: CheckoutPagesDeps): Router {
  const router = Router();
  router.use(publicAccess(limiter));
  router.get("/:ref", async (req, res) => {
    const view = await checkout.invoice(req.params.ref);
    const invoice = serializeCheckoutInvoice(view, requestOrigin(req));
    const html = renderCheckoutPage(invoice, {
      scriptUrl: assets.url("btpay-invoice.js"),
      lang: pageLanguage(req.query.lang, req.get("accept-language")),
      now: clock.now(),
    });
    res.setHeader("Vary", "Accept-Language");
    sendPage(res, 200, html, CHECKOUT_CSP);
  });
  router.use((_req, res) => sendPage(res, 404, renderErrorPage(404, NOT_FOUND)));
  router.use(pageErrors(NOT_FOUND, () => undefined));
  return router;
}
