// Entry for `<btpay-button>` (which brings `<btpay-invoice>` along): importing it defines both tags.
export type { PublicPaymentLink } from "@btpay/sdk/public";
export { BtpayButton } from "./button/btpay-button.js";
export type { DialogEventDetail } from "./events.js";
