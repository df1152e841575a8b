import type { AuthBackend } from "./auth/backend.js";
import type { ConnectBackend } from "./connect/backend.js";
import type { InvoicesBackend } from "./invoices/backend.js";
import type { RefundsBackend } from "./refunds/backend.js";
import type { StoresBackend } from "./stores/backend.js";
import type { WebhooksBackend } from "./webhooks/backend.js";

/**
 * What the bridge needs from a btpay server, one interface per area (each defined next to the
 * routes that use it). The server implements them over its own services (packages/server/src/
 * greenfield/); the bridge never reaches into the server's internals.
 */
export interface GreenfieldBackend {
  auth: AuthBackend;
  stores: StoresBackend;
  invoices: InvoicesBackend;
  webhooks: WebhooksBackend;
  connect: ConnectBackend;
  refunds: RefundsBackend;
}
