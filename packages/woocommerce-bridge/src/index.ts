/**
 * BTCPay Server Greenfield compatibility for shop plugins (WooCommerce first): the routes, the
 * status mapping and the webhook payloads. The btpay server mounts it and supplies `ports.ts`.
 */

export type { GreenfieldKey, GreenfieldUser, ServerStatus } from "./auth/backend.js";
export { EMULATED_BTCPAY_VERSION } from "./auth/routes.js";
export { formatBtc } from "./btc.js";
export {
  GREENFIELD_KEY_ACCESS,
  GREENFIELD_STORE_POLICIES,
  isGrantablePolicy,
  WOOCOMMERCE_PERMISSIONS,
} from "./connect/permissions.js";
export { type FieldError, GreenfieldError, GreenfieldValidationError } from "./errors.js";
export type {
  CheckoutOptions,
  GreenfieldInvoiceData,
  InvoicePaymentData,
  NewGreenfieldInvoice,
} from "./invoices/backend.js";
export { invoiceState, serializeInvoice, serializePayment } from "./invoices/serialize.js";
export type { GreenfieldBackend } from "./ports.js";
export { GREENFIELD_API_PATHS, type GreenfieldOptions, greenfieldApi, greenfieldPages } from "./router.js";
export { SPEED_POLICIES, type SpeedPolicy, speedPolicyFor } from "./speed-policy.js";
export {
  ADDITIONAL_STATUSES,
  type AdditionalStatus,
  type BtpayInvoiceState,
  type BtpayInvoiceStatus,
  type CanonicalPaymentMethod,
  canonicalPaymentMethod,
  GREENFIELD_STATUSES,
  type GreenfieldState,
  type GreenfieldStatus,
  greenfieldState,
  LIGHTNING,
  MANUAL_MARKS,
  type ManualMark,
  markableStatuses,
  ONCHAIN,
} from "./status-map.js";
export type { GreenfieldStoreData } from "./stores/backend.js";
export type {
  GreenfieldWebhook,
  GreenfieldWebhookInput,
  GreenfieldWebhookSettings,
  UrlRefused,
} from "./webhooks/backend.js";
export {
  type AuthorizedEvents,
  type DeliveryContext,
  GREENFIELD_INVOICE_EVENTS,
  type GreenfieldEventBody,
  greenfieldEvent,
  type MappedEvent,
  type OutboxEvent,
  outboxTypesFor,
} from "./webhooks/events.js";
