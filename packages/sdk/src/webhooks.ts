import type { components } from "./generated/openapi.js";

// btpay webhook verification with Web Crypto only (Node 20+, browsers, edge). Lowercase hex
// HMAC-SHA256 keyed with the "whsec_..." secret's UTF-8 bytes: X-BTPay-Signature over the body,
// X-BTPay-Signature-Timestamped over "<X-BTPay-Timestamp>.<body>" (binds the send time against replay).

/** Event names btpay delivers. */
export type WebhookEventType = components["schemas"]["WebhookEventType"];

/**
 * A verified delivery body. `id` is the event id, the same across retries: de-duplicate on it (it is
 * signed; the `X-BTPay-Delivery` header that repeats it is not). `event` is typed as the names this SDK
 * version knows; a newer server may send others, which are returned rather than rejected.
 */
export type WebhookEvent = components["schemas"]["WebhookPayload"];

/** Fetch `Headers`, Node's `req.headers`, or a plain record (looked up case-insensitively). */
export type HeadersLike = { get(name: string): string | null } | Record<string, string | readonly string[] | undefined>;

export interface VerifyWebhookOptions {
  /** Maximum allowed |now - X-BTPay-Timestamp|, in seconds. Default 300. */
  toleranceSeconds?: number;
  /** Current time in unix seconds (tests). Defaults to the system clock. */
  now?: () => number;
}

export type WebhookVerificationErrorCode =
  | "parsed_body"
  | "bad_secret"
  | "missing_header"
  | "bad_timestamp"
  | "bad_signature"
  | "timestamp_out_of_tolerance"
  | "invalid_json";

export class WebhookVerificationError extends Error {
  override readonly name = "WebhookVerificationError";
  constructor(
    readonly code: WebhookVerificationErrorCode,
    message: string,
  ) {
    super(message);
  }
}

const SIGNATURE = "X-BTPay-Signature";
const TIMESTAMP = "X-BTPay-Timestamp";
const SIGNATURE_TIMESTAMPED = "X-BTPay-Signature-Timestamped";

/**
 * Verifies a delivery and returns its event. Pass the raw body exactly as received (bytes, or the
 * string they decode to); re-serialized JSON has different bytes and fails. Throws
 * `WebhookVerificationError` whose `code` says what was wrong.
 */
export async function verifyWebhook(
  rawBody: string | Uint8Array | ArrayBuffer,
  headers: HeadersLike,
  secret: string,
  opts: VerifyWebhookOptions = {},
): Promise<WebhookEvent> {
  const body = bytesOf(rawBody);
  const key = await hmacKey(secret);
  const signature = hexHeader(headers, SIGNATURE);
  const signatureTimestamped = hexHeader(headers, SIGNATURE_TIMESTAMPED);
  const timestamp = requireHeader(headers, TIMESTAMP);
  if (!/^\d+$/.test(timestamp)) {
    throw new WebhookVerificationError(
      "bad_timestamp",
      `${TIMESTAMP} must be integer unix seconds; got "${timestamp.slice(0, 32)}".`,
    );
  }
  // One buffer holds "<timestamp>.<body>"; its tail is the body alone.
  const prefix = utf8(`${timestamp}.`);
  const signed = new Uint8Array(prefix.length + body.length);
  signed.set(prefix);
  signed.set(body, prefix.length);
  const payload = signed.subarray(prefix.length);
  // subtle.verify compares in constant time; the hex is decoded to bytes, never compared as text.
  const subtle = globalThis.crypto.subtle;
  const [bodyOk, timestampedOk] = await Promise.all([
    subtle.verify("HMAC", key, signature, payload),
    subtle.verify("HMAC", key, signatureTimestamped, signed),
  ]);
  if (!bodyOk) {
    throw new WebhookVerificationError(
      "bad_signature",
      `${SIGNATURE} does not match the body. Pass the raw body exactly as received (not re-serialized JSON, not re-encoded text) and this endpoint's own secret.`,
    );
  }
  if (!timestampedOk) {
    throw new WebhookVerificationError(
      "bad_signature",
      `${SIGNATURE_TIMESTAMPED} does not match ${TIMESTAMP} and the body: the timestamp was changed (a replayed delivery?).`,
    );
  }
  const age = (opts.now ?? unixNow)() - Number(timestamp);
  const tolerance = opts.toleranceSeconds ?? 300;
  if (Math.abs(age) > tolerance) {
    throw new WebhookVerificationError(
      "timestamp_out_of_tolerance",
      `${TIMESTAMP} is ${Math.abs(age)} seconds in the ${age > 0 ? "past" : "future"}, beyond the ${tolerance}-second tolerance: a replayed delivery or a wrong clock here ${Math.abs(age) > 1e9 ? "(milliseconds given for unix seconds?)" : "(sync it with NTP)"}.`,
    );
  }
  return parseEvent(payload);
}

