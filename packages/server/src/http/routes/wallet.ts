import type { WalletService } from "../../services/wallets.js";
import type { Handlers } from "../route.js";
import { serializeWallet } from "../serializers/wallet.js";

export function walletHandlers(wallets: WalletService): Handlers {
  return {
    getWallet: async ({ auth }) => ({ status: 200, body: serializeWallet(await wallets.get(auth.store.id)) }),
    setWallet: async ({ auth, body }) => ({
      status: 200,
      body: serializeWallet(await wallets.set(auth.store.id, body)),
    }),
  };
}
