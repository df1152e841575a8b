import type { components, paths } from "./generated/openapi.js";

/**
 * The public (no API key) endpoints a checkout page needs, as a few typed calls over plain `fetch`.
 *
 * Why not `createBtpayClient`: browser bundles (`@btpay/elements`) have a gzip budget, and
 * openapi-fetch plus the retry wrapper cost ~3 KB of it for three calls. Types still come from the
 * generated `paths`, so a contract change breaks the build here just as it does for the full client.
 * Errors are values, as in the full client: `{ status, data, error, response }`, never a throw for an
 * HTTP status (a network failure still rejects).
 */

type Json<R> = R extends { content: { "application/json": infer T } } ? T : never;
type GetInvoice = paths["/public/invoices/{ref}"]["get"];
type GetLink = paths["/public/payment-links/{slug}"]["get"];
type CreateInvoice = paths["/public/payment-links/{slug}/invoices"]["post"];

export type CheckoutInvoice = Json<GetInvoice["responses"][200]>;
export type PublicPaymentLink = Json<GetLink["responses"][200]>;
export type PaymentLinkInvoiceCreate = components["schemas"]["PaymentLinkInvoiceCreate"];
export type CheckoutInvoiceStatus = CheckoutInvoice["status"];

export interface PublicAnswer<T> {
  /** HTTP status; 304 when `etag` still matches (then `data` is undefined). */
  status: number;
  data?: T;
  /** The `error` text of a non-2xx JSON body, when there is one. */
  error?: string;
  response: Response;
}

export interface PublicClientOptions {
  /** The server's origin (`https://pay.example.com`) or API root; empty means same origin. */
  baseUrl?: string;
  /** Injected fetch (tests, custom agents); defaults to the global one. */
  fetch?: typeof fetch;
}

export interface PublicClient {
  /** Poll a checkout invoice; pass the last `ETag` to get a bodiless 304 when nothing changed. */
  getCheckoutInvoice(
    ref: GetInvoice["parameters"]["path"]["ref"],
    options?: { etag?: string | null; signal?: AbortSignal },
  ): Promise<PublicAnswer<CheckoutInvoice>>;
  getPaymentLink(slug: GetLink["parameters"]["path"]["slug"]): Promise<PublicAnswer<PublicPaymentLink>>;
  /** Pay a payment link: `{ amount }` for open-amount links, nothing for fixed ones. */
  createPaymentLinkInvoice(
    slug: CreateInvoice["parameters"]["path"]["slug"],
    body?: PaymentLinkInvoiceCreate,
  ): Promise<PublicAnswer<Json<CreateInvoice["responses"][201]>>>;
}

export function createPublicClient(options: PublicClientOptions = {}): PublicClient {
  const base = (options.baseUrl ?? "").replace(/\/+$/, "");
  const root = `${/\/api\/v1$/.test(base) ? base : `${base}/api/v1`}/public/`;
  const call = async <T>(path: string, init: RequestInit): Promise<PublicAnswer<T>> => {
    const response = await (options.fetch ?? fetch)(root + path, init);
    const { status } = response;
    const body = status === 304 || status === 204 ? undefined : await response.json().catch(() => undefined);
    return response.ok ? { status, data: body as T, response } : { status, error: body?.error, response };
  };
  const at = encodeURIComponent;
  return {
    getCheckoutInvoice: (ref, { etag, signal } = {}) =>
      // no-store: the browser cache would otherwise answer for us and turn our 304 into a 200 replay.
      call(`invoices/${at(ref)}`, { cache: "no-store", headers: etag ? { "If-None-Match": etag } : {}, signal }),
    getPaymentLink: (slug) => call(`payment-links/${at(slug)}`, {}),
    createPaymentLinkInvoice: (slug, body) =>
      call(
        `payment-links/${at(slug)}/invoices`,
        // A fixed link needs no body; without one the POST is a CORS "simple request" (no preflight).
        body
          ? { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) }
          : { method: "POST" },
      ),
  };
}
