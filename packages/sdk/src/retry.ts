export interface RetryOptions {
  /** Attempts after the first (default 2; 0 turns retrying off). */
  retries?: number;
  /** First backoff, doubled each time, with jitter (default 500 ms). */
  retryBaseMs?: number;
  /** Longest single wait, `Retry-After` included (default 30 s). */
  maxRetryDelayMs?: number;
}

const IDEMPOTENT = new Set(["GET", "HEAD", "OPTIONS", "PUT", "DELETE"]);

/**
 * A fetch that retries 429 and 5xx answers (and network failures) with exponential backoff,
 * honouring `Retry-After`. A POST is only ever retried with an `Idempotency-Key`, which is added
 * here when missing, so a retried create can never create twice.
 */
export function retryingFetch(
  fetchImpl: (request: Request) => Promise<Response>,
  opts: RetryOptions = {},
): (request: Request) => Promise<Response> {
  const retries = opts.retries ?? 2;
  const base = opts.retryBaseMs ?? 500;
  const cap = opts.maxRetryDelayMs ?? 30_000;
  return async (input) => {
    let request = input;
    if (retries > 0 && request.method === "POST" && !request.headers.has("idempotency-key")) {
      const headers = new Headers(request.headers);
      headers.set("Idempotency-Key", globalThis.crypto.randomUUID());
      request = new Request(request, { headers });
    }
    const safe = IDEMPOTENT.has(request.method) || request.headers.has("idempotency-key");
    for (let attempt = 0; ; attempt++) {
      const last = !safe || attempt >= retries;
      let response: Response;
      try {
        response = await fetchImpl(last ? request : request.clone());
      } catch (err) {
        if (last) throw err;
        await sleep(backoff(attempt, base, cap));
        continue;
      }
      if (last || (response.status !== 429 && response.status < 500)) return response;
      const wait = retryAfterMs(response.headers.get("retry-after")) ?? backoff(attempt, base, cap);
      await response.body?.cancel();
      await sleep(Math.min(wait, cap));
    }
  };
}

const backoff = (attempt: number, base: number, cap: number) =>
  Math.min(cap, base * 2 ** attempt * (0.5 + Math.random() / 2));

function retryAfterMs(value: string | null): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
