/**
 * devchain's regtest wallet: BIP84 keys (m/84'/1'/0'/{0,1}/i) from a FIXED, PUBLIC seed. Anyone can
 * derive these keys, which is fine: regtest coins are worthless and only exist inside devchain.
 * The wallet knows its keys and builds signed transactions; which coins it may spend is the
 * chain's business (it passes them in).
 */
import { BIP32Factory, type BIP32Interface } from "bip32";
import { crypto, type Network, payments, script, Transaction } from "bitcoinjs-lib";
import * as ecc from "tiny-secp256k1";
import type { Coin } from "./coins.js";
import { hashFromId, toHex } from "./hex.js";
import { DevChainError } from "./types.js";

const bip32 = BIP32Factory(ecc);
/** Public on purpose (see above). */
export const DEVCHAIN_WALLET_SEED = crypto.sha256(new TextEncoder().encode("btpay devchain public regtest wallet"));
/** Sequence that signals BIP125 replaceability, as Core's wallet does. */
export const SEQUENCE_RBF = 0xfffffffd;
/** Change smaller than this is left to the fee (P2WPKH dust at Core's 3 sat/vB dust relay fee). */
const CHANGE_DUST_SATS = 294n;
export const RPC_WALLET_INSUFFICIENT_FUNDS = -6;

export interface WalletOutput {
  script: Uint8Array;
  valueSats: bigint;
}

export interface FundRequest {
  outputs: WalletOutput[];
  /** Coins the wallet may spend, in preference order. */
  available: Coin[];
  /** Coins that must be spent (the inputs of a transaction being replaced). */
  required?: Coin[];
  /** Sat/vB; fractions allowed. */
  feeRateSatVb: number;
  /** The fee must be at least this (BIP125 replacement rules). */
  minFeeSats?: bigint;
  locktime: number;
}

export class DevWallet {
  private readonly account: BIP32Interface;
  private readonly keys = new Map<string, BIP32Interface>();
  private readonly changeScripts = new Set<string>();
  private nextReceive = 0;
  private nextChange = 0;

  constructor(
    readonly network: Network,
    indexes: { receive: number; change: number } = { receive: 0, change: 0 },
  ) {
    this.account = bip32.fromSeed(DEVCHAIN_WALLET_SEED, network).derivePath("m/84'/1'/0'");
    while (this.nextReceive < indexes.receive) this.derive(0);
    while (this.nextChange < indexes.change) this.derive(1);
  }

  get indexes(): { receive: number; change: number } {
    return { receive: this.nextReceive, change: this.nextChange };
  }

  newAddress(): string {
    return this.addressOf(this.derive(0));
  }

  newChangeScript(): Uint8Array {
    return this.derive(1);
  }

  isMine(scriptHex: string): boolean {
    return this.keys.has(scriptHex);
  }

  isChange(scriptHex: string): boolean {
    return this.changeScripts.has(scriptHex);
  }

  private derive(branch: 0 | 1): Uint8Array {
    const index = branch === 0 ? this.nextReceive++ : this.nextChange++;
    const key = this.account.derive(branch).derive(index);
    const output = payments.p2wpkh({ pubkey: key.publicKey, network: this.network }).output!;
    this.keys.set(toHex(output), key);
    if (branch === 1) this.changeScripts.add(toHex(output));
    return output;
  }

  private addressOf(output: Uint8Array): string {
    return payments.p2wpkh({ output, network: this.network }).address!;
  }

  /**
   * Picks coins (required ones, then `available` in order) until outputs plus fee are covered,
   * adds change to a fresh change address unless it would be dust, and signs.
   */
  fund(req: FundRequest): Transaction {
    const outTotal = req.outputs.reduce((sum, o) => sum + o.valueSats, 0n);
    const selected = [...(req.required ?? [])];
    const pool = req.available.filter((c) => !selected.some((s) => s.txid === c.txid && s.vout === c.vout));
    const changeScript = this.peekChangeScript();
    for (;;) {
      const inTotal = selected.reduce((sum, c) => sum + c.valueSats, 0n);
      if (selected.length > 0) {
        const withChange = [...req.outputs, { script: changeScript, valueSats: 0n }];
        const changeSats = inTotal - outTotal - this.feeFor(selected, withChange, req);
        if (changeSats >= CHANGE_DUST_SATS) {
          this.newChangeScript();
          return this.sign(selected, [...req.outputs, { script: changeScript, valueSats: changeSats }], req.locktime);
        }
        if (inTotal - outTotal >= this.feeFor(selected, req.outputs, req)) {
          return this.sign(selected, req.outputs, req.locktime);
        }
      }
      const next = pool.shift();
      if (!next) throw new DevChainError(RPC_WALLET_INSUFFICIENT_FUNDS, "Insufficient funds");
      selected.push(next);
    }
  }

  /** The script the next `newChangeScript` returns, without using it up. */
  private peekChangeScript(): Uint8Array {
    const key = this.account.derive(1).derive(this.nextChange);
    return payments.p2wpkh({ pubkey: key.publicKey, network: this.network }).output!;
  }

  /** Fee at the requested rate, sized with worst-case (72-byte) signatures. */
  private feeFor(inputs: Coin[], outputs: WalletOutput[], req: FundRequest): bigint {
    const tx = this.unsigned(inputs, outputs, req.locktime);
    inputs.forEach((_, i) => {
      tx.setWitness(i, [new Uint8Array(72), new Uint8Array(33)]);
    });
    const milliSatPerVb = BigInt(Math.ceil(req.feeRateSatVb * 1000));
    const fee = (BigInt(tx.virtualSize()) * milliSatPerVb + 999n) / 1000n;
    return req.minFeeSats !== undefined && req.minFeeSats > fee ? req.minFeeSats : fee;
  }

  private unsigned(inputs: Coin[], outputs: WalletOutput[], locktime: number): Transaction {
    const tx = new Transaction();
    tx.version = 2;
    tx.locktime = locktime;
    for (const coin of inputs) tx.addInput(hashFromId(coin.txid), coin.vout, SEQUENCE_RBF);
    for (const out of outputs) tx.addOutput(out.script, out.valueSats);
    return tx;
  }

  private sign(inputs: Coin[], outputs: WalletOutput[], locktime: number): Transaction {
    const tx = this.unsigned(inputs, outputs, locktime);
    inputs.forEach((coin, i) => {
      const key = this.keys.get(coin.scriptHex);
      if (!key) throw new Error(`devchain wallet has no key for ${coin.scriptHex}`);
      const scriptCode = payments.p2pkh({ pubkey: key.publicKey }).output!;
      const sighash = tx.hashForWitnessV0(i, scriptCode, coin.valueSats, Transaction.SIGHASH_ALL);
      const signature = script.signature.encode(key.sign(sighash, true), Transaction.SIGHASH_ALL);
      tx.setWitness(i, [signature, key.publicKey]);
    });
    return tx;
  }
}
