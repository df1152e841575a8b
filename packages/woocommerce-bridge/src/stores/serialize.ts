import { speedPolicyFor } from "../speed-policy.js";
import { ONCHAIN } from "../status-map.js";
import type { GreenfieldStoreData } from "./backend.js";

/**
 * A store in Greenfield's shape (BTCPay 2.x `StoreData`). Settings btpay does not have answer with
 * BTCPay's defaults so typed clients find every field; `paymentTolerance` is a percentage, which
 * Greenfield types as a JSON number.
 */
export function serializeStore(s: GreenfieldStoreData) {
  return {
    id: s.id,
    name: s.name,
    website: null,
    defaultCurrency: s.defaultCurrency,
    invoiceExpiration: s.invoiceExpirationMinutes * 60,
    displayExpirationTimer: Math.min(s.invoiceExpirationMinutes, 5) * 60,
    monitoringExpiration: s.monitoringMinutes * 60,
    speedPolicy: speedPolicyFor(s.requiredConfirmations),
    paymentTolerance: Number(s.underpaymentTolerancePercent),
    defaultPaymentMethod: ONCHAIN,
    paymentMethodCriteria: [],
    lazyPaymentMethods: false,
    archived: false,
    anyoneCanCreateInvoice: false,
    requiresRefundEmail: false,
    checkoutType: "V2",
    receipt: { enabled: false, showQR: null, showPayments: null },
    lightningAmountInSatoshi: false,
    lightningPrivateRouteHints: false,
    onChainWithLnInvoiceFallback: false,
    redirectAutomatically: false,
    showRecommendedFee: false,
    recommendedFeeBlockTarget: 1,
    defaultLang: "en",
    autoDetectLanguage: false,
    customLogo: null,
    customCSS: null,
    htmlTitle: null,
    networkFeeMode: "Never",
    payJoinEnabled: false,
    showPayInWalletButton: true,
    showStoreHeader: true,
    celebratePayment: true,
    playSoundOnPayment: false,
  };
}

/**
 * The store's payment methods: on-chain bitcoin once it has a wallet, nothing before (the
 * WooCommerce plugin reads an empty list as "no wallet set up"). `paymentMethod` repeats the id for
 * clients written against BTCPay 1.x; `config` (with `includeConfig`) stays empty because btpay does
 * not hand a store's xpub to apps.
 */
export function serializeStorePaymentMethods(s: GreenfieldStoreData, includeConfig: boolean) {
  if (!s.hasWallet) return [];
  return [
    {
      paymentMethodId: ONCHAIN,
      paymentMethod: ONCHAIN,
      cryptoCode: "BTC",
      enabled: true,
      ...(includeConfig ? { config: {} } : {}),
    },
  ];
}