/**
 * The headers btpay would send with `body`, signed with `secret`, for unit-testing a webhook handler.
 * `event` and `id` default to the body's own `event` and `id`; `timestamp` (unix seconds) to now.
 */
export async function signWebhookTestHeaders(
  body: string,
  secret: string,
  opts: { timestamp?: number; event?: string; id?: string } = {},
): Promise<Record<string, string>> {
  const key = await hmacKey(secret);
  const timestamp = String(opts.timestamp ?? unixNow());
  let parsed: Record<string, unknown> | null = null;
  try {
    parsed = JSON.parse(body);
  } catch {
    // Not JSON: the event and id fall back to placeholders.
  }
  const field = (name: string) => (typeof parsed?.[name] === "string" ? (parsed[name] as string) : undefined);
  const sign = async (text: string) => {
    const mac = new Uint8Array(await globalThis.crypto.subtle.sign("HMAC", key, utf8(text)));
    return Array.from(mac, (b) => b.toString(16).padStart(2, "0")).join("");
  };
  return {
    "Content-Type": "application/json",
    "X-BTPay-Event": opts.event ?? field("event") ?? "invoice.paid",
    "X-BTPay-Delivery": opts.id ?? field("id") ?? "evt_test",
    [SIGNATURE]: await sign(body),
    [TIMESTAMP]: timestamp,
    [SIGNATURE_TIMESTAMPED]: await sign(`${timestamp}.${body}`),
  };
}

const unixNow = () => Math.floor(Date.now() / 1000);
const utf8 = (text: string) => new TextEncoder().encode(text);

function bytesOf(raw: unknown): Uint8Array {
  if (typeof raw === "string") return utf8(raw);
  if (raw instanceof ArrayBuffer) return new Uint8Array(raw);
  // Any view (Node Buffer included), honouring its offset into a possibly shared pool.
  if (ArrayBuffer.isView(raw)) return new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength);
  throw new WebhookVerificationError(
    "parsed_body",
    `verifyWebhook needs the raw request body (string or bytes) exactly as received; it got ${raw !== null && typeof raw === "object" ? "a parsed object" : String(raw)}. With Express use express.raw({ type: "application/json" }) on the webhook route.`,
  );
}

function hmacKey(secret: unknown): Promise<CryptoKey> {
  if (typeof secret !== "string" || !/^whsec_\S+$/.test(secret)) {
    throw new WebhookVerificationError(
      "bad_secret",
      `The secret must be the webhook endpoint's signing secret, "whsec_..." with no spaces or newlines (returned once when the endpoint was created; not an API key). Got ${typeof secret === "string" ? "another string" : typeof secret}; the call is verifyWebhook(rawBody, headers, secret).`,
    );
  }
  return globalThis.crypto.subtle.importKey("raw", utf8(secret), { name: "HMAC", hash: "SHA-256" }, false, [
    "sign",
    "verify",
  ]);
}

function requireHeader(headers: HeadersLike, name: string): string {
  let value: string | readonly string[] | null | undefined;
  if (typeof headers?.get === "function") {
    value = (headers as { get(name: string): string | null }).get(name);
  } else if (headers && typeof headers === "object") {
    const lower = name.toLowerCase();
    for (const key in headers) if (key.toLowerCase() === lower) value = (headers as Record<string, typeof value>)[key];
  }
  const first = (typeof value === "string" ? value : value?.[0])?.trim();
  if (!first) {
    throw new WebhookVerificationError(
      "missing_header",
      `The ${name} header is missing. Pass the request's headers as received (Fetch Headers, Node's req.headers or a plain object) and check that no proxy strips them.`,
    );
  }
  return first;
}

function hexHeader(headers: HeadersLike, name: string): Uint8Array<ArrayBuffer> {
  const hex = requireHeader(headers, name);
  if (!/^[0-9a-f]{64}$/.test(hex)) {
    throw new WebhookVerificationError(
      "bad_signature",
      `${name} must be 64 lowercase hex characters (HMAC-SHA256); got ${hex.length} characters${/[A-F]/.test(hex) ? " with uppercase letters" : ""}.`,
    );
  }
  const bytes = new Uint8Array(32);
  for (let i = 0; i < 32; i++) bytes[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}

function parseEvent(bytes: Uint8Array): WebhookEvent {
  let value: Partial<WebhookEvent> | null = null;
  try {
    value = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch {
    // Reported below with the other shape errors.
  }
  const data = value?.data;
  if (
    typeof value?.id !== "string" ||
    typeof value.event !== "string" ||
    typeof value.timestamp !== "string" ||
    !data ||
    typeof data !== "object" ||
    Array.isArray(data)
  ) {
    throw new WebhookVerificationError(
      "invalid_json",
      "Valid signatures, but the body is not a btpay event (JSON with id, event, data, timestamp): is this SDK older than the server?",
    );
  }
  return value as WebhookEvent;
}
