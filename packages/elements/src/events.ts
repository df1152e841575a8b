import type { CheckoutInvoice, CheckoutInvoiceStatus } from "@btpay/sdk/public";

/** Detail of every invoice lifecycle event (`btpay-status-change`, `-paid`, `-confirmed`, `-expired`). */
export interface InvoiceEventDetail {
  ref: string;
  status: CheckoutInvoiceStatus;
  /** The status before this answer; null for the first one the element saw. */
  previous: CheckoutInvoiceStatus | null;
  invoice: CheckoutInvoice;
}

export interface RedirectEventDetail {
  ref: string;
  url: string;
}

export interface ErrorEventDetail {
  /** The invoice ref or payment-link slug the failure is about. */
  ref: string;
  /** HTTP status, or 0 when the server could not be reached. */
  status: number;
  message: string;
}

export interface DialogEventDetail {
  slug: string;
}

declare global {
  interface HTMLElementEventMap {
    "btpay-status-change": CustomEvent<InvoiceEventDetail>;
    "btpay-paid": CustomEvent<InvoiceEventDetail>;
    "btpay-confirmed": CustomEvent<InvoiceEventDetail>;
    "btpay-expired": CustomEvent<InvoiceEventDetail>;
    "btpay-redirect": CustomEvent<RedirectEventDetail>;
    "btpay-error": CustomEvent<ErrorEventDetail>;
    "btpay-open": CustomEvent<DialogEventDetail>;
    "btpay-close": CustomEvent<DialogEventDetail>;
  }
}
