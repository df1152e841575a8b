/**
 * The slice of output descriptors (BIP-380..386, BIP-389 multipath) btpay derives addresses from:
 * `pkh`, `sh(wpkh)`, `wpkh` and key-path-only `tr` around ONE ranged extended public key, e.g.
 * `wpkh([d34db33f/84'/0'/0']xpub.../<0;1>/*)#checksum`.
 *
 * Why a grammar of our own next to @bitcoinerlab/descriptors: that library accepts far more than we
 * can watch (miniscript, multisig, fixed keys) and its errors quote the descriptor back, which may
 * hold a private key. Here every refusal names the problem without echoing input, and the parsed
 * parts feed the fast derivation path. The library still computes checksums and cross-checks
 * (wallet-spec.ts) that both read a wallet the same way.
 *
 * Errors are ValidationErrors on `field`; nothing in this file interprets key bytes or networks.
 */
import { checksum } from "@bitcoinerlab/descriptors";
import { ValidationError } from "../domain/errors.js";
import type { ScriptType } from "./slip132.js";

export interface KeyOrigin {
  /** Master key fingerprint, 8 lowercase hex digits. */
  fingerprint: string;
  /** Steps from the master to the key, `'` for hardened, e.g. "/84'/0'/0'" ("" for the master itself). */
  path: string;
}

export interface DescriptorParts {
  scriptType: ScriptType;
  origin: KeyOrigin | null;
  /** The extended public key exactly as written (still to be checked by slip132.ts). */
  key: string;
  /** Unhardened steps between the key and the branch or wildcard, e.g. [0] for `xpub/0/*`. */
  steps: number[];
  /** True for `/<0;1>/*`: branch 0 receives, branch 1 is change. */
  multipath: boolean;
}

const MAX_STEP = 0x7fffffff;
const CHECKSUM = /^[qpzry9x8gf2tvdw0s3jn54khce6mua7l]{8}$/;
const SCRIPTS: [RegExp, ScriptType][] = [
  [/^pkh\(([^(),]*)\)$/, "p2pkh"],
  [/^wpkh\(([^(),]*)\)$/, "p2wpkh"],
  [/^sh\(wpkh\(([^(),]*)\)\)$/, "p2sh-p2wpkh"],
  [/^tr\(([^(),]*)\)$/, "p2tr"],
];
/** Script functions of BIP-380..386 and miniscript we may name in an error (never other input text). */
const KNOWN_FUNCTIONS = new Set(
  "sh wsh pk pkh wpkh combo multi sortedmulti multi_a sortedmulti_a tr rawtr addr raw musig and_v or_d thresh".split(
    " ",
  ),
);

export const HARDENED_BELOW_XPUB =
  "hardened derivation below an extended public key is impossible; remove the ' or h from the steps after the key";
export const NO_WILDCARD =
  "the descriptor has no /* wildcard: a single fixed address cannot give a fresh address per invoice";
const SUPPORTED = "btpay accepts pkh(), wpkh(), sh(wpkh()) and tr() around one extended public key";

/** Checksum Bitcoin Core would append to `body`; "" when `body` has characters descriptors forbid. */
export function descriptorChecksum(body: string): string {
  return checksum(body);
}

/** `body#checksum`. */
export function withChecksum(body: string): string {
  return `${body}#${descriptorChecksum(body)}`;
}

/** Removes and verifies an optional `#checksum`; returns the descriptor body. */
export function stripChecksum(text: string, field: string): string {
  const [body = "", given, ...extra] = text.split("#");
  if (descriptorChecksum(body) === "") {
    throw new ValidationError("contains characters that are not allowed in a descriptor", field);
  }
  if (given === undefined) return body;
  if (extra.length > 0 || !CHECKSUM.test(given)) {
    throw new ValidationError("the descriptor checksum must be # followed by 8 characters", field);
  }
  if (descriptorChecksum(body) !== given) throw new ValidationError("descriptor checksum does not match", field);
  return body;
}

