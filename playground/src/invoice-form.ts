import type { BtpayClient } from "@btpay/sdk";
import { devApi } from "./dev-api.js";
import { apiError, byId, show } from "./dom.js";

/**
 * "Create an invoice": the real API through the SDK (create, then finalize), as a merchant's
 * server would. "Expires in 1 minute" finalizes through the dev API instead, which runs the same
 * finalize with a 1-minute quote deadline (the API's is BTPAY_QUOTE_DEADLINE for every invoice).
 */
export function wireInvoiceForm(api: BtpayClient, onCreated: (ref: string) => void): void {
  const form = byId<HTMLFormElement>("invoice-form");
  const result = byId("create-result");
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const short = (e.submitter as HTMLButtonElement | null)?.value === "short";
    const data = new FormData(form);
    const buttons = [...form.querySelectorAll("button")];
    for (const b of buttons) b.disabled = true;
    try {
      const created = await api.POST("/invoices", {
        body: {
          currency: String(data.get("currency")),
          required_confirmations: Number(data.get("confirmations")) as 0 | 1 | 2 | 6,
          lines: [
            {
              description: String(data.get("description") || "Playground order"),
              quantity: 1,
              unit_price: String(data.get("amount")),
            },
          ],
        },
      });
      if (!created.data) return show(result, `Create failed: ${apiError(created.error)}`, "error");
      const ref = created.data.ref;
      if (short) {
        await devApi("POST", "/finalize", { ref, expires_in_minutes: 1 });
      } else {
        const finalized = await api.POST("/invoices/{ref}/finalize", { params: { path: { ref } } });
        if (!finalized.data) return show(result, `Finalize failed: ${apiError(finalized.error)}`, "error");
      }
      show(result, `Created ${created.data.invoice_number} (${ref})${short ? ", expires in 1 minute" : ""}.`);
      onCreated(ref);
    } catch (err) {
      show(result, `Create failed: ${err instanceof Error ? err.message : String(err)}`, "error");
    } finally {
      for (const b of buttons) b.disabled = false;
    }
  });
}
