/**
 * devchain's Bitcoin Core JSON-RPC endpoint: HTTP POST with Basic auth, JSON-RPC 1.0 style calls
 * and batches, and Core's status codes (401 without valid credentials, 404 for an unknown method,
 * 500 for other errors, 200 for every batch). Honours `chain.faults`: `rateLimited` answers 429,
 * `lagMs` delays every answer.
 */
import { timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { JsonNumber, parseJsonExact, stringifyJsonExact } from "../json-exact.js";
import type { DevChainImpl } from "./chain.js";
import { callRpc } from "./rpc-methods.js";
import { DevChainError } from "./types.js";

export interface RpcServerOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  /** Basic-auth credentials; default "devchain" / "devchain". */
  user?: string;
  password?: string;
}

export interface RpcServer {
  /** http://user:password@host:port/ */
  url: string;
  port: number;
  close(): Promise<void>;
}

const RPC_PARSE_ERROR = -32700;
const RPC_INVALID_REQUEST = -32600;
const RPC_METHOD_NOT_FOUND = -32601;
const RPC_MISC_ERROR = -1;
const MAX_BODY_BYTES = 32 * 1024 * 1024;

interface Reply {
  result: unknown;
  error: { code: number; message: string } | null;
  id: unknown;
}

export async function startRpcServer(chain: DevChainImpl, opts: RpcServerOptions = {}): Promise<RpcServer> {
  const host = opts.host ?? "127.0.0.1";
  const user = opts.user ?? "devchain";
  const password = opts.password ?? "devchain";
  const expectedAuth = Buffer.from(`Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`);

  const server = createServer((req, res) => {
    handle(chain, expectedAuth, req, res).catch((err: unknown) => {
      if (!res.headersSent) send(res, 500, reply(null, RPC_MISC_ERROR, String(err)));
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${encodeURIComponent(user)}:${encodeURIComponent(password)}@${host}:${port}/`,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

async function handle(chain: DevChainImpl, expectedAuth: Buffer, req: IncomingMessage, res: ServerResponse) {
  const body = await readBody(req);
  if (chain.faults.lagMs > 0) await sleep(chain.faults.lagMs);
  if (chain.faults.rateLimited) {
    res.writeHead(429, { "Content-Type": "text/plain", "Retry-After": "1" }).end("Too Many Requests\n");
    return;
  }
  const auth = Buffer.from(req.headers.authorization ?? "");
  if (auth.length !== expectedAuth.length || !timingSafeEqual(auth, expectedAuth)) {
    res.writeHead(401, { "WWW-Authenticate": 'Basic realm="jsonrpc"' }).end();
    return;
  }
  if (req.method !== "POST") {
    res.writeHead(405, { "Content-Type": "text/plain" }).end("JSONRPC server handles only POST requests");
    return;
  }
  const path = (req.url ?? "/").split("?")[0]!;
  if (path !== "/" && !path.startsWith("/wallet/")) {
    res.writeHead(404).end();
    return;
  }
  let request: unknown;
  try {
    request = parseJsonExact(body);
  } catch {
    send(res, 500, reply(null, RPC_PARSE_ERROR, "Parse error"));
    return;
  }
  if (Array.isArray(request)) {
    send(
      res,
      200,
      request.map((call) => execute(chain, call)),
    );
    return;
  }
  const answer = execute(chain, request);
  const code = answer.error?.code;
  send(
    res,
    code === undefined ? 200 : code === RPC_METHOD_NOT_FOUND ? 404 : code === RPC_INVALID_REQUEST ? 400 : 500,
    answer,
  );
}

function execute(chain: DevChainImpl, call: unknown): Reply {
  if (typeof call !== "object" || call === null || Array.isArray(call) || call instanceof JsonNumber) {
    return reply(null, RPC_INVALID_REQUEST, "Invalid Request object");
  }
  const { id = null, method, params } = call as { id?: unknown; method?: unknown; params?: unknown };
  if (typeof method !== "string") return reply(id, RPC_INVALID_REQUEST, "Method must be a string");
  try {
    return { result: callRpc(chain, method, params) ?? null, error: null, id };
  } catch (err) {
    if (err instanceof DevChainError) return reply(id, err.code, err.message);
    return reply(id, RPC_MISC_ERROR, err instanceof Error ? err.message : String(err));
  }
}

function reply(id: unknown, code: number, message: string): Reply {
  return { result: null, error: { code, message }, id: id ?? null };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "Content-Type": "application/json" }).end(`${stringifyJsonExact(body)}\n`);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new DevChainError(RPC_INVALID_REQUEST, "request too large");
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}
