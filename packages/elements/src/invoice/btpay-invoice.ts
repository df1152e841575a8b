import type { CheckoutInvoice } from "@btpay/sdk/public";
import { html, LitElement, nothing, type PropertyValues, type TemplateResult } from "lit";
import { define, emit } from "../define.js";
import type { InvoiceEventDetail } from "../events.js";
import { invoiceStrings } from "../i18n/invoice-strings.js";
import { resolveLang } from "../i18n/locale.js";
import { theme } from "../theme.styles.js";
import { invoiceStyles } from "./btpay-invoice.styles.js";
import { btcToSats, formatBitcoin, formatCountdown, formatFiat } from "./format.js";
import { InvoicePoller } from "./invoice-poller.js";
import { qrPath } from "./qr.js";

const REDIRECT_DELAY_MS = 5_000;
const COPIED_MS = 2_000;

const isOpen = (invoice?: CheckoutInvoice) => invoice?.status === "pending" || invoice?.status === "partial";
const isSettled = (invoice?: CheckoutInvoice) => invoice?.status === "paid" || invoice?.status === "confirmed";
// Server data ends up in hrefs: only let through the schemes they are meant to have.
const safe = (url: string | null, scheme: RegExp) => (url && scheme.test(url) ? url : undefined);

/**
 * A live Bitcoin checkout for one invoice: amount in fiat and BTC (or sats), a QR code of the BIP21
 * payment request, the address with copy buttons, an "Open in wallet" link and a countdown, kept
 * current by polling the server's public endpoint (no API key). Announces every status change.
 *
 * @tag btpay-invoice
 * @attr {string} ref - The invoice reference, e.g. `A1B2C3D4-E5F6A7B8`.
 * @attr {string} invoice-ref - The same, for React and Vue, where `ref` is reserved by the framework.
 * @attr {string} server - The btpay server's origin, e.g. `https://pay.example.com`; empty = this page's origin.
 * @attr {string} lang - UI language (en, es, de, fr, pt); defaults to the nearest ancestor's `lang`, then the browser's.
 * @attr {"btc"|"sats"} unit - Show the bitcoin amount in BTC (default) or sats; the payer can switch.
 * @attr {boolean} auto-redirect - Once paid, go to the merchant's `redirect_url` after 5 s (cancel via `btpay-redirect`).
 * @attr {"light"|"dark"} theme - Force a theme instead of following `prefers-color-scheme`.
 *
 * @fires {CustomEvent<InvoiceEventDetail>} btpay-status-change - The status changed (also fired for the first answer, with `previous: null`).
 * @fires {CustomEvent<InvoiceEventDetail>} btpay-paid - The invoice became paid or confirmed (once per invoice).
 * @fires {CustomEvent<InvoiceEventDetail>} btpay-confirmed - The payment reached the required confirmations.
 * @fires {CustomEvent<InvoiceEventDetail>} btpay-expired - The invoice expired unpaid (a late payment may still follow).
 * @fires {CustomEvent<RedirectEventDetail>} btpay-redirect - About to leave for `redirect_url` (`auto-redirect`); cancelable.
 * @fires {CustomEvent<ErrorEventDetail>} btpay-error - A poll failed (404, 429, 5xx, or 0 for a network error).
 *
 * @csspart base - The card around everything.
 * @csspart header - Store name and invoice number.
 * @csspart status - The live status line.
 * @csspart amount - The amount due, in fiat and bitcoin.
 * @csspart unit-button - Switches between BTC and sats.
 * @csspart qr - The QR code `<svg>`.
 * @csspart address - The payment address and its copy button.
 * @csspart copy-button - Each copy button.
 * @csspart wallet-link - "Open in wallet" (the BIP21 URI).
 * @csspart countdown - Time left before the invoice expires.
 * @csspart redirect - "Return to the merchant", once paid.
 *
 * @cssprop [--btpay-accent=#f7931a] - Background of the main actions.
 * @cssprop [--btpay-on-accent=#17191e] - Text on the accent colour.
 * @cssprop [--btpay-background=#fff] - Card background (dark theme: #17191e).
 * @cssprop [--btpay-text=#1b1e23] - Text colour (dark theme: #eceef1).
 * @cssprop [--btpay-muted=#565c66] - Secondary text (dark theme: #a3a9b3).
 * @cssprop [--btpay-border=#c9ced6] - Borders (dark theme: #454b55).
 * @cssprop [--btpay-radius=12px] - Corner radius.
 * @cssprop [--btpay-font=system-ui, sans-serif] - Font family.
 * @cssprop [--btpay-qr-color=#000] - QR modules (keep them dark: not every wallet scans inverted codes).
 * @cssprop [--btpay-qr-background=#fff] - QR background.
 */
