import type { WalletView } from "../../services/wallets.js";
import type { components } from "../generated/openapi.js";
import { unixSeconds } from "./invoice.js";

type Wallet = components["schemas"]["Wallet"];

export function serializeWallet(v: WalletView): Wallet {
  const w = v.wallet;
  return {
    network: w.network as Wallet["network"],
    kind: w.kind,
    script_type: w.scriptType as Wallet["script_type"],
    receive_descriptor: w.receiveDescriptor,
    change_descriptor: w.changeDescriptor,
    fingerprint: w.fingerprint,
    derivation_path: w.derivationPath,
    gap_limit: w.gapLimit,
    next_index: v.nextIndex,
    unpaid_in_row: v.unpaidInRow,
    gap_warning: v.gapWarning,
    first_addresses: v.firstAddresses,
    created_at: unixSeconds(w.createdAt),
  };
}
