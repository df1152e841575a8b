import createClient, { type Client, type ClientOptions } from "openapi-fetch";
import type { components, paths } from "./generated/openapi.js";
import { type RetryOptions, retryingFetch } from "./retry.js";

export type {
  HeadersLike,
  VerifyWebhookOptions,
  WebhookEvent,
  WebhookEventType,
  WebhookVerificationErrorCode,
} from "./webhooks.js";
export { signWebhookTestHeaders, verifyWebhook, WebhookVerificationError } from "./webhooks.js";

export type { components, paths };
export type Invoice = components["schemas"]["Invoice"];
export type InvoiceStatus = components["schemas"]["InvoiceStatus"];

export { BtpayApiError, unwrap } from "./errors.js";
export { paginate } from "./paginate.js";
export type { RetryOptions } from "./retry.js";

export interface BtpayClientOptions extends RetryOptions {
  /** The server's API root, e.g. `http://localhost:5000/api/v1`. A bare origin gets `/api/v1` added. */
  baseUrl: string;
  apiKey?: string;
  /** Injected fetch (tests, custom agents); defaults to the global one. */
  fetch?: ClientOptions["fetch"];
}

export type BtpayClient = Client<paths>;

/**
 * A typed client for the btpay API: every path, parameter, body and response is typed from
 * openapi.yaml. Errors come back as values (`{ data, error, response }`); `unwrap()` turns them into
 * a thrown `BtpayApiError` when you prefer. 429 and 5xx answers are retried with backoff (honouring
 * `Retry-After`); POSTs get an `Idempotency-Key` so a retry never creates twice.
 */
export function createBtpayClient(options: BtpayClientOptions): BtpayClient {
  const base = options.baseUrl.replace(/\/+$/, "");
  const client = createClient<paths>({
    baseUrl: /\/api\/v1$/.test(base) ? base : `${base}/api/v1`,
    fetch: retryingFetch(options.fetch ?? ((request: Request) => globalThis.fetch(request)), options),
  });
  if (options.apiKey) {
    const auth = `Bearer ${options.apiKey}`;
    client.use({
      onRequest({ request }) {
        request.headers.set("Authorization", auth);
        return request;
      },
    });
  }
  return client;
}
