import { NotFoundError, ValidationError } from "../domain/errors.js";
import { gapWarning, unpaidInRow } from "../domain/gap-limit.js";
import type { Database, WalletRecord } from "../ports.js";
import { type BitcoinNetwork, parseWallet, WalletDeriver, type WalletSpec } from "../wallet/index.js";

export interface WalletView {
  wallet: WalletRecord;
  /** Index of the next receive address to be handed out (pre-derived ones are not handed out). */
  nextIndex: number;
  firstAddresses: string[];
  unpaidInRow: number;
  gapWarning: string | null;
}

/** Sets and reads stores' watch-only wallets; derives their addresses (derivers cached per wallet). */
export class WalletService {
  private readonly derivers = new Map<number, WalletDeriver>();

  constructor(
    private readonly db: Database,
    private readonly opts: { network: BitcoinNetwork; defaultGapLimit: number },
  ) {}

  /** Parses (refusing private keys, bad checksums, wrong networks) and makes it the store's wallet. */
  async set(storeId: string, input: { xpub?: string; descriptor?: string; gap_limit?: number }): Promise<WalletView> {
    if ((input.xpub === undefined) === (input.descriptor === undefined)) {
      throw new ValidationError('give exactly one of "xpub" or "descriptor"');
    }
    const spec = parseWallet(
      input.xpub !== undefined ? { xpub: input.xpub } : { descriptor: input.descriptor as string },
      this.opts.network,
    );
    const firstAddress = new WalletDeriver(spec).address(0, 0).address;
    const wallet = await this.db.transaction((repos) =>
      repos.wallets.replace(storeId, {
        firstAddress,
        kind: spec.kind,
        network: spec.network,
        scriptType: spec.scriptType,
        receiveDescriptor: spec.receiveDescriptor,
        changeDescriptor: spec.changeDescriptor,
        fingerprint: spec.fingerprint,
        derivationPath: spec.derivationPath,
        gapLimit: input.gap_limit ?? this.opts.defaultGapLimit,
      }),
    );
    if (wallet === "other-store") {
      throw new ValidationError(
        "this wallet is already used by another store on this server; give each store its own account (xpub), or two stores would be handed the same addresses",
      );
    }
    return this.view(wallet);
  }

  async get(storeId: string): Promise<WalletView> {
    const wallet = await this.db.repos().wallets.active(storeId);
    if (!wallet) throw new NotFoundError("this store has no wallet yet; set one with PUT /api/v1/wallet");
    return this.view(wallet);
  }

  async view(wallet: WalletRecord): Promise<WalletView> {
    const highest = await this.db.repos().wallets.highestHandedOut(wallet.id);
    const nextIndex = highest === null ? 0 : highest + 1;
    const unpaid = unpaidInRow(nextIndex, wallet.highestPaidIndex);
    return {
      wallet,
      nextIndex,
      firstAddresses: this.deriver(wallet)
        .addresses(0, 0, 5)
        .map((a) => a.address),
      unpaidInRow: unpaid,
      gapWarning: gapWarning(unpaid, wallet.gapLimit),
    };
  }

  deriver(wallet: WalletRecord): WalletDeriver {
    let d = this.derivers.get(wallet.id);
    if (!d) {
      const spec: WalletSpec = {
        kind: wallet.kind,
        network: wallet.network as BitcoinNetwork,
        scriptType: wallet.scriptType as WalletSpec["scriptType"],
        receiveDescriptor: wallet.receiveDescriptor,
        changeDescriptor: wallet.changeDescriptor,
        fingerprint: wallet.fingerprint,
        derivationPath: wallet.derivationPath,
        source: wallet.receiveDescriptor,
      };
      d = new WalletDeriver(spec);
      this.derivers.set(wallet.id, d);
    }
    return d;
  }
}
