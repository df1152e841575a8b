/**
 * Fresh receive addresses from a WalletSpec, fast.
 *
 * A server derives one address per invoice, so the per-address cost matters while the per-wallet
 * cost does not: the constructor reads the canonical descriptors once and caches the neutered BIP-32
 * node of each chain (the account key with its steps applied, e.g. `xpub/0`), and `address()` is then
 * one unhardened `derive(index)` plus a bitcoinjs-lib payment. Going through @bitcoinerlab/descriptors'
 * `Output` per address would re-parse the descriptor every time; parseWallet() and the tests check
 * that both give the same addresses.
 */
import { BIP32Factory, type BIP32Interface } from "bip32";
import { initEccLib, type Network, type Payment, payments } from "bitcoinjs-lib";
import * as ecc from "tiny-secp256k1";
import { parseDescriptorBody, stripChecksum } from "./descriptor.js";
import { networkParams } from "./network.js";
import { parseExtendedPublicKey, type ScriptType } from "./slip132.js";
import type { WalletSpec } from "./wallet-spec.js";

// payments.p2tr computes the BIP-341 output key tweak through the library-wide ECC backend.
initEccLib(ecc);
const bip32 = BIP32Factory(ecc);

/** Unhardened BIP-32 indexes are 0..2^31-1; above that derivation would be hardened (and impossible). */
export const MAX_ADDRESS_INDEX = 0x7fffffff;

export interface DerivedAddress {
  address: string;
  /** The output script as lowercase hex: what a chain source matches transactions against. */
  scriptPubKeyHex: string;
}

type Builder = (pubkey: Uint8Array, network: Network) => Payment;

// The keys come from our own derivation (always valid compressed points), so skipping bitcoinjs-lib's
// re-validation of its inputs is safe and saves time on every address.
const fast = { validate: false };
const BUILDERS: Record<ScriptType, Builder> = {
  p2pkh: (pubkey, network) => payments.p2pkh({ pubkey, network }, fast),
  p2wpkh: (pubkey, network) => payments.p2wpkh({ pubkey, network }, fast),
  "p2sh-p2wpkh": (pubkey, network) =>
    payments.p2sh({ redeem: payments.p2wpkh({ pubkey, network }, fast), network }, fast),
  // BIP-86: key path only; the internal key is the x-only derived key, tweaked with an empty script tree.
  p2tr: (pubkey, network) => payments.p2tr({ internalPubkey: pubkey.subarray(1, 33), network }, fast),
};

function checkIndex(index: number, what = "index"): void {
  if (!Number.isInteger(index) || index < 0 || index > MAX_ADDRESS_INDEX) {
    throw new RangeError(`${what} must be an integer from 0 to ${MAX_ADDRESS_INDEX}, got ${index}`);
  }
}

/** The cached node of one chain: the key of a canonical (single-branch) descriptor with its steps applied. */
function chainNode(descriptor: string, spec: WalletSpec): BIP32Interface {
  const parts = parseDescriptorBody(stripChecksum(descriptor, "descriptor"), "descriptor");
  if (parts.multipath || parts.scriptType !== spec.scriptType) {
    throw new RangeError("wallet spec is inconsistent: expected single-branch descriptors of its script type");
  }
  const key = parseExtendedPublicKey(parts.key, spec.network, "descriptor").standard;
  let node = bip32.fromBase58(key, networkParams(spec.network));
  for (const step of parts.steps) node = node.derive(step);
  return node;
}

export class WalletDeriver {
  readonly spec: WalletSpec;
  private readonly chains: readonly [BIP32Interface, BIP32Interface | null];
  private readonly network: Network;
  private readonly build: Builder;

  /** Throws when the spec's descriptors or key are invalid (a spec from parseWallet() never is). */
  constructor(spec: WalletSpec) {
    this.spec = spec;
    this.network = networkParams(spec.network);
    this.build = BUILDERS[spec.scriptType];
    this.chains = [
      chainNode(spec.receiveDescriptor, spec),
      spec.changeDescriptor === null ? null : chainNode(spec.changeDescriptor, spec),
    ];
  }

  /** True when the wallet has a change chain (chain 1). */
  get hasChange(): boolean {
    return this.chains[1] !== null;
  }

  /**
   * The address at `index` on `chain` (0 receive, 1 change). Throws RangeError for an index outside
   * 0..2^31-1 or chain 1 of a wallet without one. (BIP-32 derivation can fail for about one index in
   * 2^127; bip32 then throws and the caller moves to the next index.)
   */
  address(chain: 0 | 1, index: number): DerivedAddress {
    const node = this.node(chain);
    checkIndex(index);
    return this.at(node, index);
  }

  /** `count` consecutive addresses from `from` (gap-limit scans, address pre-generation). */
  addresses(chain: 0 | 1, from: number, count: number): DerivedAddress[] {
    const node = this.node(chain);
    checkIndex(from, "from");
    if (!Number.isInteger(count) || count < 0 || from + count - 1 > MAX_ADDRESS_INDEX) {
      throw new RangeError(`count must be an integer from 0 to ${MAX_ADDRESS_INDEX - from + 1}, got ${count}`);
    }
    const out: DerivedAddress[] = [];
    for (let i = 0; i < count; i++) out.push(this.at(node, from + i));
    return out;
  }

  private node(chain: 0 | 1): BIP32Interface {
    const node = chain === 0 || chain === 1 ? this.chains[chain] : undefined;
    if (!node) {
      throw new RangeError(chain === 1 ? "this wallet has no change chain" : `chain must be 0 or 1, got ${chain}`);
    }
    return node;
  }

  private at(node: BIP32Interface, index: number): DerivedAddress {
    const payment = this.build(node.derive(index).publicKey, this.network);
    const { address, output } = payment;
    if (address === undefined || output === undefined) throw new Error("wallet: payment without address");
    return { address, scriptPubKeyHex: Buffer.from(output).toString("hex") };
  }
}
