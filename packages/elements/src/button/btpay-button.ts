import { html, LitElement, nothing, type TemplateResult } from "lit";
import { define, emit } from "../define.js";
import { buttonStrings } from "../i18n/button-strings.js";
import { resolveLang } from "../i18n/locale.js";
import "../invoice/btpay-invoice.js";
import { theme } from "../theme.styles.js";
import { buttonStyles } from "./btpay-button.styles.js";
import { PaymentLinkController } from "./payment-link-controller.js";

// A decimal amount, checked before it costs a request; the server has the last word (400 = "invalid").
const AMOUNT = /^\d+(\.\d+)?$/;

/**
 * A "Pay with Bitcoin" button for a payment link. It opens a modal dialog that asks for the amount
 * when the link leaves it to the payer, creates the payer's invoice, and shows it as a live
 * `<btpay-invoice>`. The invoice's events bubble out of the button.
 *
 * @tag btpay-button
 * @attr {string} slug - The payment link's slug, e.g. `donate`.
 * @attr {string} server - The btpay server's origin, e.g. `https://pay.example.com`; empty = this page's origin.
 * @attr {string} label - The button text (default: "Pay with Bitcoin", translated).
 * @attr {string} lang - UI language (en, es, de, fr, pt); defaults to the nearest ancestor's `lang`, then the browser's.
 * @attr {"light"|"dark"} theme - Force a theme instead of following `prefers-color-scheme` (passed on to the invoice).
 * @attr {boolean} auto-redirect - Passed on to the invoice: go to the merchant's page 5 s after payment.
 *
 * @fires {CustomEvent<DialogEventDetail>} btpay-open - The dialog opened.
 * @fires {CustomEvent<DialogEventDetail>} btpay-close - The dialog closed (close button, Esc, or `close()`).
 * @fires {CustomEvent<InvoiceEventDetail>} btpay-status-change - From the invoice inside (see `<btpay-invoice>`), as are btpay-paid, btpay-confirmed, btpay-expired, btpay-redirect and btpay-error.
 *
 * @csspart button - The pay button.
 * @csspart dialog - The modal `<dialog>`.
 *
 * @cssprop [--btpay-accent=#f7931a] - Background of the pay button.
 * @cssprop [--btpay-on-accent=#17191e] - Text on the accent colour.
 * @cssprop [--btpay-background=#fff] - Dialog background (dark theme: #17191e).
 * @cssprop [--btpay-text=#1b1e23] - Text colour (dark theme: #eceef1).
 * @cssprop [--btpay-muted=#565c66] - Secondary text (dark theme: #a3a9b3).
 * @cssprop [--btpay-border=#c9ced6] - Borders (dark theme: #454b55).
 * @cssprop [--btpay-error=#b3261e] - Validation messages (dark theme: #ffb4ab).
 * @cssprop [--btpay-radius=12px] - Corner radius.
 * @cssprop [--btpay-font=system-ui, sans-serif] - Font family.
 */
export class BtpayButton extends LitElement {
  static override styles = [theme, buttonStyles];
  static override properties = {
    slug: {},
    server: {},
    label: {},
    theme: {},
    autoRedirect: { type: Boolean, attribute: "auto-redirect" },
    _open: { state: true },
    _invalid: { state: true },
  };

  /** The payment link's slug. */
  declare slug: string;
  /** The btpay server's origin; empty = this page's origin. */
  declare server: string;
  /** The button text; empty = "Pay with Bitcoin" in the page's language. */
  declare label: string;
  /** "light" or "dark" to force a theme. */
  declare theme: string;
  /** Passed on to the invoice. */
  declare autoRedirect: boolean;
  declare protected _open: boolean;
  declare protected _invalid: boolean;

  #link = new PaymentLinkController(this);

  constructor() {
    super();
    this.slug = this.server = this.label = this.theme = "";
    this.autoRedirect = this._open = this._invalid = false;
  }

  /** Open the dialog and start the payment (load the link; create the invoice once the amount is known). */
  async open(): Promise<void> {
    await this.updateComplete;
    const dialog = this.renderRoot.querySelector("dialog");
    if (!dialog || dialog.open) return;
    dialog.showModal();
    this._open = true;
    emit(this, "btpay-open", { slug: this.slug });
    await this.#link.open(this.server || "", this.slug);
    await this.updateComplete;
    this.renderRoot.querySelector("input")?.focus();
  }

  /** Close the dialog (the invoice inside stops polling). */
  close(): void {
    this.renderRoot.querySelector("dialog")?.close();
  }

  #closed(): void {
    this._open = this._invalid = false;
    emit(this, "btpay-close", { slug: this.slug });
    this.renderRoot.querySelector<HTMLElement>("[part=button]")?.focus();
  }

  #submit(event: SubmitEvent): void {
    event.preventDefault();
    const input = this.renderRoot.querySelector("input")!;
    // Most of our languages write 25,50: accept a comma as the decimal mark.
    const amount = input.value.trim().replace(",", ".");
    this._invalid = !AMOUNT.test(amount) || !/[1-9]/.test(amount);
    if (this._invalid) input.focus();
    else this.#link.pay(this.server || "", amount);
  }

  override render(): TemplateResult {
    const lang = resolveLang(this);
    const t = buttonStrings(lang);
    const { link, ref, error } = this.#link;
    let body: TemplateResult;
    if (error === "gone") body = html`<p role="alert">${t.gone}</p>`;
    else if (ref) {
      // Rendered only while open: closing removes it, and a disconnected invoice stops polling.
      body = html`<btpay-invoice
        ref=${ref}
        server=${this.server}
        lang=${lang}
        theme=${this.theme || nothing}
        ?auto-redirect=${this.autoRedirect}
      ></btpay-invoice>`;
    } else if (link && link.amount === null) {
      const invalid = this._invalid || error === "invalid";
      body = html`<form novalidate @submit=${this.#submit}>
        <label for="amount">${t.amount} (${link.currency})</label>
        <input id="amount" inputmode="decimal" autocomplete="off" required aria-invalid=${invalid} aria-describedby="amount-error" />
        <p id="amount-error" class="error" role="alert">${invalid ? t.invalid : error ? t.failed : ""}</p>
        <button class="primary" type="submit">${t.next}</button>
      </form>`;
    } else body = html`<p role=${error ? "alert" : "status"}>${error ? t.failed : t.loading}</p>`;
    return html`<button part="button" class="primary" @click=${this.open}>${this.label || t.pay}</button>
      <dialog part="dialog" aria-labelledby="title" @close=${this.#closed}>
        <div class="head">
          <h2 id="title">${link?.title ?? t.pay}</h2>
          <button class="close" aria-label=${t.close} @click=${this.close}>×</button>
        </div>
        ${link?.description ? html`<p class="muted">${link.description}</p>` : nothing}
        ${this._open ? body : nothing}
      </dialog>`;
  }
}

define("btpay-button", BtpayButton);

declare global {
  interface HTMLElementTagNameMap {
    "btpay-button": BtpayButton;
  }
}
