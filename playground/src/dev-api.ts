/** What `GET /dev/api/session` answers: the dev server's demo store, key and payment links. */
export interface Session {
  apiUrl: string;
  apiKey: string;
  storeId: string;
  network: string;
  /** false when dev mode runs on the developer's own chain: the simulate buttons cannot work. */
  simulator: boolean;
  paymentLinks: { slug: string; title: string; amount: string | null; currency: string }[];
}

export class DevApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** A call to dev mode's simulator API (same origin: btpay serves this page, or Vite proxies it). */
export async function devApi<T>(method: "GET" | "POST", path: string, body?: unknown): Promise<T> {
  const res = await fetch(`/dev/api${path}`, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await res.json().catch(() => ({}))) as T & { error?: string };
  if (!res.ok) throw new DevApiError(res.status, json.error ?? `HTTP ${res.status}`);
  return json;
}
