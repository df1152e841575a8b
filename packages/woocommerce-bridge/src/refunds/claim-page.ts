import { esc, renderPage, STYLE_SRC, sha256 } from "../connect/page-layout.js";
import type { ClaimPage, RefundView } from "./backend.js";
import { claimPath } from "./pull-payment.js";

/** What the claim page adds to the shared page look (btpay's checkout classes). */
const CLAIM_STYLE = `
.store { color: var(--muted); font-size: 0.9rem; margin: 0; }
.description { white-space: pre-line; }
.amount { font-size: 2rem; font-weight: 600; margin: 1rem 0; }
.btc { font-size: 1.5rem; font-weight: 600; margin: 0.5rem 0; }
.address { display: block; padding: 0.6rem; margin: 0.5rem 0; border-radius: 8px; background: var(--bg); font-family: ui-monospace, monospace; word-break: break-all; }
.status { font-weight: 600; }
.paid { color: var(--ok); font-size: 1.5rem; }
`;

/** No script at all; both style blocks by hash; the form posts only here; nothing may frame it. */
export const CLAIM_CSP = [
  "default-src 'none'",
  `style-src ${STYLE_SRC} ${sha256(CLAIM_STYLE)}`,
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join("; ");

export interface ClaimPageOptions {
  network: string;
  now: Date;
  /** A refusal to show above the state (a second claim, an expired offer). */
  notice?: string;
  /** The address form's error, with what the payer typed. */
  error?: { message: string; address: string };
}

/** Satoshis as BTC with 8 decimals, without going through a float. */
export function btcText(sats: bigint): string {
  return `${sats / 100_000_000n}.${(sats % 100_000_000n).toString().padStart(8, "0")}`;
}

/** Server messages start lower-case (they also serve the API); a page shows them as sentences. */
const sentence = (m: string) => `${m.charAt(0).toUpperCase()}${m.slice(1)}${/[.!?]$/.test(m) ? "" : "."}`;

const when = (d: Date) => `${d.toISOString().slice(0, 16).replace("T", " ")} UTC`;

/** The payer's refund page: what is owed and by whom, then the state's part (form, promise, txid). */
export function renderClaimPage({ refund, storeName }: ClaimPage, opts: ClaimPageOptions): string {
  const body = `<p class="store">${esc(storeName)}</p>
<h1>Refund</h1>
${refund.name ? `<p class="muted">${esc(refund.name)}</p>` : ""}
${refund.description ? `<p class="description">${esc(refund.description)}</p>` : ""}
<p class="amount">${esc(refund.amount)} ${esc(refund.currency)}</p>
${opts.notice ? `<p class="error" role="alert">${esc(sentence(opts.notice))}</p>` : ""}
${stateSection(refund, storeName, opts)}`;
  return renderPage({ title: `Refund from ${storeName}`, body, style: CLAIM_STYLE });
}

function stateSection(refund: RefundView, storeName: string, opts: ClaimPageOptions): string {
  const sats = refund.claimAmountSats;
  switch (refund.state) {
    case "awaiting_claim":
      if (refund.expiresAt && refund.expiresAt.getTime() <= opts.now.getTime()) {
        return `<p class="status">This refund offer expired on ${esc(when(refund.expiresAt))}.</p>
<p>Please contact ${esc(storeName)}.</p>`;
      }
      return claimForm(refund, storeName, opts);
    case "claimed":
      return `<p class="status">Claimed on ${esc(when(refund.claimedAt ?? opts.now))}</p>
<p>${esc(storeName)} will send</p>
<p class="btc">${sats === null ? "" : esc(btcText(sats))} BTC</p>
<p>to</p>
<code class="address">${esc(refund.claimAddress)}</code>
${refund.claimRate ? `<p class="muted">At ${esc(refund.claimRate)} ${esc(refund.currency)} per BTC.</p>` : ""}
<p class="muted">The shop sends refunds from its own wallet. Once it has, this page shows the transaction.</p>`;
    case "paid":
      return `<p class="status paid">Paid</p>
<p class="btc">${sats === null ? "" : esc(btcText(sats))} BTC</p>
<p>sent to</p>
<code class="address">${esc(refund.claimAddress)}</code>
<p>in transaction</p>
<code class="address">${esc(refund.txid)}</code>
${refund.paidAt ? `<p class="muted">Recorded on ${esc(when(refund.paidAt))}.</p>` : ""}`;
    case "cancelled":
      return `<p class="status">This refund was cancelled by ${esc(storeName)}.</p>
<p>Please contact the shop if you think this is a mistake.</p>`;
  }
}

function claimForm(refund: RefundView, storeName: string, opts: ClaimPageOptions): string {
  const error = opts.error;
  const fixed =
    refund.currency === "BTC"
      ? "You receive exactly this amount."
      : "The amount in bitcoin is fixed at today's exchange rate when you claim.";
  return `<p>${esc(storeName)} owes you this refund. Enter one of your Bitcoin addresses to receive it. ${esc(fixed)}</p>
<form method="post" action="${esc(claimPath(refund.id))}">
<label for="address">Your Bitcoin address (${esc(opts.network)})</label>
<input id="address" name="address" required maxlength="200" autocomplete="off" autocapitalize="off" spellcheck="false"${
    error ? ` value="${esc(error.address)}" aria-invalid="true" aria-describedby="address-error"` : ""
  }>
${error ? `<p class="error" role="alert" id="address-error">${esc(sentence(error.message))}</p>` : ""}
<p class="muted">Check it twice: a bitcoin payment cannot be reversed.</p>
<button type="submit">Claim refund</button>
</form>
${refund.expiresAt ? `<p class="muted">Claim before ${esc(when(refund.expiresAt))}.</p>` : ""}`;
}

/** The page for an unknown refund id. */
export function renderMissingPage(): string {
  return renderPage({
    title: "Refund not found",
    body: `<h1>Refund not found</h1>
<p class="error" role="alert">This refund does not exist. Check the link the shop sent you.</p>`,
  });
}

/** Too many requests from one address, or a server error: a short page with what to do. */
export function renderProblemPage(title: string, message: string): string {
  return renderPage({ title, body: `<h1>${esc(title)}</h1><p class="error" role="alert">${esc(message)}</p>` });
}