function unsupported(body: string, field: string): ValidationError {
  if (/^tr\([^(),]*,/.test(body)) {
    return new ValidationError(`unsupported script tr() with a script tree; ${SUPPORTED} (key path only)`, field);
  }
  const [, outer, inner] = /^([a-z_]+)\((?:([a-z_]+)\()?/.exec(body) ?? [];
  // A script we do support that still did not match is malformed (parentheses, commas), not unsupported.
  const ours = outer === "pkh" || outer === "wpkh" || outer === "tr" || (outer === "sh" && inner === "wpkh");
  if (outer && !ours && KNOWN_FUNCTIONS.has(outer)) {
    const name = inner && KNOWN_FUNCTIONS.has(inner) ? `${outer}(${inner}(...))` : `${outer}(...)`;
    return new ValidationError(`unsupported script ${name}; ${SUPPORTED}`, field);
  }
  return new ValidationError(`is not a descriptor btpay can read; ${SUPPORTED}`, field);
}

function parseOrigin(text: string, field: string): KeyOrigin {
  const match = /^([0-9a-fA-F]{8})((?:\/[0-9]{1,10}['hH]?)*)$/.exec(text);
  if (!match) {
    throw new ValidationError("the key origin must look like [d34db33f/84'/0'/0'] (8 hex digits, then steps)", field);
  }
  const steps = (match[2] ?? "").split("/").slice(1);
  const path = steps.map((step) => {
    const hardened = /['hH]$/.test(step);
    const n = Number(hardened ? step.slice(0, -1) : step);
    if (n > MAX_STEP) throw new ValidationError("a key origin step is out of range (0 to 2147483647)", field);
    return `/${n}${hardened ? "'" : ""}`;
  });
  return { fingerprint: (match[1] ?? "").toLowerCase(), path: path.join("") };
}

/** Reads the steps after the key: `/0/*`, `/<0;1>/*`, `/**` (BIP-389 shorthand for `/<0;1>/*`). */
function parseSteps(text: string, field: string): { steps: number[]; multipath: boolean } {
  if (text !== "" && !text.startsWith("/")) {
    throw new ValidationError("expected / after the extended public key", field);
  }
  const segments = text.split("/").slice(1);
  const steps: number[] = [];
  let multipath = false;
  let wildcard = false;
  segments.forEach((segment, i) => {
    const isLast = i === segments.length - 1;
    if (/^(\*|[0-9]+)['hH]$/.test(segment)) throw new ValidationError(HARDENED_BELOW_XPUB, field);
    if (wildcard) throw new ValidationError("the wildcard /* must be the last step", field);
    if (segment === "*" || segment === "**") {
      wildcard = true;
      multipath ||= segment === "**";
    } else if (segment.startsWith("<")) {
      if (segment !== "<0;1>" || multipath || (!isLast && segments[i + 1] !== "*")) {
        throw new ValidationError("the only multipath step supported is /<0;1>/* (receive;change)", field);
      }
      multipath = true;
    } else if (/^[0-9]{1,10}$/.test(segment) && Number(segment) <= MAX_STEP && !multipath) {
      steps.push(Number(segment));
    } else {
      throw new ValidationError("invalid derivation step; expected /<number>, /<0;1> or /*", field);
    }
  });
  if (!wildcard) throw new ValidationError(NO_WILDCARD, field);
  return { steps, multipath };
}

/** Parses a descriptor body (no checksum) into its parts; the key itself is checked by the caller. */
export function parseDescriptorBody(body: string, field: string): DescriptorParts {
  const script = SCRIPTS.find(([pattern]) => pattern.test(body));
  if (!script) throw unsupported(body, field);
  const [pattern, scriptType] = script;
  const keyExpression = pattern.exec(body)?.[1] ?? "";
  // Always matches: [origin] is optional, the key runs to the first "/", the steps are the rest.
  const [, originText, key = "", rest = ""] = /^(?:\[([^\]]*)\])?([^/[\]]*)(.*)$/.exec(keyExpression) ?? [];
  if (/^(0[23][0-9a-fA-F]{64}|04[0-9a-fA-F]{128}|[0-9a-fA-F]{64})$/.test(key)) {
    throw new ValidationError(
      "a single public key is one fixed address and cannot give a fresh address per invoice; " +
        "use an extended public key (xpub) ending in /*",
      field,
    );
  }
  if (key === "") throw new ValidationError("the descriptor has no key", field);
  const origin = originText === undefined ? null : parseOrigin(originText, field);
  return { scriptType, origin, key, ...parseSteps(rest, field) };
}

/**
 * Canonical public descriptor with checksum. `branch` picks 0 (receive) or 1 (change) of a multipath
 * descriptor and must be null otherwise.
 */
export function renderDescriptor(parts: DescriptorParts, branch: 0 | 1 | null): string {
  if (parts.multipath === (branch === null)) throw new RangeError("branch must be given for multipath only");
  const origin = parts.origin ? `[${parts.origin.fingerprint}${parts.origin.path}]` : "";
  const steps = [...parts.steps, ...(branch === null ? [] : [branch])].map((s) => `/${s}`).join("");
  const key = `${origin}${parts.key}${steps}/*`;
  const bodies: Record<ScriptType, string> = {
    p2pkh: `pkh(${key})`,
    p2wpkh: `wpkh(${key})`,
    "p2sh-p2wpkh": `sh(wpkh(${key}))`,
    p2tr: `tr(${key})`,
  };
  return withChecksum(bodies[parts.scriptType]);
}
