import type { components } from "../generated/openapi.js";
import { esc, renderPage, safeHttpUrl } from "./layout.js";

type CheckoutInvoice = components["schemas"]["CheckoutInvoice"];

/** Without script, an open invoice's page reloads itself this often. */
export const REFRESH_SECONDS = 5;
/** Time to read "Paid — thank you" before going on to the merchant's page (without script). */
const REDIRECT_SECONDS = 3;

export interface CheckoutPageOptions {
  /** The `<btpay-invoice>` bundle's (versioned) URL on this server. */
  scriptUrl: string;
  lang: string;
  now: Date;
}

/**
 * `/i/{ref}`: the hosted checkout, for merchants who redirect instead of embedding. It is the
 * `<btpay-invoice>` element (live status, QR, copy buttons, countdown, redirect once paid); a
 * `<noscript>` copy rendered here keeps the page usable without JavaScript (it reloads itself).
 */
export function renderCheckoutPage(inv: CheckoutInvoice, opts: CheckoutPageOptions): string {
  const open = inv.status === "pending" || inv.status === "partial";
  const paid = inv.status === "paid" || inv.status === "confirmed";
  const redirect = safeHttpUrl(inv.redirect_url);
  let noscriptHead = "";
  if (open) noscriptHead = `<meta http-equiv="refresh" content="${REFRESH_SECONDS}">`;
  else if (paid && redirect)
    noscriptHead = `<meta http-equiv="refresh" content="${REDIRECT_SECONDS}; url=${esc(redirect)}">`;
  return renderPage({
    title: `${inv.invoice_number} · ${inv.store_name}`,
    lang: opts.lang,
    head: `<meta name="robots" content="noindex"><script type="module" src="${esc(opts.scriptUrl)}"></script>${
      noscriptHead ? `<noscript>${noscriptHead}</noscript>` : ""
    }`,
    body: `<btpay-invoice ref="${esc(inv.ref)}" auto-redirect></btpay-invoice>
<noscript>${fallback(inv, opts.now)}</noscript>`,
  });
}

/** The page without script: amounts, address, a wallet link and the status, as text. */
function fallback(inv: CheckoutInvoice, now: Date): string {
  const head = `<p class="store">${esc(inv.store_name)}</p><h1>Invoice ${esc(inv.invoice_number)}</h1>`;
  const fiat = `${esc(inv.total)} ${esc(inv.currency)}`;
  const redirect = safeHttpUrl(inv.redirect_url);
  switch (inv.status) {
    case "paid":
    case "confirmed":
      return `${head}<p class="status paid">Paid — thank you</p>
<p>We received your payment of ${fiat}.</p>
${redirect ? `<a class="button" href="${esc(redirect)}" rel="noreferrer">Continue</a>` : ""}`;
    case "expired":
      return `${head}<p class="status error">This invoice expired.</p>
<p>${inv.flags.includes("paid_late") ? "A payment arrived after it expired; the merchant will settle it with you." : "Please do not pay to its address any more."}</p>`;
    case "cancelled":
      return `${head}<p class="status error">This invoice was cancelled.</p><p>Please do not pay to its address.</p>`;
    default: {
      const minutes = Math.ceil((inv.expires_at * 1000 - now.getTime()) / 60_000);
      return `${head}<p class="btc">${esc(inv.btc_due)} BTC</p>
<p class="muted">${fiat}</p>
<p class="status">${inv.status === "partial" ? `Partly paid: ${esc(inv.btc_due)} BTC still due.` : "Waiting for your payment…"}</p>
<p>Send exactly this amount to:</p>
<code class="address">${esc(inv.payment_address)}</code>
<a class="button" href="${esc(inv.payment_uri)}">Open in wallet</a>
<p class="muted">This price holds for ${minutes <= 1 ? "less than a minute" : `${minutes} minutes`}. This page updates by itself.</p>`;
    }
  }
}
