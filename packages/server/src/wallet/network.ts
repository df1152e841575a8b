/**
 * The Bitcoin networks btpay can run on, and their bitcoinjs-lib parameters.
 *
 * Signet has no parameter set of its own in bitcoinjs-lib: its addresses (`tb1...`, `m`/`n`/`2`) and
 * extended keys (`tpub`) are the testnet ones. Regtest shares testnet's base58 prefixes and keys but
 * writes bech32 addresses with `bcrt`, which is why it keeps its own entry.
 */
import { type Network, networks } from "bitcoinjs-lib";
import { ValidationError } from "../domain/errors.js";

export type BitcoinNetwork = "mainnet" | "testnet" | "signet" | "regtest";

export const BITCOIN_NETWORKS: readonly BitcoinNetwork[] = ["mainnet", "testnet", "signet", "regtest"];

const PARAMS: Record<BitcoinNetwork, Network> = {
  mainnet: networks.bitcoin,
  testnet: networks.testnet,
  signet: networks.testnet,
  regtest: networks.regtest,
};

/** bitcoinjs-lib parameters (address prefixes, bech32 hrp, BIP-32 versions) of `network`. */
export function networkParams(network: BitcoinNetwork): Network {
  return PARAMS[network];
}

/**
 * Extended keys only tell mainnet (`xpub`) from "any test network" (`tpub`): testnet, signet and
 * regtest share versions, so a key is checked against this family, not the exact network.
 */
export function keyFamily(network: BitcoinNetwork): "mainnet" | "testnet" {
  return network === "mainnet" ? "mainnet" : "testnet";
}

/** Strict: exactly one of the four names, as configuration and the API spell them. */
export function parseNetwork(input: string, field = "network"): BitcoinNetwork {
  if ((BITCOIN_NETWORKS as readonly string[]).includes(input)) return input as BitcoinNetwork;
  throw new ValidationError(`must be one of ${BITCOIN_NETWORKS.join(", ")}`, field);
}
