import { createHmac } from "node:crypto";

/**
 * What goes on the wire. The body is built from the stored event only (id, type, data, time), so
 * every retry sends the same bytes; the signatures follow the API reference (`X-BTPay-Signature`:
 * hex HMAC-SHA256 of the body, keyed with the `whsec_` secret as UTF-8) plus a signature over
 * `<timestamp>.<body>` so receivers can refuse replays (docs/webhooks.md).
 */
export interface StoredEvent {
  id: number;
  type: string;
  data: Record<string, unknown>;
  createdAt: Date;
}

export const eventId = (id: number): string => `evt_${id}`;

export function deliveryBody(e: StoredEvent): string {
  return JSON.stringify({
    id: eventId(e.id),
    event: e.type,
    data: e.data,
    timestamp: e.createdAt.toISOString().replace(/\.\d{3}Z$/, "Z"),
  });
}

export function deliveryHeaders(e: StoredEvent, body: string, secret: string, sentAt: Date): Record<string, string> {
  const timestamp = String(Math.floor(sentAt.getTime() / 1000));
  return {
    "X-BTPay-Event": e.type,
    "X-BTPay-Delivery": eventId(e.id),
    "X-BTPay-Signature": createHmac("sha256", secret).update(body, "utf8").digest("hex"),
    "X-BTPay-Timestamp": timestamp,
    "X-BTPay-Signature-Timestamped": createHmac("sha256", secret).update(`${timestamp}.${body}`, "utf8").digest("hex"),
  };
}

/** Waits before retry n (1-based) after a failed attempt, per the API reference: 60 s, 5 min, 15 min, 1 h, 2 h. */
export const RETRY_DELAYS_SECONDS = [60, 300, 900, 3600, 7200] as const;

/** When to try again after `attempts` failed attempts, or null when every retry is used. */
export function nextAttemptAfter(attempts: number, failedAt: Date): Date | null {
  const delay = RETRY_DELAYS_SECONDS[attempts - 1];
  return delay === undefined ? null : new Date(failedAt.getTime() + delay * 1000);
}
