import { type HeadersLike, verifyWebhook } from "@btpay/sdk";

/** One delivery the sink received. */
export interface SinkEvent {
  /** Position in the sink, 1, 2, ...: poll `?after=<last seq seen>`. */
  seq: number;
  received_at: string;
  /** `X-BTPay-Delivery`: the event id, the same on every retry. */
  delivery: string | null;
  event: string | null;
  /** The signatures matched the endpoint's secret and the timestamp is fresh. */
  verified: boolean;
  /** Why verification failed, as verifyWebhook says it. */
  error?: string;
  /** A delivery id seen before (a retry or a redelivery). */
  repeat: boolean;
  payload: unknown;
}

const KEEP = 200;

/**
 * Dev mode's own webhook receiver: it verifies each delivery with the SDK's `verifyWebhook`, the
 * way a merchant's endpoint should, and keeps the last 200 in memory for the playground. Memory
 * only on purpose: it is a window onto deliveries, btpay's outbox is the record.
 */
export class WebhookSink {
  private secret: string | undefined;
  private seq = 0;
  private readonly events: SinkEvent[] = [];
  private readonly seen = new Set<string>();

  /** The endpoint's signing secret (shown once by the API; dev mode keeps it in dev.json). */
  setSecret(secret: string): void {
    this.secret = secret;
  }

  async receive(rawBody: Buffer, headers: HeadersLike & Record<string, string | string[] | undefined>) {
    const delivery = header(headers, "x-btpay-delivery");
    let verified = false;
    let error: string | undefined;
    try {
      if (!this.secret) throw new Error("the sink has no secret yet (dev mode registers it once the server is up)");
      await verifyWebhook(rawBody, headers, this.secret);
      verified = true;
    } catch (err) {
      error = err instanceof Error ? err.message : String(err);
    }
    const event: SinkEvent = {
      seq: ++this.seq,
      received_at: new Date().toISOString(),
      delivery,
      event: header(headers, "x-btpay-event"),
      verified,
      ...(error ? { error } : {}),
      repeat: delivery !== null && this.seen.has(delivery),
      payload: parseJson(rawBody),
    };
    if (delivery) this.seen.add(delivery);
    this.events.push(event);
    if (this.events.length > KEEP) this.events.splice(0, this.events.length - KEEP);
    if (this.seen.size > KEEP * 10) this.seen.clear();
    return event;
  }

  /** Events after `seq` (oldest first) and the newest seq, to poll with. */
  after(seq: number): { events: SinkEvent[]; last_seq: number } {
    return { events: this.events.filter((e) => e.seq > seq), last_seq: this.seq };
  }
}

function header(headers: Record<string, string | string[] | undefined>, name: string): string | null {
  const value = headers[name];
  return (Array.isArray(value) ? value[0] : value) ?? null;
}

function parseJson(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString("utf8"));
  } catch {
    return raw.toString("utf8").slice(0, 2000);
  }
}
