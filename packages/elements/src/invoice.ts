// Entry for `<btpay-invoice>` alone (the `btpay-invoice.js` bundle): importing it defines the tag.
export type { CheckoutInvoice, CheckoutInvoiceStatus } from "@btpay/sdk/public";
export type { ErrorEventDetail, InvoiceEventDetail, RedirectEventDetail } from "./events.js";
export { BtpayInvoice } from "./invoice/btpay-invoice.js";
