import { type Request, type Response, Router } from "express";
import { errorPage, sendPage } from "../connect/page-layout.js";
import type { GreenfieldBackend } from "../ports.js";
import { BTCPAY_JS } from "./btcpay-js.js";
import { FRAME_CSP, FRAME_JS, FRAME_JS_VERSION, renderModalFrame } from "./modal-frame.js";

/** Invoice ids are btpay refs (`A1B2C3D4-E5F6A7B8`); anything far from that is not worth a page. */
const INVOICE_ID = /^[A-Za-z0-9_-]{1,64}$/;

const checkoutPath = (id: string) => `/i/${encodeURIComponent(id)}`;

function sendScript(req: Request, res: Response, body: string, version?: string): void {
  res.setHeader(
    "Cache-Control",
    version && req.query.v === version ? "public, max-age=31536000, immutable" : "public, max-age=300",
  );
  res.type("text/javascript").send(body);
}

/**
 * The checkout pages shop plugins link to besides `/i/{id}` (btpay's hosted checkout):
 * - `/invoices/{id}`: the plugin's "view in BTCPay" admin link. btpay has no admin UI, so it is the
 *   invoice's checkout page, which shows its status and payments;
 * - `/modal/btcpay.js` and `/invoice?id=&view=modal`: the modal checkout (see btcpay-js.ts and
 *   modal-frame.ts); `/invoice?id=` without `view=modal` is the hosted checkout, as on BTCPay.
 */
export function checkoutPages(backend: GreenfieldBackend): Router {
  const c = backend.connect;
  const router = Router();

  router.get("/invoices/:id", (req: Request<{ id: string }>, res) => {
    res.redirect(302, checkoutPath(req.params.id));
  });

  router.get("/modal/btcpay.js", (req, res) => {
    // Loaded by shop pages on any origin, as a classic or module script.
    res.setHeader("Access-Control-Allow-Origin", "*");
    res.setHeader("Cross-Origin-Resource-Policy", "cross-origin");
    sendScript(req, res, BTCPAY_JS);
  });

  router.get("/modal/invoice-frame.js", (req, res) => sendScript(req, res, FRAME_JS, FRAME_JS_VERSION));

  router.get("/invoice", (req, res) => {
    const id = typeof req.query.id === "string" ? req.query.id : "";
    if (!INVOICE_ID.test(id)) {
      sendPage(res, 404, errorPage("No such invoice", "This link does not name an invoice."));
      return;
    }
    if (req.query.view !== "modal") {
      res.redirect(302, checkoutPath(id));
      return;
    }
    // Any shop may frame this page: lift the global DENY for it alone. Unknown or unpaid-for ids
    // are the element's to explain (it reads the public API, rate limited per client), with the
    // close button still there.
    res.removeHeader("X-Frame-Options");
    res.setHeader("Cross-Origin-Resource-Policy", "cross-origin");
    res.setHeader("Vary", "Accept-Language");
    const html = renderModalFrame(id, {
      elementUrl: c.invoiceElementUrl(),
      lang: c.pageLanguage(req.query.lang, req.get("accept-language")),
    });
    sendPage(res, 200, html, FRAME_CSP);
  });

  return router;
}
