/**
 * Consensus checks of one transaction against a coin view, with Bitcoin Core's reject reasons and
 * RPC codes (-25 missing inputs, -26 rejected). Script verification covers what devchain's own
 * wallet and typical test wallets produce: P2WPKH and taproot key-path spends. Other script types
 * (P2PKH, P2SH, P2WSH, tapscript) are accepted unverified: devchain is a test chain that trusts
 * its callers, and a bitcoind-grade script interpreter is out of scope.
 */
import { crypto, payments, script, Transaction } from "bitcoinjs-lib";
import * as ecc from "tiny-secp256k1";
import { satsToBtcText } from "../json-exact.js";
import { type Coin, type CoinView, outpointKey } from "./coins.js";
import { COINBASE_MATURITY } from "./consensus.js";
import { idFromHash } from "./hex.js";
import { DevChainError } from "./types.js";

export const RPC_TRANSACTION_ERROR = -25;
export const RPC_TRANSACTION_REJECTED = -26;
const MAX_MONEY_SATS = 21_000_000n * 100_000_000n;
const LOCKTIME_THRESHOLD = 500_000_000;
const SEQUENCE_FINAL = 0xffffffff;

export interface TxContext {
  /** Height of the block the transaction would be in (tip + 1 for the mempool). */
  spendHeight: number;
  /** Median time past of the tip, for time-based lock times. */
  medianTimePast: number;
}

export interface CheckedTx {
  feeSats: bigint;
  /** The coins spent, one per input. */
  spent: Coin[];
}

export function rejected(reason: string): DevChainError {
  return new DevChainError(RPC_TRANSACTION_REJECTED, reason);
}

export function checkTransaction(tx: Transaction, view: CoinView, ctx: TxContext): CheckedTx {
  checkShape(tx);
  if (!isFinal(tx, ctx)) throw rejected("non-final");
  const spent: Coin[] = [];
  for (const input of tx.ins) {
    const coin = view.coin(idFromHash(input.hash), input.index);
    if (!coin) throw new DevChainError(RPC_TRANSACTION_ERROR, "bad-txns-inputs-missingorspent");
    if (coin.coinbase && ctx.spendHeight - coin.height < COINBASE_MATURITY) {
      throw rejected(
        `bad-txns-premature-spend-of-coinbase, tried to spend coinbase at depth ${ctx.spendHeight - coin.height}`,
      );
    }
    spent.push(coin);
  }
  const valueIn = spent.reduce((sum, coin) => sum + coin.valueSats, 0n);
  const valueOut = tx.outs.reduce((sum, out) => sum + out.value, 0n);
  if (valueIn < valueOut) {
    throw rejected(
      `bad-txns-in-belowout, value in (${satsToBtcText(valueIn)}) < value out (${satsToBtcText(valueOut)})`,
    );
  }
  verifyScripts(tx, spent);
  return { feeSats: valueIn - valueOut, spent };
}

function checkShape(tx: Transaction): void {
  if (tx.ins.length === 0) throw rejected("bad-txns-vin-empty");
  if (tx.outs.length === 0) throw rejected("bad-txns-vout-empty");
  if (tx.isCoinbase()) throw rejected("coinbase");
  let total = 0n;
  for (const out of tx.outs) {
    if (out.value < 0n) throw rejected("bad-txns-vout-negative");
    if (out.value > MAX_MONEY_SATS) throw rejected("bad-txns-vout-toolarge");
    total += out.value;
    if (total > MAX_MONEY_SATS) throw rejected("bad-txns-txouttotal-toolarge");
  }
  const seen = new Set<string>();
  for (const input of tx.ins) {
    const key = outpointKey(idFromHash(input.hash), input.index);
    if (seen.has(key)) throw rejected("bad-txns-inputs-duplicate");
    seen.add(key);
  }
}

/** nLockTime finality (BIP113: time locks compare with the median time past). BIP68 is not enforced. */
function isFinal(tx: Transaction, ctx: TxContext): boolean {
  if (tx.locktime === 0) return true;
  const limit = tx.locktime < LOCKTIME_THRESHOLD ? ctx.spendHeight : ctx.medianTimePast;
  if (tx.locktime < limit) return true;
  return tx.ins.every((input) => input.sequence === SEQUENCE_FINAL);
}

function scriptFailure(what: string): DevChainError {
  return rejected(`mandatory-script-verify-flag-failed (${what})`);
}

function verifyScripts(tx: Transaction, spent: Coin[]): void {
  spent.forEach((coin, index) => {
    const input = tx.ins[index]!;
    if (isP2wpkh(coin.script)) verifyP2wpkh(tx, index, coin);
    else if (isP2tr(coin.script)) verifyTaprootKeyPath(tx, index, spent);
    else return;
    if (input.script.length > 0) throw scriptFailure("Witness requires empty scriptSig");
  });
}

function isP2wpkh(s: Uint8Array): boolean {
  return s.length === 22 && s[0] === 0x00 && s[1] === 0x14;
}

function isP2tr(s: Uint8Array): boolean {
  return s.length === 34 && s[0] === 0x51 && s[1] === 0x20;
}

function verifyP2wpkh(tx: Transaction, index: number, coin: Coin): void {
  const witness = tx.ins[index]!.witness;
  if (witness.length === 0) throw scriptFailure("Witness program was passed an empty witness");
  if (witness.length !== 2) throw scriptFailure("Witness program hash mismatch");
  const [sigBytes, pubkey] = witness as [Uint8Array, Uint8Array];
  const program = coin.script.subarray(2);
  if (Buffer.compare(crypto.hash160(pubkey), program) !== 0) {
    throw scriptFailure("Script failed an OP_EQUALVERIFY operation");
  }
  let valid = false;
  try {
    const { signature, hashType } = script.signature.decode(sigBytes);
    const scriptCode = payments.p2pkh({ hash: program }).output!;
    const sighash = tx.hashForWitnessV0(index, scriptCode, coin.valueSats, hashType);
    valid = ecc.isPoint(pubkey) && ecc.verify(sighash, pubkey, signature);
  } catch {
    valid = false;
  }
  if (!valid) throw scriptFailure("Signature must be zero for failed CHECK(MULTI)SIG operation");
}

function verifyTaprootKeyPath(tx: Transaction, index: number, spent: Coin[]): void {
  let witness = tx.ins[index]!.witness;
  if (witness.length === 0) throw scriptFailure("Witness program was passed an empty witness");
  const last = witness[witness.length - 1]!;
  const annex = witness.length >= 2 && last[0] === 0x50 ? last : undefined;
  if (annex) witness = witness.slice(0, -1);
  if (witness.length !== 1) return; // a script-path spend: not verified (see the file comment)
  const sig = witness[0]!;
  if (sig.length !== 64 && sig.length !== 65) throw scriptFailure("Invalid Schnorr signature size");
  const hashType = sig.length === 65 ? sig[64]! : Transaction.SIGHASH_DEFAULT;
  let valid = false;
  try {
    const sighash = tx.hashForWitnessV1(
      index,
      spent.map((c) => c.script),
      spent.map((c) => c.valueSats),
      hashType,
      undefined,
      annex,
    );
    valid = ecc.verifySchnorr(sighash, spent[index]!.script.subarray(2), sig.subarray(0, 64));
  } catch {
    valid = false;
  }
  if (!valid) throw scriptFailure("Invalid Schnorr signature");
}
