/**
 * The Greenfield store policies btpay can grant, with the words the consent page shows for each
 * (after BTCPay's own descriptions). Anything else an app asks for (server or user policies,
 * `unrestricted`, policies btpay does not serve) is left out of the key.
 */
export const GREENFIELD_STORE_POLICIES: Readonly<Record<string, string>> = {
  "btcpay.store.canviewinvoices": "View invoices",
  "btcpay.store.cancreateinvoice": "Create invoices",
  "btcpay.store.canmodifyinvoices": "Modify invoices (mark them settled or invalid, edit their metadata)",
  "btcpay.store.canviewstoresettings": "View the store's settings",
  "btcpay.store.webhooks.canmodifywebhooks": "Create and modify the store's webhooks",
  "btcpay.store.cancreatenonapprovedpullpayments": "Create refunds that you approve and pay yourself",
  // Some plugins ask for this one to manage webhooks: it implies the policies above (auth/context.ts);
  // btpay lets no app change a store's settings or wallet.
  "btcpay.store.canmodifystoresettings":
    "Manage the store: everything above (btpay never lets an app change its wallet)",
};

/** What the WooCommerce plugin asks for: it refuses a key with fewer or more of the required four. */
export const WOOCOMMERCE_REQUIRED_PERMISSIONS = [
  "btcpay.store.canviewinvoices",
  "btcpay.store.cancreateinvoice",
  "btcpay.store.canviewstoresettings",
  "btcpay.store.canmodifyinvoices",
] as const;
export const WOOCOMMERCE_OPTIONAL_PERMISSIONS = [
  "btcpay.store.cancreatenonapprovedpullpayments",
  "btcpay.store.webhooks.canmodifywebhooks",
] as const;
/** The default of `btpay api-key create --greenfield`: what the plugin's connect flow would grant. */
export const WOOCOMMERCE_PERMISSIONS: readonly string[] = [
  ...WOOCOMMERCE_REQUIRED_PERMISSIONS,
  ...WOOCOMMERCE_OPTIONAL_PERMISSIONS,
];

export const isGrantablePolicy = (policy: string): boolean => Object.hasOwn(GREENFIELD_STORE_POLICIES, policy);

export interface AskedPermissions {
  /** Grantable policies, in the order asked, without duplicates or store suffixes. */
  granted: string[];
  /** What was asked but cannot be granted (shown on the consent page, never in the key). */
  ignored: string[];
  /** Stores named by `policy:storeId` suffixes: the app asked for these stores only. */
  stores: string[];
}

/**
 * Greenfield permission strings are `policy` or `policy:storeId`. The key's store is chosen on the
 * consent page, so suffixes only narrow that choice.
 */
export function parseAskedPermissions(asked: readonly string[]): AskedPermissions {
  const granted: string[] = [];
  const ignored: string[] = [];
  const stores: string[] = [];
  for (const raw of asked) {
    const [policy = "", store] = raw.trim().split(":", 2);
    if (!isGrantablePolicy(policy)) {
      if (raw.trim() && !ignored.includes(raw.trim())) ignored.push(raw.trim());
      continue;
    }
    if (!granted.includes(policy)) granted.push(policy);
    if (store && !stores.includes(store)) stores.push(store);
  }
  return { granted, ignored, stores };
}

/**
 * A Greenfield key's access on btpay's own API (`Authorization: Bearer`): read-only whatever it was
 * granted, so a key handed to a shop plugin can never change the store's wallet or settings there.
 * On the Greenfield API its permissions decide.
 */
export const GREENFIELD_KEY_ACCESS = "read_only";
