/**
 * A small Bitcoin Core JSON-RPC client: Basic auth from the URL, single and batch calls, a timeout,
 * and every failure as a `ChainSourceError` (the watcher's "retry later") with a message that says
 * what to fix. Responses are parsed with devchain's `parseJsonExact`, so every number arrives as a `JsonNumber`
 * holding the digits Core wrote (amounts never pass through a double).
 *
 * Core's wire quirks this handles (v27; v28+ answers the same for "jsonrpc": "1.0" requests):
 * - an RPC error on a single call comes back as HTTP 500 (404 for an unknown method) whose body is
 *   still the JSON-RPC envelope `{"result": null, "error": {"code", "message"}}`, so the body is read
 *   before the status is judged;
 * - a batch answers HTTP 200 with one envelope per call, in any order, each with its own error;
 * - a bad password is HTTP 401 with an empty body, an address outside rpcallowip HTTP 403;
 * - a full work queue is HTTP 503 with a plain-text body.
 */

import { bodySnippet, errorDetail, retryAfterMs } from "../net/response-text.js";
import { ChainSourceError } from "./chain-source.js";
import { JsonNumber, parseJsonExact } from "./json-exact.js";

/** Core's codes the adapter reacts to (src/rpc/protocol.h). */
export const RPC_INVALID_ADDRESS_OR_KEY = -5;
export const RPC_INVALID_PARAMETER = -8;
export const RPC_METHOD_NOT_FOUND = -32601;

/** Core answered a call with its error object. */
export class BitcoindRpcError extends ChainSourceError {
  constructor(
    readonly method: string,
    readonly code: number,
    message: string,
  ) {
    super(`bitcoind ${method}: ${message} (code ${code})`);
    this.name = "BitcoindRpcError";
  }
}

/**
 * HTTP 401/403: wrong rpcuser/rpcpassword or a host outside rpcallowip. Still a ChainSourceError
 * (the watcher keeps retrying and logging it), since the node may be mid-restart with new credentials.
 */
export class BitcoindAuthError extends ChainSourceError {
  constructor(message: string) {
    super(message);
    this.name = "BitcoindAuthError";
  }
}

export interface BitcoindRpcOptions {
  /** `http://user:pass@host:port/`, optionally with a `/wallet/<name>` path. Credentials are percent-decoded. */
  url: string;
  /** Limit for one HTTP exchange, body included. Default 30 s (a large block can take seconds). */
  timeoutMs?: number;
  /** Injected by tests; default the global fetch. */
  fetch?: typeof globalThis.fetch;
}

export interface RpcCall {
  method: string;
  params?: readonly unknown[];
}

/** One result of a batch: the result, or Core's error for that call alone. */
export type RpcOutcome = { ok: true; result: unknown } | { ok: false; error: BitcoindRpcError };

const DEFAULT_TIMEOUT_MS = 30_000;

export class BitcoindRpc {
  /** Where, for messages: never the credentials. */
  readonly endpoint: string;
  private readonly target: URL;
  private readonly authorization: string;
  private readonly timeoutMs: number;
  private readonly fetchImpl: typeof globalThis.fetch;
  private nextId = 1;

  constructor(opts: BitcoindRpcOptions) {
    let url: URL;
    try {
      url = new URL(opts.url);
    } catch {
      // Not rethrown as is: Node's error carries the input, password included, into any log.
      throw new TypeError("bitcoind RPC URL is not a valid URL: use http://user:pass@host:port/");
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      throw new TypeError(`bitcoind RPC URL must be http(s)://user:pass@host:port/, got protocol ${url.protocol}`);
    }
    if (url.username === "")
      throw new TypeError("bitcoind RPC URL has no credentials: use http://user:pass@host:port/");
    const user = decodeURIComponent(url.username);
    const pass = decodeURIComponent(url.password);
    this.authorization = `Basic ${Buffer.from(`${user}:${pass}`).toString("base64")}`;
    // fetch refuses URLs that carry credentials; they travel in the header instead.
    url.username = "";
    url.password = "";
    this.target = url;
    this.endpoint = `${url.origin}${url.pathname}`;
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.fetchImpl = opts.fetch ?? globalThis.fetch;
  }

  /** One call; Core's error becomes a thrown BitcoindRpcError. */
  async call(method: string, params: readonly unknown[] = []): Promise<unknown> {
    const id = this.nextId++;
    const body = await this.post(method, { jsonrpc: "1.0", id, method, params });
    const outcome = envelope(method, body);
    if (!outcome.ok) throw outcome.error;
    return outcome.result;
  }

