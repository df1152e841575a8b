import { createHmac } from "node:crypto";
import { type AuthorizedEvents, greenfieldEvent } from "@btpay/woocommerce-bridge";
import type { ClaimedDelivery, Repositories } from "../ports.js";

/**
 * Deliveries to Greenfield-format hooks (WooCommerce bridge): BTCPay's payload (built by the
 * bridge's mapping table), its `BTCPay-Sig` header, and its retry rule. The body is serialised once
 * per attempt and the signature is over exactly those bytes. It is built when sent, from the stored
 * event plus the invoice's metadata (which the outbox payload does not carry); the outbox row and the
 * delivery row keep it durable and in order like any other delivery.
 */

export interface GreenfieldHookSettings {
  enabled: boolean;
  automaticRedelivery: boolean;
  authorizedEvents: AuthorizedEvents;
}

/** The settings the bridge stored, with BTCPay's defaults for anything missing. */
export function hookSettings(greenfield: Record<string, unknown> | null): GreenfieldHookSettings {
  const s = (greenfield ?? {}) as Partial<GreenfieldHookSettings>;
  return {
    enabled: s.enabled !== false,
    automaticRedelivery: s.automaticRedelivery !== false,
    authorizedEvents: {
      everything: s.authorizedEvents?.everything ?? true,
      specificEvents: s.authorizedEvents?.specificEvents ?? [],
    },
  };
}

export type GreenfieldMessage =
  | { send: true; body: string; headers: Record<string, string> }
  | { send: false; reason: string };

export async function greenfieldMessage(
  repos: Repositories,
  d: ClaimedDelivery,
  secret: string,
): Promise<GreenfieldMessage> {
  const settings = hookSettings(d.greenfield);
  // Disabling cancels what is queued; this catches a delivery fanned out just before that.
  if (!settings.enabled) return { send: false, reason: "the webhook is disabled" };
  const ctx = await repos.webhooks.greenfieldContext(d.event.id);
  const mapped = greenfieldEvent(
    { type: d.event.type, data: d.event.data, createdAt: unixSeconds(d.event.createdAt) },
    {
      deliveryId: String(d.id),
      webhookId: String(d.webhookId),
      storeId: d.event.storeId,
      authorizedEvents: settings.authorizedEvents,
      metadata: ctx.invoice?.metadata ?? {},
      invoiceFlags: ctx.invoice?.flags ?? [],
      manualStatus: ctx.invoice?.manualStatus ?? null,
      invalidated: ctx.invoice?.invalidated ?? false,
      paymentReceivedAt: ctx.paymentFirstSeenAt ? unixSeconds(ctx.paymentFirstSeenAt) : null,
    },
  );
  if (!mapped.send) return mapped;
  const body = JSON.stringify(mapped.body);
  return { send: true, body, headers: { "BTCPay-Sig": greenfieldSignature(body, secret) } };
}

/** `sha256=<lowercase hex HMAC-SHA256(secret, body)>`, over the exact bytes sent. */
export const greenfieldSignature = (body: string, secret: string): string =>
  `sha256=${createHmac("sha256", secret).update(body, "utf8").digest("hex")}`;

/**
 * BTCPay's rule: only 5xx, 408, 429 and no answer at all (network error, timeout, a refused address)
 * are tried again; any other answer is final. A hook with `automaticRedelivery: false` gets one attempt.
 */
export function greenfieldRetries(status: number | null, settings: GreenfieldHookSettings): boolean {
  if (!settings.automaticRedelivery) return false;
  return status === null || status >= 500 || status === 408 || status === 429;
}

const unixSeconds = (d: Date): number => Math.floor(d.getTime() / 1000);
