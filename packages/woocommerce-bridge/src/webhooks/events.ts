import { formatBtc } from "../btc.js";

/**
 * btpay outbox events -> BTCPay Greenfield webhook events: ONE table, pinned by the vectors in
 * test/fixtures/webhook-events.json. Pure: the server hands in the stored event and what it looked
 * up at send time (the invoice's metadata, flags and manual mark, when the payment was first seen).
 */

/** The invoice events BTCPay sends that a shop plugin acts on (the contract's list). */
export const GREENFIELD_INVOICE_EVENTS = [
  "InvoiceCreated",
  "InvoiceReceivedPayment",
  "InvoicePaymentSettled",
  "InvoiceProcessing",
  "InvoiceSettled",
  "InvoiceExpired",
  "InvoiceInvalid",
] as const;
export type GreenfieldEventType = (typeof GREENFIELD_INVOICE_EVENTS)[number];

export interface AuthorizedEvents {
  everything: boolean;
  specificEvents: string[];
}

/**
 * Which Greenfield events each btpay event can become. `invoice.marked` (a shop's manual mark,
 * payload `{ref, mark}`) is either; btpay's other events (partially_paid, paid_late, reverted,
 * payment.removed) have no Greenfield counterpart: BTCPay announces those moments with the
 * payment events alone.
 */
const SOURCES: Readonly<Record<string, readonly GreenfieldEventType[]>> = {
  "invoice.created": ["InvoiceCreated"],
  "payment.received": ["InvoiceReceivedPayment"],
  "payment.confirmed": ["InvoicePaymentSettled"],
  "invoice.paid": ["InvoiceProcessing"],
  "invoice.confirmed": ["InvoiceSettled"],
  "invoice.expired": ["InvoiceExpired"],
  "invoice.cancelled": ["InvoiceInvalid"],
  "invoice.marked": ["InvoiceSettled", "InvoiceInvalid"],
  "invoice.invalidated": ["InvoiceInvalid"],
};

export const isAuthorized = (authorized: AuthorizedEvents, type: string): boolean =>
  authorized.everything || authorized.specificEvents.includes(type);

/**
 * The btpay outbox event types a Greenfield hook subscribes to (its `webhook.events`), so btpay's
 * fan-out trigger creates its deliveries unchanged. A disabled hook subscribes to nothing.
 */
export function outboxTypesFor(hook: { enabled: boolean; authorizedEvents: AuthorizedEvents }): string[] {
  if (!hook.enabled) return [];
  return Object.entries(SOURCES)
    .filter(([, targets]) => targets.some((t) => isAuthorized(hook.authorizedEvents, t)))
    .map(([source]) => source);
}

/** An outbox event as stored: type, payload (services/event-payloads.ts) and when it happened. */
export interface OutboxEvent {
  type: string;
  data: Record<string, unknown>;
  /** Unix seconds. */
  createdAt: number;
}

/** What the dispatcher knows at send time besides the event. */
export interface DeliveryContext {
  deliveryId: string;
  webhookId: string;
  storeId: string;
  authorizedEvents: AuthorizedEvents;
  /** The invoice's metadata as the shop set it (the plugin finds its order by `metadata.orderId`). */
  metadata: Record<string, unknown>;
  /** The invoice's flags now (overpaid, paid_late, expired_partial). */
  invoiceFlags: string[];
  /** The shop's manual mark on the invoice (`Settled` / `Invalid`), if any. */
  manualStatus: string | null;
  /** The invoice became Invalid for not confirming by its monitoring expiration. */
  invalidated?: boolean;
  /** When the event's payment was first seen (unix seconds), for `payment.receivedDate`. */
  paymentReceivedAt: number | null;
}

export type GreenfieldEventBody = Record<string, unknown> & { type: GreenfieldEventType };

export type MappedEvent = { send: true; body: GreenfieldEventBody } | { send: false; reason: string };

export function greenfieldEvent(event: OutboxEvent, ctx: DeliveryContext): MappedEvent {
  const mapped = specificFields(event, ctx);
  if ("reason" in mapped) return { send: false, reason: mapped.reason };
  if (!isAuthorized(ctx.authorizedEvents, mapped.type)) {
    return { send: false, reason: `the hook does not subscribe to ${mapped.type}` };
  }
  return {
    send: true,
    body: {
      deliveryId: ctx.deliveryId,
      webhookId: ctx.webhookId,
      // Automatic retries resend the same delivery; only a manual redelivery would be a new one.
      originalDeliveryId: ctx.deliveryId,
      isRedelivery: false,
      type: mapped.type,
      timestamp: event.createdAt,
      storeId: ctx.storeId,
      invoiceId: String(event.data.ref ?? ""),
      metadata: ctx.metadata,
      ...mapped.fields,
    },
  };
}