  /** Several calls in one HTTP request; outcomes in the order of `calls`. An empty batch costs nothing. */
  async batch(calls: readonly RpcCall[]): Promise<RpcOutcome[]> {
    if (calls.length === 0) return [];
    const first = this.nextId;
    this.nextId += calls.length;
    const requests = calls.map((c, i) => ({ jsonrpc: "1.0", id: first + i, method: c.method, params: c.params ?? [] }));
    const label = `batch of ${calls.length} (${calls[0]!.method}...)`;
    const body = await this.post(label, requests);
    if (!Array.isArray(body)) throw this.malformed(label, "a batch answer that is not an array");
    const outcomes: (RpcOutcome | undefined)[] = new Array(calls.length);
    for (const item of body) {
      const id = isRecord(item) && item.id instanceof JsonNumber ? item.id.toNumber() - first : -1;
      const call = calls[id];
      if (call === undefined) throw this.malformed(label, "an answer with an unknown id");
      outcomes[id] = envelope(call.method, item);
    }
    if (outcomes.some((o) => o === undefined)) throw this.malformed(label, "fewer answers than calls");
    return outcomes as RpcOutcome[];
  }

  /** `batch`, throwing the first error: for calls that must all succeed. */
  async batchAll(calls: readonly RpcCall[]): Promise<unknown[]> {
    return (await this.batch(calls)).map((o) => {
      if (!o.ok) throw o.error;
      return o.result;
    });
  }

  private async post(label: string, payload: unknown): Promise<unknown> {
    const signal = AbortSignal.timeout(this.timeoutMs);
    let response: Response;
    let text: string;
    try {
      response = await this.fetchImpl(this.target, {
        method: "POST",
        headers: { authorization: this.authorization, "content-type": "application/json" },
        body: JSON.stringify(payload),
        signal,
      });
      text = await response.text();
    } catch (error) {
      if (signal.aborted) {
        throw new ChainSourceError(`bitcoind at ${this.endpoint} did not answer ${label} within ${this.timeoutMs} ms`);
      }
      throw new ChainSourceError(
        `bitcoind at ${this.endpoint} could not be reached for ${label}: ${errorDetail(error)}`,
      );
    }
    const { status } = response;
    if (status === 401) {
      throw new BitcoindAuthError(
        `bitcoind at ${this.endpoint} refused the credentials (HTTP 401): check the user and password in the RPC URL against rpcauth/rpcuser/rpcpassword`,
      );
    }
    if (status === 403) {
      throw new BitcoindAuthError(
        `bitcoind at ${this.endpoint} refused this client (HTTP 403): add its address to rpcallowip (and rpcbind)`,
      );
    }
    let body: unknown;
    let parsed = false;
    try {
      body = parseJsonExact(text);
      parsed = true;
    } catch {
      // Not JSON: judged by its status below.
    }
    // Single-call RPC errors come as 500/404 with a JSON-RPC envelope: that envelope is the answer.
    if (parsed && (status === 200 || isEnvelope(body))) return body;
    if (status === 429 || status === 503) {
      throw new ChainSourceError(
        `bitcoind at ${this.endpoint} is busy (HTTP ${status}${bodySnippet(text)})`,
        retryAfterMs(response.headers.get("retry-after")) ?? 1000,
      );
    }
    if (status !== 200)
      throw new ChainSourceError(`bitcoind at ${this.endpoint} answered HTTP ${status}${bodySnippet(text)}`);
    throw this.malformed(label, `a body that is not JSON${bodySnippet(text)}`);
  }

  private malformed(label: string, what: string): ChainSourceError {
    return new ChainSourceError(`bitcoind at ${this.endpoint} sent ${what} for ${label}`);
  }
}

function envelope(method: string, item: unknown): RpcOutcome {
  if (!isRecord(item) || !("result" in item || "error" in item)) {
    throw new ChainSourceError(`bitcoind ${method}: the answer is not a JSON-RPC envelope`);
  }
  const error = item.error;
  if (error !== undefined && error !== null) {
    const code = isRecord(error) && error.code instanceof JsonNumber ? error.code.toNumber() : Number.NaN;
    const message = isRecord(error) && typeof error.message === "string" ? error.message : JSON.stringify(error);
    return { ok: false, error: new BitcoindRpcError(method, code, message) };
  }
  return { ok: true, result: item.result ?? null };
}

function isEnvelope(body: unknown): boolean {
  return isRecord(body) && "error" in body && body.error !== null;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
