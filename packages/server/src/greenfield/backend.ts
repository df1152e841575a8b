import type { GreenfieldBackend } from "@btpay/woocommerce-bridge";
import { authBackend } from "./auth-backend.js";
import { connectBackend } from "./connect-backend.js";
import type { GreenfieldDeps } from "./deps.js";
import { invoicesBackend } from "./invoices-backend.js";
import { refundsBackend } from "./refunds-backend.js";
import { storesBackend } from "./stores-backend.js";
import { webhooksBackend } from "./webhooks-backend.js";

/** btpay's side of the WooCommerce bridge: each area of the Greenfield API over btpay's services. */
export function createGreenfieldBackend(deps: GreenfieldDeps): GreenfieldBackend {
  return {
    auth: authBackend(deps),
    stores: storesBackend(deps),
    invoices: invoicesBackend(deps),
    webhooks: webhooksBackend(deps),
    connect: connectBackend(deps),
    refunds: refundsBackend(deps),
  };
}
