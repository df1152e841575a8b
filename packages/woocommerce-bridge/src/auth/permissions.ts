/**
 * Greenfield policies on btpay keys. A key made for an app (the connect flow, `btpay api-key create
 * --greenfield`) carries the policies it was granted. A btpay key made for btpay's own API works
 * on the Greenfield API too, with the policies its access level amounts to.
 */

/** Every store policy the bridge serves: what a full-access btpay key may do here. */
export const ALL_STORE_POLICIES: readonly string[] = [
  "btcpay.store.canviewinvoices",
  "btcpay.store.cancreateinvoice",
  "btcpay.store.canmodifyinvoices",
  "btcpay.store.canviewstoresettings",
  "btcpay.store.webhooks.canmodifywebhooks",
  "btcpay.store.cancreatenonapprovedpullpayments",
];

/** What a read-only btpay key may do: look, never change. */
export const VIEW_POLICIES: readonly string[] = ["btcpay.store.canviewinvoices", "btcpay.store.canviewstoresettings"];

/**
 * The policies of a key. A full btpay key gets the explicit list rather than the broader
 * `canmodifystoresettings`: the WooCommerce plugin checks the list it reads back name by name, and
 * btpay does not let an app change store settings anyway.
 */
export function keyPolicies(key: { access: "full" | "read_only"; permissions: string[] | null }): string[] {
  if (key.permissions !== null) return [...key.permissions];
  return [...(key.access === "full" ? ALL_STORE_POLICIES : VIEW_POLICIES)];
}