export class BtpayInvoice extends LitElement {
  static override styles = [theme, invoiceStyles];
  static override properties = {
    ref: {},
    invoiceRef: { attribute: "invoice-ref" },
    server: {},
    unit: { reflect: true },
    autoRedirect: { type: Boolean, attribute: "auto-redirect" },
    _copied: { state: true },
  };

  /** The invoice reference, e.g. `A1B2C3D4-E5F6A7B8`. */
  declare ref: string;
  /** `ref` under a name React and Vue leave alone (both reserve `ref` for themselves). */
  declare invoiceRef: string;
  /** The btpay server's origin; empty = this page's origin. */
  declare server: string;
  /** Bitcoin amounts in BTC or sats. */
  declare unit: "btc" | "sats";
  /** Go to `redirect_url` 5 s after payment unless `btpay-redirect` is cancelled. */
  declare autoRedirect: boolean;
  declare protected _copied: string;

  #poller = new InvoicePoller(this, {
    onInvoice: (invoice, previous) => this.#changed(invoice, previous?.status ?? null),
    onError: (status, message) => emit(this, "btpay-error", { ref: this.#ref(), status, message }),
  });
  #qr = { uri: "", size: 0, path: "" };
  #paid = false;
  #ticker?: ReturnType<typeof setInterval>;
  #copiedTimer?: ReturnType<typeof setTimeout>;
  #redirectTimer?: ReturnType<typeof setTimeout>;

  constructor() {
    super();
    this.ref = this.invoiceRef = this.server = this._copied = "";
    this.unit = "btc";
    this.autoRedirect = false;
  }

