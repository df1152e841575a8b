import type { Database, WalletRecord } from "../ports.js";
import type { WalletService } from "./wallets.js";

/**
 * Pre-derived receive addresses, so finalize never waits on the wallet row: it claims the lowest
 * available address with FOR UPDATE SKIP LOCKED, and concurrent finalizes take different rows. The
 * pool is refilled in a short transaction of its own when it runs low. Pre-derived addresses are not
 * handed out to anyone and are claimed in index order, so they add nothing to the gap the merchant's
 * wallet software sees.
 */
export class AddressPool {
  constructor(
    private readonly db: Database,
    private readonly wallets: WalletService,
    private readonly opts: { batch: number; lowWater: number } = { batch: 50, lowWater: 20 },
  ) {}

  /** Derives `batch` more receive addresses (indexes reserved under the wallet row's lock). */
  async refill(wallet: WalletRecord, batch = this.opts.batch): Promise<void> {
    const deriver = this.wallets.deriver(wallet);
    await this.db.transaction(async (repos) => {
      // Under the wallet row's lock, re-check: a burst of finalizes all ask for a refill at once and
      // only the first should derive.
      const next = await repos.wallets.takeIndexes(wallet.id, 0);
      const handedOut = await repos.wallets.highestHandedOut(wallet.id);
      if (next - (handedOut ?? -1) - 1 >= this.opts.lowWater) return;
      const first = await repos.wallets.takeIndexes(wallet.id, batch);
      const rows = deriver.addresses(0, first, batch).map((a, i) => ({
        chain: 0,
        index: first + i,
        address: a.address,
        scriptPubkey: a.scriptPubKeyHex,
      }));
      await repos.addresses.insertAvailable(wallet.id, rows);
    });
  }

  /** True when fewer than `lowWater` pre-derived addresses remain after `claimedIndex`. */
  isLow(wallet: WalletRecord, claimedIndex: number): boolean {
    return wallet.nextIndex - claimedIndex - 1 < this.opts.lowWater;
  }
}
