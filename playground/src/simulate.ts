import type { BtpayClient } from "@btpay/sdk";
import { devApi } from "./dev-api.js";
import { apiError, byId, short, show } from "./dom.js";
import { target } from "./target.js";

interface Paid {
  txid: string;
  amount_sats: string;
}
interface Mined {
  height: number;
  hashes: string[];
}
interface Reorged extends Mined {
  disconnected: string[];
  dropped: string[];
}
interface Replaced {
  replaced: string[];
  replacements: string[];
}

/** One button, one dev API call; the line under the buttons says what happened on the chain. */
const ACTIONS: Record<string, (ref: string | null, api: BtpayClient) => Promise<string>> = {
  "pay-full": (ref) => pay(ref, "full"),
  "pay-partial": (ref) => pay(ref, "partial"),
  "pay-over": (ref) => pay(ref, "over"),
  "mine-1": () => mine(1),
  "mine-6": () => mine(6),
  "reorg-keep": async (ref) => {
    const r = await devApi<Reorged>("POST", "/reorg", { ref: need(ref), mode: "keep" });
    return `Reorg: ${r.disconnected.length} block(s) replaced by ${r.hashes.length} empty ones; the payment is back in the mempool (height ${r.height}).`;
  },
  "reorg-drop": async (ref) => {
    const r = await devApi<Reorged>("POST", "/reorg", { ref: need(ref), mode: "drop" });
    return `Reorg: ${r.disconnected.length} block(s) replaced by ${r.hashes.length}; ${r.dropped.length} payment(s) double-spent away (height ${r.height}).`;
  },
  rbf: async (ref) => {
    const r = await devApi<Replaced>("POST", "/rbf", { ref: need(ref) });
    return `Replaced ${r.replaced.map(short).join(", ")} by ${r.replacements.map(short).join(", ")} (pays devchain's wallet).`;
  },
  cancel: async (ref, api) => {
    const r = await api.DELETE("/invoices/{ref}", { params: { path: { ref: need(ref) } } });
    if (!r.data) throw new Error(apiError(r.error));
    return "Cancelled through the API.";
  },
};

export function wireSimulate(api: BtpayClient, onDone: () => void): void {
  const result = byId("simulate-result");
  const buttons = byId("simulate-buttons");
  buttons.addEventListener("click", async (e) => {
    const button = (e.target as HTMLElement).closest<HTMLButtonElement>("button[data-action]");
    const action = button && ACTIONS[button.dataset.action ?? ""];
    if (!button || !action) return;
    button.disabled = true;
    try {
      show(result, await action(target.ref, api));
    } catch (err) {
      show(result, err instanceof Error ? err.message : String(err), "error");
    } finally {
      button.disabled = false;
      onDone();
    }
  });
}

async function pay(ref: string | null, amount: "full" | "partial" | "over"): Promise<string> {
  const r = await devApi<Paid>("POST", "/pay", { ref: need(ref), amount });
  return `Sent ${r.amount_sats} sats in ${short(r.txid)} (in the mempool, RBF-signalling).`;
}

async function mine(blocks: number): Promise<string> {
  const r = await devApi<Mined>("POST", "/mine", { blocks });
  return `Mined ${r.hashes.length} block(s): height ${r.height}.`;
}

function need(ref: string | null): string {
  if (!ref) throw new Error("Create an invoice first (or open one with a payment link button).");
  return ref;
}
