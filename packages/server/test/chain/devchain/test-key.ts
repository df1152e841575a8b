/** A key the test holds (not devchain's wallet), to build and sign its own P2WPKH spends. */
import { randomBytes } from "node:crypto";
import { BIP32Factory } from "bip32";
import { type Network, payments, script, Transaction } from "bitcoinjs-lib";
import * as ecc from "tiny-secp256k1";

const bip32 = BIP32Factory(ecc);

export interface Outpoint {
  txid: string;
  vout: number;
  valueSats: bigint;
}

export class TestKey {
  private readonly node = bip32.fromSeed(randomBytes(32));
  readonly address: string;
  readonly script: Uint8Array;

  constructor(network: Network) {
    const pay = payments.p2wpkh({ pubkey: this.node.publicKey, network });
    this.address = pay.address!;
    this.script = pay.output!;
  }

  /** A signed transaction spending `inputs` (all paying this key) to `outputs`. */
  spend(inputs: Outpoint[], outputs: { script: Uint8Array; valueSats: bigint }[], opts: { badSig?: boolean } = {}) {
    const tx = new Transaction();
    tx.version = 2;
    for (const input of inputs) tx.addInput(Buffer.from(input.txid, "hex").reverse(), input.vout, 0xfffffffd);
    for (const out of outputs) tx.addOutput(out.script, out.valueSats);
    const scriptCode = payments.p2pkh({ pubkey: this.node.publicKey }).output!;
    inputs.forEach((input, i) => {
      const value = opts.badSig ? input.valueSats + 1n : input.valueSats;
      const hash = tx.hashForWitnessV0(i, scriptCode, value, Transaction.SIGHASH_ALL);
      tx.setWitness(i, [script.signature.encode(this.node.sign(hash), Transaction.SIGHASH_ALL), this.node.publicKey]);
    });
    return tx;
  }
}
