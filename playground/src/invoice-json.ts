import type { BtpayClient } from "@btpay/sdk";
import { apiError, byId } from "./dom.js";
import { target } from "./target.js";

/**
 * The target invoice as the API returns it, payments included. Refreshed when something may have
 * changed it (an action, an element event, a webhook), not on a timer: the dev key's rate limit is
 * shared with everything else on this page.
 */
export function invoiceJsonView(api: BtpayClient): { refresh(): void } {
  const pre = byId("invoice-json");
  let timer: ReturnType<typeof setTimeout> | undefined;
  async function load(): Promise<void> {
    const ref = target.ref;
    if (!ref) return;
    const r = await api.GET("/invoices/{ref}", { params: { path: { ref }, query: { include_payments: true } } });
    if (ref !== target.ref) return;
    pre.textContent = r.data ? JSON.stringify(r.data, null, 2) : `Error: ${apiError(r.error)}`;
    pre.dataset.status = r.data?.status ?? "";
  }
  return {
    // Coalesced and a little late: the chain watcher sees devchain's change within ~100 ms.
    refresh() {
      clearTimeout(timer);
      timer = setTimeout(() => void load().catch(() => undefined), 250);
    },
  };
}
