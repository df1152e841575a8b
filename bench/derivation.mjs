// Address derivation benchmark: btpay's WalletDeriver against the ceiling (raw bip32 public derivation,
// no script or address encoding) and against deriving through @bitcoinerlab/descriptors' Output each
// time, plus what reading one wallet costs (parseWallet, which also cross-checks with the library).
// Imports the COMPILED server: run `npx tsc -b packages/server` first. `node bench/derivation.mjs`
// prints the numbers; BENCH_SECONDS (default 1) is the time spent on each measurement.
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { Output } from "@bitcoinerlab/descriptors";
import { BIP32Factory } from "bip32";
import * as ecc from "tiny-secp256k1";
import { networkParams, parseWallet, WalletDeriver } from "../packages/server/dist/wallet/index.js";

// BIP-84 account key of the "abandon ... about" mnemonic, wrapped in each supported script.
const XPUB =
  "xpub6CatWdiZiodmUeTDp8LT5or8nmbKNcuyvz7WyksVFkKB4RHwCD3XyuvPEbvqAQY3rAPshWcMLoP2fMFMKHPJ4ZeZXYVUhLv1VMrjPC7PW6V";
const KEY = `[73c5da0a/84'/0'/0']${XPUB}/<0;1>/*`;
const DESCRIPTORS = {
  p2pkh: `pkh(${KEY})`,
  "p2sh-p2wpkh": `sh(wpkh(${KEY}))`,
  p2wpkh: `wpkh(${KEY})`,
  p2tr: `tr(${KEY})`,
};

/** Calls fn(i) with i = 0, 1, 2, ... for about `seconds`; returns calls per second. */
function perSecond(fn, seconds) {
  for (let i = 0; i < 200; i++) fn(i); // warm up the JIT and the WASM module
  const start = performance.now();
  const deadline = start + seconds * 1000;
  let n = 0;
  while (performance.now() < deadline) {
    for (let k = 0; k < 50; k++) fn(n++);
  }
  return Math.round((n * 1000) / (performance.now() - start));
}

export async function derivationBench({ seconds = Number(process.env.BENCH_SECONDS ?? 1) } = {}) {
  const bip32 = BIP32Factory(ecc);
  const account = bip32.fromBase58(XPUB);
  let sink = 0; // keeps results alive so nothing is optimised away
  // The ceiling as the task defines it: two unhardened public derivations per address from a cached node.
  const rawBip32PerSec = perSecond((i) => {
    sink ^= account.derive(0).derive(i).publicKey[1];
  }, seconds);
  // The true ceiling of WalletDeriver, which caches the chain node too: one derivation per address.
  const chain = account.derive(0);
  const rawBip32CachedChainPerSec = perSecond((i) => {
    sink ^= chain.derive(i).publicKey[1];
  }, seconds);

  const results = {};
  for (const [scriptType, descriptor] of Object.entries(DESCRIPTORS)) {
    const spec = parseWallet({ descriptor }, "mainnet");
    const deriver = new WalletDeriver(spec);
    const derivePerSec = perSecond((i) => {
      sink ^= deriver.address(0, i).address.length;
    }, seconds);
    const network = networkParams("mainnet");
    const libraryPerSec = perSecond((i) => {
      sink ^= new Output({ descriptor: spec.receiveDescriptor, index: i, network }).getAddress().length;
    }, seconds / 2);
    const parsesPerSec = perSecond(() => {
      sink ^= parseWallet({ descriptor }, "mainnet").receiveDescriptor.length;
    }, seconds / 2);
    results[scriptType] = {
      derivePerSec,
      rawBip32PerSec,
      rawBip32CachedChainPerSec,
      descriptorsLibraryPerSec: libraryPerSec,
      parseMsPerWallet: Number((1000 / parsesPerSec).toFixed(3)),
    };
  }
  if (sink === 0.5) console.log(sink); // never true; defeats dead-code elimination
  return results;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const results = await derivationBench();
  console.log(`Address derivation, ${process.version}, ${process.env.BENCH_SECONDS ?? 1} s per measurement`);
  console.table(results);
}
