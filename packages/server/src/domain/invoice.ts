import type { InvoiceFlag } from "./lifecycle.js";

/** The seven invoice statuses of the API reference, in lifecycle order. */
export const INVOICE_STATUSES = ["draft", "pending", "partial", "paid", "confirmed", "expired", "cancelled"] as const;
export type InvoiceStatus = (typeof INVOICE_STATUSES)[number];

export const PAYMENT_METHODS = ["onchain_btc", "wire"] as const;
export type PaymentMethod = (typeof PAYMENT_METHODS)[number];

export interface InvoiceLineRecord {
  description: string;
  /** Exact decimals as canonical strings (see domain/decimal.ts). */
  quantity: string;
  unitPrice: string;
  amount: string;
}

/** An invoice as the services see it: plain data, no ORM entity. */
export interface InvoiceRecord {
  id: number;
  storeId: string;
  ref: string;
  invoiceNumber: string;
  status: InvoiceStatus;
  customerEmail: string | null;
  customerName: string | null;
  customerCompany: string | null;
  currency: string;
  subtotal: string;
  taxRate: string | null;
  taxAmount: string;
  discountAmount: string;
  total: string;
  amountPaid: string;
  /** Lifecycle policy: confirmations for `confirmed`, accepted underpayment (percent). */
  requiredConfirmations: number;
  underpaymentTolerancePercent: string;
  /** Sats received by payments that still count, and the flags derived from them (chain watcher). */
  paidSats: bigint;
  flags: InvoiceFlag[];
  /** The locked quote and address: all null while a draft. */
  quote: InvoiceQuote | null;
  notes: string;
  paymentMethods: PaymentMethod[];
  metadata: Record<string, unknown>;
  /** Where the hosted checkout sends the payer once paid (http/https), or null. */
  redirectUrl: string | null;
  createdAt: Date;
  lines: InvoiceLineRecord[];
}

export interface InvoiceQuote {
  btcRate: string;
  btcAmountSats: bigint;
  btcRateSources: string[];
  btcRateAt: Date;
  paymentAddress: string;
  finalizedAt: Date;
  expiresAt: Date;
  /** A partly paid invoice stays open until then (the quote deadline + the monitoring window). */
  monitoringUntil: Date;
}

/** Draft fields of a new invoice, already validated and totalled. */
export type NewInvoice = Omit<
  InvoiceRecord,
  "id" | "ref" | "invoiceNumber" | "status" | "amountPaid" | "createdAt" | "storeId" | "quote" | "paidSats" | "flags"
>;

/** How an API path names an invoice: `INV-0001`, a ref, or a numeric id. */
export type InvoiceLookup =
  | { by: "id"; id: number }
  | { by: "ref"; ref: string }
  | { by: "number"; invoiceNumber: string };

const REF_RE = /^[0-9A-F]{8}-[0-9A-F]{8}$/i;

export function parseInvoiceLookup(value: string): InvoiceLookup {
  if (/^[0-9]{1,15}$/.test(value)) return { by: "id", id: Number(value) };
  if (REF_RE.test(value)) return { by: "ref", ref: value.toUpperCase() };
  return { by: "number", invoiceNumber: value };
}
