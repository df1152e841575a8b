/**
 * The HTTP side of EsploraSource: GETs and POSTs against an Esplora base URL with a timeout per
 * attempt (body included), and politeness towards public instances: an HTTP 429 pauses EVERY
 * request of this client (not just the one that got it) for `Retry-After` seconds, or 1 s, 2 s, 4 s...
 * without one, each wait capped at `maxBackoffMs`, and the request is then sent again. Everything
 * else that goes wrong is a ChainSourceError naming the path, so the watcher can log it and retry.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { bodySnippet, errorDetail, retryAfterMs } from "../net/response-text.js";
import { ChainSourceError } from "./chain-source.js";

export interface EsploraClientOptions {
  /** e.g. `https://blockstream.info/api` or `https://mempool.space/api`; a trailing slash is ignored. */
  baseUrl: string;
  fetch?: typeof globalThis.fetch;
  /** Limit per attempt, response body included. Default 10 s. */
  timeoutMs?: number;
  /** Longest single wait after a 429. Default 60 s. */
  maxBackoffMs?: number;
  /** 429s in a row one request accepts before it gives up with a ChainSourceError. Default 10. */
  maxRateLimitRetries?: number;
  /** Aborts waits and requests in flight (the source's close()). */
  signal?: AbortSignal;
}

export interface RequestOptions {
  method?: "GET" | "POST";
  body?: string;
  /** false: a 429 fails at once (background polls must not queue up behind a backoff). */
  retryRateLimit?: boolean;
}

/** Error bodies are quoted in messages only this far: enough for electrs' one-line texts. */
const SNIPPET_CHARS = 200;

export class EsploraClient {
  readonly baseUrl: string;
  private readonly fetchImpl: typeof globalThis.fetch;
  private readonly timeoutMs: number;
  private readonly maxBackoffMs: number;
  private readonly maxRateLimitRetries: number;
  private readonly signal: AbortSignal | undefined;
  /** Epoch ms before which no request is sent: the shared backoff after a 429. */
  private pausedUntil = 0;

  constructor(options: EsploraClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
    // A bad URL is a configuration mistake: fail at construction, not as a "chain error" at every poll.
    if (!URL.canParse(this.baseUrl) || !/^https?:$/.test(new URL(this.baseUrl).protocol)) {
      throw new TypeError(`esplora baseUrl must be an http(s) URL, got "${options.baseUrl}"`);
    }
    this.fetchImpl = options.fetch ?? globalThis.fetch;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.maxBackoffMs = options.maxBackoffMs ?? 60_000;
    this.maxRateLimitRetries = options.maxRateLimitRetries ?? 10;
    this.signal = options.signal;
  }

  /** JSON body of a GET; numbers are JS numbers (callers check amounts with Number.isSafeInteger). */
  async json(path: string, options: RequestOptions = {}): Promise<unknown> {
    const body = await this.text(path, options);
    try {
      return JSON.parse(body);
    } catch {
      throw new ChainSourceError(
        `esplora: ${this.describe(options, path)} returned a body that is not JSON${bodySnippet(body, SNIPPET_CHARS)}`,
      );
    }
  }

  async text(path: string, options: RequestOptions = {}): Promise<string> {
    const what = this.describe(options, path);
    for (let attempt = 0; ; attempt++) {
      await this.waitForPause(what);
      const response = await this.attempt(path, options, what);
      if (response.status === 429) {
        const waitMs = Math.min(retryAfterMs(response.retryAfter) ?? 1000 * 2 ** attempt, this.maxBackoffMs);
        if (options.retryRateLimit === false || attempt >= this.maxRateLimitRetries) {
          throw new ChainSourceError(`esplora: ${what} is rate limited (HTTP 429)`, waitMs);
        }
        this.pausedUntil = Math.max(this.pausedUntil, Date.now() + waitMs);
        continue;
      }
      if (response.status < 200 || response.status > 299) {
        throw new ChainSourceError(
          `esplora: ${what} answered HTTP ${response.status}${bodySnippet(response.body, SNIPPET_CHARS)}`,
        );
      }
      return response.body;
    }
  }

  private async attempt(
    path: string,
    { method = "GET", body }: RequestOptions,
    what: string,
  ): Promise<{ status: number; body: string; retryAfter: string | null }> {
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const signal = this.signal ? AbortSignal.any([timeout, this.signal]) : timeout;
    try {
      const response = await this.fetchImpl(`${this.baseUrl}${path}`, {
        method,
        signal,
        ...(body === undefined ? {} : { body, headers: { "content-type": "text/plain" } }),
      });
      return { status: response.status, body: await response.text(), retryAfter: response.headers.get("retry-after") };
    } catch (error) {
      if (this.signal?.aborted) throw new ChainSourceError(`esplora: ${what} cancelled: the source was closed`);
      if (timeout.aborted) throw new ChainSourceError(`esplora: ${what}: no answer within ${this.timeoutMs} ms`);
      throw new ChainSourceError(`esplora: ${what} failed: ${errorDetail(error)}`);
    }
  }

  private async waitForPause(what: string): Promise<void> {
    // A loop: another request may have pushed the pause further while this one slept.
    for (let ms = this.pausedUntil - Date.now(); ms > 0; ms = this.pausedUntil - Date.now()) {
      try {
        await sleep(ms, undefined, this.signal ? { signal: this.signal } : {});
      } catch {
        throw new ChainSourceError(`esplora: ${what} cancelled: the source was closed`);
      }
    }
  }

  /** Only origin and path go into messages: a base URL may carry credentials in its query. */
  private describe({ method = "GET" }: RequestOptions, path: string): string {
    const url = new URL(`${this.baseUrl}${path}`);
    return `${method} ${url.origin}${url.pathname}`;
  }
}
