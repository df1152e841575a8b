/**
 * One webhook POST to a merchant's receiver, connected to the address `resolveWebhookTarget`
 * approved (the URL's name is not resolved again, so DNS rebinding cannot move the request), with TLS
 * checked against the URL's hostname as usual. Receivers are untrusted: redirects are not followed
 * (a 3xx could point at an internal address), one deadline bounds connect + response, and at most
 * 4 KB of the answer is read. Never throws: every outcome is a result the dispatcher records.
 */
import type { ClientRequest, IncomingMessage, RequestOptions } from "node:http";
import { Agent as HttpAgent, request as httpRequest } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import type { LookupFunction } from "node:net";
import { performance } from "node:perf_hooks";

export interface WebhookRequest {
  url: URL;
  /** From `resolveWebhookTarget`: the only address this request may connect to. */
  address: string;
  family: 4 | 6;
  /** Sent byte for byte: the signature was computed over exactly this text. */
  body: string;
  headers: Record<string, string>;
  /** Deadline for connect, TLS, request and response together. */
  timeoutMs: number;
  /** Trusted CA certificates instead of the system roots (tests with a self-signed receiver). */
  ca?: string | Buffer;
}

export interface WebhookResult {
  /** The receiver answered 2xx. */
  ok: boolean;
  status: number | null;
  durationMs: number;
  error: string | null;
  /** Start of the response body (UTF-8, at most SNIPPET_BYTES); null when no response arrived. */
  responseSnippet: string | null;
}

export const SNIPPET_BYTES = 4096;

// Set by the transport; a caller's value would be wrong or would point the request elsewhere.
const TRANSPORT_HEADERS = new Set(["host", "content-length", "transfer-encoding", "connection"]);

export async function sendWebhook(req: WebhookRequest): Promise<WebhookResult> {
  const first = await sendOnce(req, performance.now());
  // A kept-alive socket the receiver closed just as we reused it fails before anything was
  // answered; that is ours, not the receiver's, so it gets one immediate retry on a fresh socket.
  if (first.reusedSocketFailed) return sendOnce({ ...req }, performance.now(), true);
  return first;
}

function sendOnce(
  req: WebhookRequest,
  started: number,
  freshSocket = false,
): Promise<WebhookResult & { reusedSocketFailed?: boolean }> {
  return new Promise((resolve) => {
    let request: ClientRequest | undefined;
    let ended = false;
    let response: IncomingMessage | undefined;
    const chunks: Buffer[] = [];
    let received = 0;
    let settled = false;

    const finish = (error: string | null): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      const status = response?.statusCode ?? null;
      const snippet = response ? Buffer.concat(chunks).subarray(0, SNIPPET_BYTES).toString("utf8") : null;
      // A fully read answer leaves the socket to the keep-alive pool; anything else drops it.
      if (!ended) request?.destroy();
      const reusedSocketFailed = error !== null && !response && request?.reusedSocket === true;
      resolve({
        ...(reusedSocketFailed ? { reusedSocketFailed } : {}),
        ok: error === null && status !== null && status >= 200 && status < 300,
        status,
        durationMs: Math.round(performance.now() - started),
        error,
        responseSnippet: snippet,
      });
    };

    const timer = setTimeout(() => {
      // The receiver already answered with its status: that decides, a slow body does not.
      if (response) finish(statusError(response.statusCode ?? 0));
      else finish(`timed out after ${req.timeoutMs} ms`);
    }, req.timeoutMs);

    try {
      request = open(req, freshSocket);
    } catch (error) {
      // Bad header names or values throw synchronously from request().
      finish(describeError(error));
      return;
    }
    request.on("error", (error) => finish(describeError(error)));
    request.on("response", (res) => {
      response = res;
      res.on("error", () => finish(statusError(res.statusCode ?? 0)));
      res.on("data", (chunk: Buffer) => {
        chunks.push(chunk);
        received += chunk.length;
        if (received >= SNIPPET_BYTES) finish(statusError(res.statusCode ?? 0));
      });
      res.on("end", () => {
        ended = true;
        finish(statusError(res.statusCode ?? 0));
      });
    });
    request.end(req.body);
  });
}

/**
 * Keep-alive pools, one per (scheme, pinned address, port, hostname, CA): a pooled socket is only
 * ever reused for the same checked address, so pooling cannot carry a request to an address that
 * was not checked for it. Saves a TCP (and TLS) handshake per delivery to a busy endpoint.
 */
const agents = new Map<string, HttpAgent>();
const MAX_AGENTS = 256;

function agentFor(req: WebhookRequest): HttpAgent {
  const key = [req.url.protocol, req.address, req.url.port, req.url.hostname, req.ca ? String(req.ca).length : ""].join(
    "|",
  );
  let agent = agents.get(key);
  if (!agent) {
    // Idle sockets close after 4 s: before most servers' keep-alive timeout (5 s), so we rarely
    // reuse a socket the receiver is closing.
    const opts = { keepAlive: true, maxSockets: 4, timeout: 4_000, scheduling: "lifo" as const };
    agent = req.url.protocol === "https:" ? new HttpsAgent(opts) : new HttpAgent(opts);
    if (agents.size >= MAX_AGENTS) {
      const [oldestKey, oldest] = agents.entries().next().value as [string, HttpAgent];
      oldest.destroy();
      agents.delete(oldestKey);
    }
    agents.set(key, agent);
  }
  return agent;
}

function open(req: WebhookRequest, freshSocket: boolean): ClientRequest {
  const { url } = req;
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (!TRANSPORT_HEADERS.has(name.toLowerCase())) headers[name.toLowerCase()] = value;
  }
  headers["content-type"] = "application/json";
  headers["user-agent"] = "btpay-webhooks/1";
  headers["content-length"] = String(Buffer.byteLength(req.body));

  // Node asks `lookup` for the URL's hostname; answer with the pinned address whatever the form
  // (`all` is set when Happy Eyeballs is on). The hostname stays the TLS servername and Host header.
  const pinned: LookupFunction = (_hostname, options, callback) => {
    if (options.all) callback(null, [{ address: req.address, family: req.family }]);
    else callback(null, req.address, req.family);
  };
  const options: RequestOptions = {
    method: "POST",
    host: url.hostname.replace(/^\[(.*)\]$/, "$1"),
    port: url.port === "" ? undefined : Number(url.port),
    path: `${url.pathname}${url.search}`,
    headers,
    lookup: pinned,
    family: req.family,
    agent: freshSocket ? false : agentFor(req),
  };
  if (url.protocol === "https:") {
    // Explicit, so NODE_TLS_REJECT_UNAUTHORIZED=0 in the environment cannot switch verification off.
    return httpsRequest({ ...options, rejectUnauthorized: true, ...(req.ca !== undefined ? { ca: req.ca } : {}) });
  }
  if (url.protocol === "http:") return httpRequest(options);
  throw new Error(`webhook URLs must use http or https, got ${url.protocol}`);
}

function statusError(status: number): string | null {
  if (status >= 200 && status < 300) return null;
  if (status >= 300 && status < 400) return "redirects are not followed";
  return `receiver answered HTTP ${status}`;
}

/** Node's messages name the problem ("connect ECONNREFUSED 127.0.0.1:9"); add the code when they do not. */
function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as NodeJS.ErrnoException).code;
  return code !== undefined && !error.message.includes(code) ? `${code}: ${error.message}` : error.message;
}
