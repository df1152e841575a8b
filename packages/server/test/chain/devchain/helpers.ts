import { createDevChain, type DevChainImpl } from "../../../src/chain/devchain/chain.js";
import { toHex } from "../../../src/chain/devchain/hex.js";
import { DevChainError, type DevChainEvent } from "../../../src/chain/devchain/types.js";
import { type Outpoint, TestKey } from "./test-key.js";

/** The DevChainError a call throws, to assert Core's code and message. */
export function errorOf(call: () => unknown): DevChainError {
  try {
    call();
  } catch (err) {
    if (err instanceof DevChainError) return err;
    throw err;
  }
  throw new Error("expected a DevChainError");
}

/** A fresh chain and a confirmed coin paying a key the test holds. */
export function fundedKey(valueSats = 100_000n): { chain: DevChainImpl; key: TestKey; coin: Outpoint } {
  const chain = createDevChain();
  const key = new TestKey(chain.network);
  const txid = chain.sendToAddress(key.address, valueSats);
  const vout = chain.getTx(txid)!.tx.outs.findIndex((o) => toHex(o.script) === toHex(key.script));
  chain.generateToAddress(1, chain.getNewAddress());
  return { chain, key, coin: { txid, vout, valueSats } };
}

export function recording(chain: DevChainImpl): DevChainEvent[] {
  const events: DevChainEvent[] = [];
  chain.subscribe((e) => events.push(e));
  return events;
}