type Specific = { type: GreenfieldEventType; fields: Record<string, unknown> } | { reason: string };

/** btpay's own status changes, which a shop's manual mark overrides (BTCPay keeps a marked status). */
const STATUS_EVENTS = new Set(["invoice.paid", "invoice.confirmed", "invoice.expired"]);

function specificFields(event: OutboxEvent, ctx: DeliveryContext): Specific {
  const flags = Array.isArray(event.data.flags) ? (event.data.flags as string[]) : ctx.invoiceFlags;
  // After the shop marked the invoice, btpay's lifecycle (an expiry, a late confirmation) must not
  // tell the shop a different status: the plugin would move the order again. Payments still go out.
  // The mark is read at send time, so a status event queued just before the mark is held back too.
  if (ctx.manualStatus && STATUS_EVENTS.has(event.type)) {
    return { reason: `the shop marked the invoice ${ctx.manualStatus}; its status no longer follows the chain` };
  }
  // Likewise once it went Invalid for not confirming in time: a confirmation after that is not Settled.
  if (ctx.invalidated && STATUS_EVENTS.has(event.type)) {
    return { reason: "the invoice went Invalid at its monitoring expiration; its status no longer follows the chain" };
  }
  switch (event.type) {
    case "invoice.created":
      return { type: "InvoiceCreated", fields: {} };
    case "payment.received":
      return { type: "InvoiceReceivedPayment", fields: paymentFields(event, ctx, "received") };
    case "payment.confirmed":
      return { type: "InvoicePaymentSettled", fields: paymentFields(event, ctx, "confirmed") };
    case "invoice.paid":
      return { type: "InvoiceProcessing", fields: { overPaid: flags.includes("overpaid") } };
    case "invoice.confirmed":
      return { type: "InvoiceSettled", fields: { manuallyMarked: false, overPaid: flags.includes("overpaid") } };
    case "invoice.expired":
      return { type: "InvoiceExpired", fields: { partiallyPaid: flags.includes("expired_partial") } };
    case "invoice.cancelled":
      // A shop marking an invoice Invalid also cancels it; its `invoice.marked` announces that
      // (manuallyMarked: true), so the cancellation is not announced a second time.
      if (ctx.manualStatus === "Invalid") return { reason: "announced by the shop's manual mark (invoice.marked)" };
      return { type: "InvoiceInvalid", fields: { manuallyMarked: false } };
    case "invoice.invalidated":
      // Paid but not confirmed by the monitoring expiration (the Greenfield invalidation sweep).
      return { type: "InvoiceInvalid", fields: { manuallyMarked: false } };
    case "invoice.marked":
      if (event.data.mark === "Settled") {
        return {
          type: "InvoiceSettled",
          fields: { manuallyMarked: true, overPaid: ctx.invoiceFlags.includes("overpaid") },
        };
      }
      if (event.data.mark === "Invalid") return { type: "InvoiceInvalid", fields: { manuallyMarked: true } };
      return { reason: `unknown mark ${JSON.stringify(event.data.mark)}` };
    default:
      return { reason: `${event.type} has no Greenfield event` };
  }
}

function paymentFields(event: OutboxEvent, ctx: DeliveryContext, kind: "received" | "confirmed") {
  const p = (event.data.payment ?? {}) as Record<string, unknown>;
  return {
    afterExpiration: p.late === true,
    paymentMethodId: "BTC-CHAIN",
    payment: {
      id: `${String(p.txid)}-${String(p.vout)}`,
      receivedDate: ctx.paymentReceivedAt ?? event.createdAt,
      value: formatBtc(BigInt(String(p.amount_sats ?? "0"))),
      // btpay adds no payment-method fee to what the buyer pays.
      fee: "0.00000000",
      status: paymentStatus(kind, String(p.status)),
      destination: String(p.address ?? ""),
    },
  };
}

/** BTCPay's payment statuses: Processing (seen), Settled (confirmed as the invoice needs), Invalid. */
function paymentStatus(kind: "received" | "confirmed", state: string): "Processing" | "Settled" | "Invalid" {
  if (state === "replaced" || state === "reorged") return "Invalid";
  return kind === "confirmed" ? "Settled" : "Processing";
}
