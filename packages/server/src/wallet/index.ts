/**
 * Watch-only wallets: read a merchant's extended public key or descriptor (parseWallet), derive
 * receive addresses from it (WalletDeriver), and write BIP-21 payment URIs. Pure: no network, no
 * database, no HTTP.
 */
export { type Bip21Options, bip21Uri, btcToSats, MAX_SATS, SATS_PER_BTC, satsToBtc } from "./bip21.js";
export { type DerivedAddress, MAX_ADDRESS_INDEX, WalletDeriver } from "./derive.js";
export { descriptorChecksum } from "./descriptor.js";
export { BITCOIN_NETWORKS, type BitcoinNetwork, networkParams, parseNetwork } from "./network.js";
export { containsPrivateKey, parseExtendedPublicKey, type ScriptType } from "./slip132.js";
export { parseWallet, type WalletInput, type WalletSpec } from "./wallet-spec.js";
