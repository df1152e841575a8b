/**
 * Which coins devchain's wallet may spend, by Core's wallet rules: confirmed coins not spent in
 * the mempool (a coinbase only at depth 101, one block later than consensus allows), and the
 * outputs of its own mempool transactions (trusted change). Largest confirmed coins first.
 */
import type { ActiveChain } from "./active-chain.js";
import { type Coin, coinsOf } from "./coins.js";
import { COINBASE_MATURITY } from "./consensus.js";
import type { Mempool } from "./mempool.js";
import type { DevWallet } from "./wallet.js";

export function spendableWalletCoins(
  wallet: DevWallet,
  chain: ActiveChain,
  mempool: Mempool,
  excludeTxids: ReadonlySet<string> = new Set(),
): Coin[] {
  const tipHeight = chain.tip().height;
  const confirmed: Coin[] = [];
  for (const coin of chain.utxos.values()) {
    if (!wallet.isMine(coin.scriptHex) || mempool.spender(coin.txid, coin.vout)) continue;
    if (coin.coinbase && tipHeight - coin.height + 1 <= COINBASE_MATURITY) continue;
    confirmed.push(coin);
  }
  confirmed.sort((a, b) => (b.valueSats > a.valueSats ? 1 : b.valueSats < a.valueSats ? -1 : 0));
  const unconfirmed: Coin[] = [];
  for (const entry of mempool.sorted()) {
    if (excludeTxids.has(entry.txid) || !entry.spent.every((c) => wallet.isMine(c.scriptHex))) continue;
    for (const coin of coinsOf(entry.tx, entry.txid, 0)) {
      if (wallet.isMine(coin.scriptHex) && !mempool.spender(coin.txid, coin.vout)) unconfirmed.push(coin);
    }
  }
  return [...confirmed, ...unconfirmed];
}
