import { formatBtc } from "../../domain/pricing.js";
import type { CheckoutView } from "../../services/payment-link-checkout.js";
import { bip21Uri } from "../../wallet/index.js";
import { serializeInvoice } from "../serializers/invoice.js";
import { esc, renderPage, safeHttpUrl } from "./layout.js";

/** While the payer may still pay, the page reloads itself (no script under the page CSP). */
export const REFRESH_SECONDS = 5;
/** Time to read "Paid — thank you" before going on to the merchant's page. */
const REDIRECT_SECONDS = 3;

function utc(at: Date): string {
  return `${at.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

function remaining(at: Date, now: Date): string {
  const minutes = Math.ceil((at.getTime() - now.getTime()) / 60_000);
  return minutes <= 1 ? "in less than a minute" : `in ${minutes} minutes`;
}

/**
 * `/pay/{slug}/{ref}`: the amount in BTC and fiat, the address and a `bitcoin:` link, the expiry and
 * the status. Open invoices refresh every few seconds; a paid one thanks the payer and, when the link
 * has a redirect URL, sends them there.
 */
export function renderCheckoutPage({ invoice, link, store }: CheckoutView, now: Date): string {
  const q = invoice.quote;
  if (!q) throw new Error(`invoice ${invoice.ref} has no quote; only finalized invoices have a checkout`);
  // The amounts, address and BIP21 URI exactly as the API's invoice gives them.
  const inv = serializeInvoice(invoice);
  const fiat = `${esc(inv.total)} ${esc(inv.currency)}`;
  const redirect = safeHttpUrl(link.redirectUrl);
  let head = "";
  let main: string;
  switch (invoice.status) {
    case "paid":
    case "confirmed":
      if (redirect) head = `<meta http-equiv="refresh" content="${REDIRECT_SECONDS}; url=${esc(redirect)}">`;
      main = `<p class="status paid" role="status">Paid — thank you</p>
<p>We received your payment of ${fiat} for invoice ${esc(inv.invoice_number)}.</p>
${redirect ? `<a class="button" href="${esc(redirect)}" rel="noreferrer">Continue</a>` : ""}`;
      break;
    case "expired":
    case "cancelled":
      main = `<p class="status error" role="status">This invoice ${invoice.status === "expired" ? "expired" : "was cancelled"}.</p>
<p>Please do not pay to its address any more.</p>
<a class="button" href="/pay/${esc(encodeURIComponent(link.slug))}">Start again</a>`;
      break;
    default: {
      head = `<meta http-equiv="refresh" content="${REFRESH_SECONDS}">`;
      // A partly paid invoice asks for what is missing, in the text and in the wallet link.
      const dueSats = q.btcAmountSats - invoice.paidSats;
      const partial = invoice.status === "partial" && dueSats > 0n;
      const btc = partial ? formatBtc(dueSats) : inv.btc_amount;
      const uri = partial ? bip21Uri(q.paymentAddress, dueSats, { label: invoice.invoiceNumber }) : inv.payment_uri;
      main = `<p class="btc">${esc(btc)} BTC</p>
<p class="muted">${fiat} · invoice ${esc(inv.invoice_number)}</p>
<p class="status" role="status">${partial ? `Partly paid: ${esc(btc)} BTC still due.` : "Waiting for your payment…"}</p>
<p>Send exactly this amount to:</p>
<code class="address">${esc(q.paymentAddress)}</code>
<a class="button" href="${esc(uri)}">Open in wallet</a>
<p class="muted">This price holds until ${esc(utc(q.expiresAt))} (${esc(remaining(q.expiresAt, now))}). This page updates by itself.</p>`;
    }
  }
  return renderPage({
    title: `${link.title} · ${store.name}`,
    head: `<meta name="robots" content="noindex">${head}`,
    body: `<p class="store">${esc(store.name)}</p>
<h1>${esc(link.title)}</h1>
${main}`,
  });
}