  #ref(): string {
    return this.ref || this.invoiceRef || "";
  }

  /** The invoice as last received, if any. */
  get invoice(): CheckoutInvoice | undefined {
    return this.#poller.invoice;
  }

  override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has("ref") || changed.has("invoiceRef") || changed.has("server")) {
      this.#poller.watch(this.server || "", this.#ref());
    }
  }

  override updated(): void {
    // The countdown is the only thing that changes without a server answer.
    const ticking = isOpen(this.#poller.invoice);
    if (ticking && !this.#ticker) this.#ticker = setInterval(() => this.requestUpdate(), 1000);
    if (!ticking) this.#stopTicker();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#stopTicker();
    clearTimeout(this.#redirectTimer);
    this.#redirectTimer = undefined;
  }

  #stopTicker(): void {
    clearInterval(this.#ticker);
    this.#ticker = undefined;
  }

  #changed(invoice: CheckoutInvoice, previous: InvoiceEventDetail["previous"]): void {
    const { ref, status } = invoice;
    if (status === previous) return;
    if (!previous) this.#paid = false;
    const detail = { ref, status, previous, invoice };
    emit(this, "btpay-status-change", detail);
    if (isSettled(invoice) && !this.#paid) {
      this.#paid = true;
      emit(this, "btpay-paid", detail);
    }
    if (status === "confirmed") emit(this, "btpay-confirmed", detail);
    if (status === "expired") emit(this, "btpay-expired", detail);
    const url = safe(invoice.redirect_url, /^https?:/i);
    if (this.#paid && url && this.autoRedirect && !this.#redirectTimer) {
      this.#redirectTimer = setTimeout(() => {
        if (emit(this, "btpay-redirect", { ref, url }, true)) location.assign(url);
      }, REDIRECT_DELAY_MS);
    }
  }

  async #copy(what: string, text: string): Promise<void> {
    try {
      await navigator.clipboard.writeText(text);
    } catch {
      return; // No permission or no secure context: the text stays on screen to select by hand.
    }
    this._copied = what;
    clearTimeout(this.#copiedTimer);
    this.#copiedTimer = setTimeout(() => {
      this._copied = "";
    }, COPIED_MS);
  }

  #copyButton(what: string, text: string, t: ReturnType<typeof invoiceStrings>): TemplateResult {
    return html`<button part="copy-button" aria-describedby=${`${what}-label`} @click=${() => this.#copy(what, text)}>
      ${this._copied === what ? t.copied : t.copy}
    </button>`;
  }

  override render(): TemplateResult {
    const lang = resolveLang(this);
    const t = invoiceStrings(lang);
    const { invoice, error } = this.#poller;
    let state: string = error ?? "loading";
    let message = error === "not-found" ? t.notFound : error ? t.failed : t.loading;
    let body: TemplateResult | typeof nothing = nothing;
    if (invoice) {
      const { status, confirmations, required_confirmations: required } = invoice;
      state = status === "expired" && invoice.flags.includes("paid_late") ? "paid-late" : status;
      message = t[state === "paid-late" ? "paidLate" : status === "draft" ? "pending" : status];
      if (status === "paid")
        message += `. ${t.confs.replace("{n}", `${confirmations ?? 0}`).replace("{m}", `${required}`)}`;
      body = this.#body(invoice, lang, t);
    }
    return html`<div part="base" class="base" aria-busy=${state === "loading"}>
      ${invoice ? html`<header part="header"><strong>${invoice.store_name}</strong><span>${invoice.invoice_number}</span></header>` : nothing}
      <p part="status" class="status" role="status" data-state=${state}>${message}</p>
      ${body}
      <span class="sr" role="status">${this._copied ? t.copied : ""}</span>
    </div>`;
  }

  #body(invoice: CheckoutInvoice, lang: string, t: ReturnType<typeof invoiceStrings>): TemplateResult {
    const open = isOpen(invoice);
    const btc = open ? invoice.btc_due : invoice.btc_amount;
    const sats = this.unit === "sats";
    const uri = safe(invoice.payment_uri, /^bitcoin:/i);
    const redirect = isSettled(invoice) && safe(invoice.redirect_url, /^https?:/i);
    if (uri && uri !== this.#qr.uri) this.#qr = { uri, ...qrPath(uri) };
    const { size, path } = this.#qr;
    const left = invoice.expires_at * 1000 - (Date.now() + this.#poller.skew);
    return html`<div part="amount">
        <span class="label" id="amount-label">${invoice.status === "partial" ? t.stillDue : open ? t.due : t.total}</span>
        <span class="fiat">${formatFiat(open ? invoice.amount_due : invoice.total, invoice.currency, lang)}</span>
        <span class="row">
          <span>${formatBitcoin(btc, this.unit, lang)}</span>
          ${open ? this.#copyButton("amount", sats ? `${btcToSats(btc)}` : btc, t) : nothing}
          <button part="unit-button" @click=${() => (this.unit = sats ? "btc" : "sats")}>
            ${sats ? t.showBtc : t.showSats}
          </button>
        </span>
      </div>
      ${
        open && uri
          ? html`<svg part="qr" role="img" aria-label=${t.qr} viewBox="-4 -4 ${size + 8} ${size + 8}" shape-rendering="crispEdges">
                <path d=${path}></path>
              </svg>
              <div part="address" class="row">
                <span class="label" id="address-label">${t.address}</span>
                <code>${invoice.payment_address}</code>
                ${this.#copyButton("address", invoice.payment_address, t)}
              </div>
              <a part="wallet-link" class="primary" href=${uri}>${t.wallet}</a>
              <p part="countdown" class="countdown" role="timer">${t.expiresIn} <time>${formatCountdown(left)}</time></p>`
          : nothing
      }
      ${redirect ? html`<a part="redirect" class="primary" href=${redirect}>${t.back}</a>` : nothing}`;
  }
}

define("btpay-invoice", BtpayInvoice);

declare global {
  interface HTMLElementTagNameMap {
    "btpay-invoice": BtpayInvoice;
  }
}
