import type { components } from "../generated/openapi.js";
import { esc, renderPage } from "./layout.js";

type PublicPaymentLink = components["schemas"]["PublicPaymentLink"];

/**
 * `/pay/{slug}`: what the payer is paying for and a "Pay with Bitcoin" button that posts to the same
 * URL; an amount field when the link lets the payer choose.
 */
export function renderLinkPage(link: PublicPaymentLink): string {
  const action = `/pay/${encodeURIComponent(link.slug)}`;
  const amount =
    link.amount === null
      ? `<label for="amount">Amount (${esc(link.currency)})</label>
<input id="amount" name="amount" required inputmode="decimal" autocomplete="off" pattern="[0-9]+([.][0-9]+)?">`
      : `<p class="amount">${esc(link.amount)} ${esc(link.currency)}</p>`;
  return renderPage({
    title: `${link.title} · ${link.store_name}`,
    body: `<p class="store">${esc(link.store_name)}</p>
<h1>${esc(link.title)}</h1>
${link.description ? `<p class="description">${esc(link.description)}</p>` : ""}
<form method="post" action="${esc(action)}">
${amount}
<button type="submit">Pay with Bitcoin</button>
</form>`,
  });
}
