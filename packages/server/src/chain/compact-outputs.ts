/**
 * Every output of a transaction as one short string, for transactions the bitcoind adapter may have
 * to search again later for a script it was not watching yet (mempool transactions, recent blocks).
 * `" <spk>:<sats>"` per output in vout order: ~60 bytes an output instead of an object graph several
 * times that, and `pays()` is one `includes` (the space and the colon bound the hex, so one script
 * cannot match inside another).
 */
import type { TxOut } from "./bitcoind-json.js";
import { ChainSourceError } from "./chain-source.js";

/** The position is the vout, so the outputs must be numbered 0..n-1 in order, as Core lists them. */
export function encodeOutputs(txid: string, outputs: readonly TxOut[]): string {
  if (outputs.some((o, i) => o.vout !== i)) {
    throw new ChainSourceError(`bitcoind sent the outputs of ${txid} out of order`);
  }
  return outputs.map((o) => ` ${o.scriptPubKeyHex}:${o.valueSats}`).join("");
}

export function pays(encoded: string, scriptPubKeyHex: string): boolean {
  return encoded.includes(` ${scriptPubKeyHex}:`);
}

/** The outputs of `encoded` paying one of `scripts`. */
export function decodePaying(encoded: string, scripts: ReadonlySet<string>): TxOut[] {
  const paying: TxOut[] = [];
  encoded
    .slice(1)
    .split(" ")
    .forEach((entry, vout) => {
      const colon = entry.indexOf(":");
      const scriptPubKeyHex = entry.slice(0, colon);
      if (scripts.has(scriptPubKeyHex))
        paying.push({ vout, scriptPubKeyHex, valueSats: BigInt(entry.slice(colon + 1)) });
    });
  return paying;
}
