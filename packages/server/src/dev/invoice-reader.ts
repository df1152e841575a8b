import type { BtpayClient } from "@btpay/sdk";
import { DomainError, NotFoundError } from "../domain/errors.js";
import { btcToSats } from "../wallet/index.js";

/** What the simulator needs of an invoice, read through btpay's own API like any wallet would. */
export interface SimulatedInvoice {
  ref: string;
  invoiceNumber: string;
  status: string;
  /** null while a draft. */
  address: string | null;
  /** The BTC amount less what active payments brought, never below 0. */
  dueSats: bigint;
  payments: { txid: string; status: string; confirmations: number }[];
}

export async function readInvoice(api: BtpayClient, ref: string): Promise<SimulatedInvoice> {
  const { data, error, response } = await api.GET("/invoices/{ref}", {
    params: { path: { ref }, query: { include_payments: true } },
  });
  if (!data) {
    const message = (error as { error?: string } | undefined)?.error ?? `reading invoice "${ref}" failed`;
    if (response.status === 404) throw new NotFoundError(message);
    if (response.status < 500) throw new DomainError(response.status, message);
    throw new Error(`reading invoice "${ref}": HTTP ${response.status} ${message}`);
  }
  const amountSats = data.btc_amount === null ? 0n : btcToSats(data.btc_amount);
  const paidSats = btcToSats(data.btc_paid ?? "0");
  return {
    ref: data.ref,
    invoiceNumber: data.invoice_number,
    status: data.status,
    address: data.payment_address,
    dueSats: amountSats > paidSats ? amountSats - paidSats : 0n,
    payments: (data.payments ?? []).map((p) => ({ txid: p.txid, status: p.status, confirmations: p.confirmations })),
  };
}
