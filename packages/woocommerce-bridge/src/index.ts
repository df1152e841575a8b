/**
 * BTCPay Server Greenfield compatibility for shop plugins (WooCommerce first): the routes, the
 * status mapping and the webhook payloads. The btpay server mounts it and supplies `ports.ts`.
 */
export type { GreenfieldBackend } from "./ports.js";
export { GREENFIELD_API_PATHS, type GreenfieldOptions, greenfieldApi, greenfieldPages } from "./router.js";
