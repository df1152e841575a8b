import type { BtpayClient } from "@btpay/sdk";
import { ConflictError } from "../domain/errors.js";
import type { ChainSimulator, ReorgResult } from "./chain-simulator.js";
import type { ReorgMode } from "./dev-input.js";
import { readInvoice, type SimulatedInvoice } from "./invoice-reader.js";
import { type PayKind, payAmountSats } from "./pay-amount.js";

const MAX_REORG_DEPTH = 10;
const ACTIVE = new Set(["mempool", "confirmed"]);

/**
 * The simulate buttons as invoice use cases: read the invoice through btpay's API (as a wallet
 * would), decide what to do to the chain, and let ChainSimulator do it. Every refusal happens
 * before devchain changes.
 */
export class InvoiceSimulator {
  constructor(
    private readonly api: BtpayClient,
    private readonly chain: ChainSimulator,
  ) {}

  async pay(ref: string, kind: PayKind): Promise<{ txid: string; amount_sats: string }> {
    const invoice = await readInvoice(this.api, ref);
    if (!invoice.address) throw new ConflictError(`invoice ${invoice.invoiceNumber} is a draft: finalize it first`);
    const amountSats = payAmountSats(kind, invoice.dueSats);
    return { txid: this.chain.pay(invoice.address, amountSats), amount_sats: amountSats.toString() };
  }

  /**
   * Without a ref: a reorg of `depth` (default 1) blocks. With one: deep enough to take the
   * invoice's payments out of the chain, and in "drop" mode double-spending them.
   */
  async reorg(input: { ref?: string; depth?: number; mode: ReorgMode }): Promise<ReorgResult & { mode: ReorgMode }> {
    if (input.ref === undefined) return { ...this.chain.reorg(input.depth ?? 1), mode: input.mode };
    const invoice = await readInvoice(this.api, input.ref);
    const txids = activeTxids(invoice);
    if (txids.length === 0)
      throw new ConflictError(`invoice ${invoice.invoiceNumber} has no payment yet: pay it first`);
    const deepest = Math.max(0, ...txids.map((t) => this.chain.confirmations(t)));
    if (input.mode === "keep" && deepest === 0) {
      throw new ConflictError(
        `invoice ${invoice.invoiceNumber}'s payments are unconfirmed: mine a block first (or replace them with RBF)`,
      );
    }
    if (deepest > MAX_REORG_DEPTH) {
      throw new ConflictError(
        `invoice ${invoice.invoiceNumber}'s payment has ${deepest} confirmations; the simulator reorgs at most ${MAX_REORG_DEPTH} blocks`,
      );
    }
    const depth = input.depth ?? Math.max(1, deepest);
    return { ...this.chain.reorg(depth, input.mode === "drop" ? txids : []), mode: input.mode };
  }

  /** Replaces every unconfirmed payment of the invoice (409 when there is none). */
  async replace(ref: string): Promise<{ replaced: string[]; replacements: string[] }> {
    const invoice = await readInvoice(this.api, ref);
    const unconfirmed = activeTxids(invoice).filter((t) => this.chain.confirmations(t) === 0);
    if (unconfirmed.length === 0) {
      throw new ConflictError(
        `invoice ${invoice.invoiceNumber} has no unconfirmed payment to replace (pay it first; a confirmed one needs a reorg)`,
      );
    }
    const replaced: string[] = [];
    const replacements: string[] = [];
    for (const txid of unconfirmed) {
      // An earlier replacement may have evicted this one already (it spent the other's change).
      if (this.chain.confirmations(txid) !== 0) continue;
      replacements.push(this.chain.replace(txid));
      replaced.push(txid);
    }
    return { replaced, replacements };
  }
}

function activeTxids(invoice: SimulatedInvoice): string[] {
  return [...new Set(invoice.payments.filter((p) => ACTIVE.has(p.status)).map((p) => p.txid))];
}
