/**
 * The status the modal checkout posts to the shop page, from btpay's invoice status: Greenfield's
 * invoice statuses in lower case, which is what shop scripts compare against (the WooCommerce plugin
 * treats processing/settled/paid/complete as paid and expired/invalid as failed). A late payment
 * keeps "expired" here: the webhook, not the page, tells the shop about it.
 * Vectors: test/fixtures/modal-status.json.
 */
export const MODAL_STATUS: Readonly<Record<string, string>> = {
  draft: "new",
  pending: "new",
  partial: "new",
  paid: "processing",
  confirmed: "settled",
  expired: "expired",
  cancelled: "invalid",
};

export function modalStatus(btpayStatus: string): string {
  return MODAL_STATUS[btpayStatus] ?? btpayStatus;
}
