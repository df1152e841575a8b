import { createHash } from "node:crypto";
import { esc, sha256 } from "../connect/page-layout.js";
import { MODAL_STATUS } from "./modal-status.js";

/**
 * `/modal/invoice-frame.js`: the framed checkout page's script (a file, not inline, so the page's
 * CSP allows only this server's scripts). It tells the shop page, as BTCPay's checkout does:
 * `'loaded'` once `<btpay-invoice>` has rendered (the shop then shows the frame), `{ invoiceId,
 * status }` on every status change (Greenfield statuses in lower case, see modal-status.ts) and
 * `'close'` when the buyer closes it (button or Escape).
 *
 * Messages go to any origin (`'*'`), as BTCPay's do: the page cannot know the shop's origin (any
 * shop may frame it), and nothing in them is secret — the invoice id is already in the frame's URL
 * the shop chose, and its status is public on the checkout page. The receiving side checks the origin.
 */
export const FRAME_JS = `const STATUS = ${JSON.stringify(MODAL_STATUS)};
const invoice = document.querySelector("btpay-invoice");
const post = (message) => {
  if (window.parent !== window) window.parent.postMessage(message, "*");
};
let loaded = false;
const announceLoaded = () => {
  if (loaded) return;
  loaded = true;
  post("loaded");
};
invoice.addEventListener("btpay-status-change", (event) => {
  announceLoaded();
  post({ invoiceId: event.detail.ref, status: STATUS[event.detail.status] || event.detail.status });
});
const close = () => post("close");
document.getElementById("btpay-close").addEventListener("click", close);
document.addEventListener("keydown", (event) => {
  if (event.key === "Escape") close();
});
customElements.whenDefined("btpay-invoice").then(() => invoice.updateComplete).then(announceLoaded);
// If the element never loads, still show the frame, so the buyer sees the close button.
setTimeout(announceLoaded, 5000);
`;

export const FRAME_JS_VERSION = createHash("sha256").update(FRAME_JS).digest("hex").slice(0, 16);

/**
 * Full-screen and transparent around the card, like BTCPay's modal: the shop page shows dimmed
 * behind it. No `color-scheme` here: a frame whose color scheme differs from the shop page's gets
 * an opaque background in Chrome.
 */
const STYLE = `
* { box-sizing: border-box; }
html, body { margin: 0; min-height: 100%; background: transparent; }
body { font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; background: rgb(0 0 0 / 0.6); display: flex; align-items: flex-start; justify-content: center; padding: 3rem 1rem; min-height: 100vh; }
.dialog { position: relative; width: 100%; max-width: 26rem; }
.close { position: absolute; top: -2.5rem; right: 0; width: 2rem; height: 2rem; border: 0; border-radius: 50%; background: #fff; color: #111; font: 600 1.25rem/2rem system-ui, sans-serif; cursor: pointer; }
btpay-invoice { display: block; }
btpay-invoice::part(redirect) { display: none; }
.fallback { background: #fff; color: #111; padding: 1rem; border-radius: 12px; }
`;

/**
 * This page only: framable by any shop (the global headers say DENY), scripts and API calls to this
 * server only, no inline script.
 */
export const FRAME_CSP = [
  "default-src 'none'",
  `style-src ${sha256(STYLE)}`,
  "script-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors *",
].join("; ");

export function renderModalFrame(invoiceId: string, opts: { elementUrl: string; lang: string }): string {
  const id = esc(invoiceId);
  return `<!doctype html>
<html lang="${esc(opts.lang)}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>Bitcoin checkout</title>
<script type="module" src="${esc(opts.elementUrl)}"></script>
<script type="module" src="/modal/invoice-frame.js?v=${FRAME_JS_VERSION}"></script>
<style>${STYLE}</style></head>
<body><div class="dialog" role="dialog" aria-modal="true" aria-label="Bitcoin checkout">
<button id="btpay-close" class="close" type="button" aria-label="Close">×</button>
<btpay-invoice ref="${id}"></btpay-invoice>
<noscript><p class="fallback"><a href="/i/${encodeURIComponent(invoiceId)}" target="_top">Open the checkout page</a></p></noscript>
</div></body></html>`;
}
