/**
 * What a merchant gives btpay to receive payments: one extended public key or one output descriptor,
 * turned into a WalletSpec, the plain JSON object the database stores and WalletDeriver reads.
 *
 * btpay is watch-only. Private key material is refused before anything else looks at the input, and
 * no error message here ever quotes the input: a key with a typo in it is still a secret.
 */
import { Output } from "@bitcoinerlab/descriptors";
import { ValidationError } from "../domain/errors.js";
import { WalletDeriver } from "./derive.js";
import { type DescriptorParts, parseDescriptorBody, renderDescriptor, stripChecksum } from "./descriptor.js";
import { type BitcoinNetwork, networkParams } from "./network.js";
import { containsPrivateKey, PRIVATE_KEY_REFUSED, parseExtendedPublicKey, type ScriptType } from "./slip132.js";

export interface WalletSpec {
  kind: "xpub" | "descriptor";
  network: BitcoinNetwork;
  scriptType: ScriptType;
  /** Canonical public descriptor of the receive chain, ranged and checksummed: `wpkh(xpub.../0/*)#...`. */
  receiveDescriptor: string;
  /** The change chain; null when a descriptor gave a single chain (`.../*` without `<0;1>`). */
  changeDescriptor: string | null;
  /** Master key fingerprint from the descriptor's key origin, 8 lowercase hex digits. */
  fingerprint: string | null;
  /** Key origin path from the master, e.g. "m/84'/0'/0'". */
  derivationPath: string | null;
  /** What the merchant gave, trimmed (public data only: private keys never get this far). */
  source: string;
}

export interface WalletInput {
  xpub?: string | null;
  descriptor?: string | null;
}

type Field = keyof WalletInput;

/** Bounds the work done on client input; real keys are 111 characters, descriptors about 200. */
const MAX_LENGTH: Record<Field, number> = { xpub: 200, descriptor: 1000 };

/**
 * Validates a merchant's wallet and returns its WalletSpec. Exactly one of `xpub` (any SLIP-132
 * single-signature version: the receive chain is `/0/*`, change `/1/*`, the script type comes from the
 * version) or `descriptor` (`pkh`, `sh(wpkh)`, `wpkh` or `tr` around one ranged extended public key).
 * Throws ValidationError on field "xpub" or "descriptor" saying what is wrong.
 */
export function parseWallet(input: WalletInput, network: BitcoinNetwork): WalletSpec {
  const given = (["xpub", "descriptor"] as const).filter((f) => input[f] !== undefined && input[f] !== null);
  const [field] = given;
  if (field === undefined) {
    throw new ValidationError("give an extended public key (xpub) or an output descriptor (descriptor)");
  }
  if (given.length > 1) throw new ValidationError("give either xpub or descriptor, not both");
  const raw: unknown = input[field];
  if (typeof raw !== "string") throw new ValidationError("must be a string", field);
  const text = raw.trim();
  if (text === "") throw new ValidationError("must not be empty", field);
  if (text.length > MAX_LENGTH[field]) {
    throw new ValidationError(`must be at most ${MAX_LENGTH[field]} characters long`, field);
  }
  if (containsPrivateKey(text)) throw new ValidationError(PRIVATE_KEY_REFUSED, field);

  const spec = field === "xpub" ? fromXpub(text, network) : fromDescriptor(text, network);
  crossCheck(spec, field);
  return spec;
}

function fromXpub(text: string, network: BitcoinNetwork): WalletSpec {
  const key = parseExtendedPublicKey(text, network, "xpub");
  // An account key alone follows BIP-44/49/84: external chain 0, internal (change) chain 1.
  const parts: DescriptorParts = {
    scriptType: key.scriptType,
    origin: null,
    key: key.standard,
    steps: [],
    multipath: true,
  };
  return {
    kind: "xpub",
    network,
    scriptType: key.scriptType,
    receiveDescriptor: renderDescriptor(parts, 0),
    changeDescriptor: renderDescriptor(parts, 1),
    fingerprint: null,
    derivationPath: null,
    source: text,
  };
}

function fromDescriptor(text: string, network: BitcoinNetwork): WalletSpec {
  const parsed = parseDescriptorBody(stripChecksum(text, "descriptor"), "descriptor");
  // The script is explicit here, so a ypub/zpub inside one only needs its version normalised.
  const parts = { ...parsed, key: parseExtendedPublicKey(parsed.key, network, "descriptor").standard };
  return {
    kind: "descriptor",
    network,
    scriptType: parts.scriptType,
    receiveDescriptor: renderDescriptor(parts, parts.multipath ? 0 : null),
    changeDescriptor: parts.multipath ? renderDescriptor(parts, 1) : null,
    fingerprint: parts.origin?.fingerprint ?? null,
    derivationPath: parts.origin ? `m${parts.origin.path}` : null,
    source: text,
  };
}

/**
 * Builds the fast deriver (which also checks the key is a valid curve point) and compares its first
 * address on each chain with @bitcoinerlab/descriptors reading the canonical descriptor. A refusal
 * from the library is the merchant's problem; a disagreement is our bug and must never store a wallet
 * whose addresses the merchant's own wallet would not recognise.
 */
function crossCheck(spec: WalletSpec, field: Field): void {
  let deriver: WalletDeriver;
  try {
    deriver = new WalletDeriver(spec);
  } catch {
    throw new ValidationError("is not a valid extended public key (its key data is corrupt)", field);
  }
  const chains: [0 | 1, string | null][] = [
    [0, spec.receiveDescriptor],
    [1, spec.changeDescriptor],
  ];
  for (const [chain, descriptor] of chains) {
    if (descriptor === null) continue;
    let expected: string;
    try {
      expected = new Output({ descriptor, index: 0, network: networkParams(spec.network) }).getAddress();
    } catch {
      // Never forward the library's message: it quotes the descriptor.
      throw new ValidationError("could not be read as a public output descriptor", field);
    }
    if (deriver.address(chain, 0).address !== expected) {
      throw new Error(`wallet: fast derivation disagrees with @bitcoinerlab/descriptors on chain ${chain}`);
    }
  }
}
