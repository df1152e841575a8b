import type { GreenfieldBackend } from "@btpay/woocommerce-bridge";
import type { GreenfieldDeps } from "./deps.js";

/** A store with its invoice defaults: the server's quote deadline and monitoring window apply to all. */
export function storesBackend(deps: GreenfieldDeps): GreenfieldBackend["stores"] {
  const { db, config } = deps;
  return {
    async store(storeId) {
      const repos = db.repos();
      const [store, wallet] = await Promise.all([repos.stores.get(storeId), repos.wallets.active(storeId)]);
      if (!store) return null;
      return {
        id: store.id,
        name: store.name,
        defaultCurrency: store.defaultCurrency,
        requiredConfirmations: store.requiredConfirmations,
        underpaymentTolerancePercent: store.underpaymentTolerancePercent,
        invoiceExpirationMinutes: config.quoteDeadlineMinutes,
        monitoringMinutes: config.monitoringMinutes,
        hasWallet: wallet !== null,
      };
    },
  };
}
