/**
 * devchain's Electrum server: newline-delimited JSON-RPC 2.0 over TCP or TLS, protocol 1.4, the way
 * electrs, Fulcrum and ElectrumX speak it, so btpay's real Electrum adapter runs unchanged against it.
 *
 * Electrum clients know scripts only by their scripthash, so the server keeps an index
 * scripthash -> script of every output it has seen (it only grows; a script without history simply
 * answers an empty one). Push notifications are computed after each burst of chain events by
 * comparing every subscription with what the session was last told, as ElectrumX does.
 */
import { createHash } from "node:crypto";
import { type AddressInfo, createServer, type Server, type Socket } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { createServer as createTlsServer } from "node:tls";
import type { Transaction } from "bitcoinjs-lib";
import { scripthash } from "../scripthash.js";
import { type DevChain, DevChainError, type DevHistoryEntry } from "./types.js";

export interface ElectrumServerOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
  tls?: { key: string | Buffer; cert: string | Buffer };
}

export interface ElectrumServer {
  host: string;
  port: number;
  /** Closes every client connection but keeps listening: what clients see when a server restarts. */
  dropConnections(): void;
  close(): Promise<void>;
}

const SERVER_VERSION = "devchain 0.1";
const PROTOCOL_VERSION = "1.4";
const MAX_HEADERS = 2016;
/** A client that sends this much without a newline is not speaking the protocol. */
const MAX_LINE_CHARS = 1_000_000;

/** Error codes as ElectrumX (aiorpcx) sends them. */
const INVALID_REQUEST = -32600;
const METHOD_NOT_FOUND = -32601;
const INVALID_PARAMS = -32602;
const INTERNAL_ERROR = -32603;
const PARSE_ERROR = -32700;
const BAD_REQUEST = 1;
const DAEMON_ERROR = 2;
const EXCESSIVE_RESOURCE_USAGE = -102;

class RpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

interface Session {
  socket: Socket;
  buffer: string;
  versionSent: boolean;
  /** Hash of the tip last sent on `blockchain.headers.subscribe`; undefined when not subscribed. */
  tipHash: string | undefined;
  /** Subscribed scripthash -> status the client was last told. */
  statuses: Map<string, string | null>;
}

type Params = readonly unknown[];
type Handler = (session: Session, params: Params) => unknown;

export async function startElectrumServer(
  chain: DevChain,
  { port = 0, host = "127.0.0.1", tls }: ElectrumServerOptions = {},
): Promise<ElectrumServer> {
  const scripts = new Map<string, string>();
  const index = (tx: Transaction) => {
    for (const out of tx.outs) {
      const hex = Buffer.from(out.script).toString("hex");
      scripts.set(scripthash(hex), hex);
    }
  };
  const tip = chain.tip();
  for (let height = 0; height <= tip.height; height++) {
    for (const txid of chain.blockAtHeight(height)?.txids ?? []) {
      const tx = chain.getTx(txid);
      if (tx) index(tx.tx);
    }
  }
  for (const txid of chain.mempoolTxids()) {
    const tx = chain.getTx(txid);
    if (tx) index(tx.tx);
  }

  const sessions = new Set<Session>();
  let sweepPending: NodeJS.Immediate | undefined;
  const unsubscribe = chain.subscribe((event) => {
    if (event.type === "block") for (const tx of event.block.block.transactions ?? []) index(tx);
    if (event.type === "tx") index(event.tx);
    // Events come in bursts (a reorg connects several blocks): notify once, after the chain settled.
    sweepPending ??= setImmediate(() => {
      sweepPending = undefined;
      sweep();
    });
  });

  /** Best chain in block order, then the mempool (the DevChain contract). */
  const history = (sh: string): DevHistoryEntry[] => {
    const script = scripts.get(sh);
    if (script === undefined) return [];
    // devchain says 0 for every mempool entry; Electrum says -1 when a parent is unconfirmed too.
    return chain
      .scriptHistory(script)
      .map((e) => (e.height <= 0 && (chain.mempoolEntry(e.txid)?.depends.length ?? 0) > 0 ? { ...e, height: -1 } : e));
  };
  const status = (sh: string): string | null => {
    const entries = history(sh);
    if (entries.length === 0) return null;
    const text = entries.map((e) => `${e.txid}:${e.height}:`).join("");
    return createHash("sha256").update(text).digest("hex");
  };
  const tipHeader = () => {
    const block = chain.tip();
    return { height: block.height, hex: Buffer.from(block.header).toString("hex") };
  };

  function sweep(): void {
    const header = tipHeader();
    const tipHash = chain.tip().hash;
    for (const session of sessions) {
      if (session.tipHash !== undefined && session.tipHash !== tipHash) {
        session.tipHash = tipHash;
        notify(session, "blockchain.headers.subscribe", [header]);
      }
      for (const [sh, last] of session.statuses) {
        const now = status(sh);
        if (now === last) continue;
        session.statuses.set(sh, now);
        notify(session, "blockchain.scripthash.subscribe", [sh, now]);
      }
    }
  }
  function notify(session: Session, method: string, params: unknown[]): void {
    // A dropped notification is lost for good, as on a flaky link: the session still counts it as told.
    if (!chain.faults.dropNotifications) write(session, { jsonrpc: "2.0", method, params });
  }

  const handlers: Record<string, Handler> = {
    "server.version": (session, params) => {
      if (session.versionSent) throw new RpcError(BAD_REQUEST, "server.version already sent");
      const wanted = params[1] ?? PROTOCOL_VERSION;
      const [min, max] = Array.isArray(wanted) ? wanted : [wanted, wanted];
      if (
        !(compareVersions(String(min), PROTOCOL_VERSION) <= 0 && compareVersions(PROTOCOL_VERSION, String(max)) <= 0)
      ) {
        throw new RpcError(BAD_REQUEST, `unsupported protocol version: ${JSON.stringify(wanted)}`);
      }
      session.versionSent = true;
      return [SERVER_VERSION, PROTOCOL_VERSION];
    },
    "server.ping": () => null,
    "server.banner": () => "devchain: a regtest chain simulator. Nothing here is real money.",
    "server.donation_address": () => "",
    "server.peers.subscribe": () => [],
    "server.features": () => ({
      genesis_hash: chain.blockAtHeight(0)?.hash,
      hosts: {},
      protocol_max: PROTOCOL_VERSION,
      protocol_min: PROTOCOL_VERSION,
      pruning: null,
      server_version: SERVER_VERSION,
      hash_function: "sha256",
    }),
    "blockchain.headers.subscribe": (session) => {
      session.tipHash = chain.tip().hash;
      return tipHeader();
    },
    "blockchain.block.header": (_, params) => {
      noCheckpoint(params[1]);
      return Buffer.from(blockAt(int(params, 0)).header).toString("hex");
    },
    "blockchain.block.headers": (_, params) => {
      noCheckpoint(params[2]);
      const start = int(params, 0);
      const count = Math.max(0, Math.min(int(params, 1), MAX_HEADERS, chain.tip().height - start + 1));
      const headers: string[] = [];
      for (let h = start; h < start + count; h++) headers.push(Buffer.from(blockAt(h).header).toString("hex"));
      return { count, hex: headers.join(""), max: MAX_HEADERS };
    },
    "blockchain.scripthash.subscribe": (session, params) => {
      const sh = scripthashParam(params);
      const now = status(sh);
      session.statuses.set(sh, now);
      return now;
    },
    "blockchain.scripthash.unsubscribe": (session, params) => session.statuses.delete(scripthashParam(params)),
    "blockchain.scripthash.get_history": (_, params) => history(scripthashParam(params)).map(historyItem),
    "blockchain.scripthash.get_mempool": (_, params) =>
      history(scripthashParam(params))
        .filter((e) => e.height <= 0)
        .map(historyItem),
    "blockchain.scripthash.get_balance": (_, params) => balance(scripthashParam(params)),
    "blockchain.scripthash.listunspent": (_, params) => {
      const script = scripts.get(scripthashParam(params));
      if (script === undefined) return [];
      return chain
        .scriptUtxos(script)
        .map((u) => ({ tx_hash: u.txid, tx_pos: u.vout, height: u.height, value: u.valueSats }));
    },
    "blockchain.transaction.get": (_, params) => {
      if (params[1] === true) throw new RpcError(BAD_REQUEST, "verbose transactions are not supported by devchain");
      const tx = chain.getTx(txidParam(params, 0));
      if (!tx) throw new RpcError(DAEMON_ERROR, "No such mempool or blockchain transaction");
      return tx.hex;
    },
    "blockchain.transaction.broadcast": (_, params) => {
      try {
        return chain.sendRawTransaction(str(params, 0));
      } catch (err) {
        if (!(err instanceof DevChainError)) throw err;
        throw new RpcError(BAD_REQUEST, `the transaction was rejected by network rules.\n\n${err.message}`);
      }
    },
    // BTC per kvB, a JSON number as on the wire; devchain's estimate is in sat/vB.
    "blockchain.estimatefee": (_, params) => Number((chain.estimateFeeRate(int(params, 0)) / 1e5).toFixed(8)),
    "blockchain.relayfee": () => 0.00001,
    "mempool.get_fee_histogram": () => [],
  };

  const blockAt = (height: number) => {
    const block = chain.blockAtHeight(height);
    if (!block) throw new RpcError(BAD_REQUEST, `height ${height} out of range`);
    return block;
  };
  const historyItem = (e: DevHistoryEntry) =>
    e.height <= 0 && e.feeSats !== undefined
      ? { tx_hash: e.txid, height: e.height, fee: e.feeSats }
      : { tx_hash: e.txid, height: e.height };

  /** As ElectrumX: confirmed = received - spent on the chain; unconfirmed = what the mempool changes. */
  function balance(sh: string): { confirmed: bigint; unconfirmed: bigint } {
    const script = scripts.get(sh);
    const sums = { confirmed: 0n, unconfirmed: 0n };
    if (script === undefined) return sums;
    for (const entry of history(sh)) {
      const tx = chain.getTx(entry.txid)?.tx;
      if (!tx) continue;
      const key = entry.height > 0 ? "confirmed" : "unconfirmed";
      for (const out of tx.outs) if (Buffer.from(out.script).toString("hex") === script) sums[key] += out.value;
      for (const input of tx.ins) {
        const prevTxid = Buffer.from(input.hash).reverse().toString("hex");
        const prev = chain.getTx(prevTxid)?.tx.outs[input.index];
        if (prev && Buffer.from(prev.script).toString("hex") === script) sums[key] -= prev.value;
      }
    }
    return sums;
  }

  async function answer(session: Session, request: unknown): Promise<object | undefined> {
    if (typeof request !== "object" || request === null || Array.isArray(request)) {
      return errorReply(null, new RpcError(INVALID_REQUEST, "invalid request"));
    }
    const { id = null, method, params = [] } = request as { id?: unknown; method?: unknown; params?: unknown };
    const isNotification = !("id" in request);
    if (chain.faults.lagMs > 0) await sleep(chain.faults.lagMs);
    if (chain.faults.rateLimited) {
      return errorReply(id, new RpcError(EXCESSIVE_RESOURCE_USAGE, "excessive resource usage"));
    }
    try {
      if (typeof method !== "string") throw new RpcError(INVALID_REQUEST, "invalid request");
      const handler = Object.hasOwn(handlers, method) ? handlers[method] : undefined;
      if (!handler) throw new RpcError(METHOD_NOT_FOUND, `unknown method "${method}"`);
      if (!Array.isArray(params)) throw new RpcError(INVALID_PARAMS, "params must be an array");
      const result = handler(session, params);
      return isNotification ? undefined : { jsonrpc: "2.0", result, id };
    } catch (err) {
      if (err instanceof RpcError) return errorReply(id, err);
      if (err instanceof DevChainError) return errorReply(id, new RpcError(DAEMON_ERROR, err.message));
      return errorReply(id, new RpcError(INTERNAL_ERROR, "internal error"));
    }
  }

  async function onLine(session: Session, line: string): Promise<void> {
    let message: unknown;
    try {
      message = JSON.parse(line);
    } catch {
      write(session, errorReply(null, new RpcError(PARSE_ERROR, "invalid JSON")));
      return;
    }
    if (!Array.isArray(message)) {
      const reply = await answer(session, message);
      if (reply) write(session, reply);
      return;
    }
    if (message.length === 0) return write(session, errorReply(null, new RpcError(INVALID_REQUEST, "empty batch")));
    const replies = (await Promise.all(message.map((m) => answer(session, m)))).filter((r) => r !== undefined);
    if (replies.length > 0) write(session, replies);
  }

  const onConnection = (socket: Socket) => {
    const session: Session = { socket, buffer: "", versionSent: false, tipHash: undefined, statuses: new Map() };
    sessions.add(session);
    socket.setEncoding("utf8");
    socket.setNoDelay(true);
    socket.on("data", (chunk: string) => {
      session.buffer += chunk;
      let newline = session.buffer.indexOf("\n");
      while (newline >= 0) {
        const line = session.buffer.slice(0, newline).trim();
        session.buffer = session.buffer.slice(newline + 1);
        if (line) void onLine(session, line);
        newline = session.buffer.indexOf("\n");
      }
      if (session.buffer.length > MAX_LINE_CHARS) socket.destroy();
    });
    socket.on("error", () => {}); // a reset by the client is its business; "close" follows
    socket.on("close", () => sessions.delete(session));
  };

  const server: Server = tls
    ? createTlsServer({ key: tls.key, cert: tls.cert }, onConnection)
    : createServer(onConnection);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });

  const dropConnections = () => {
    for (const session of sessions) session.socket.destroy();
    sessions.clear();
  };
  return {
    host,
    port: (server.address() as AddressInfo).port,
    dropConnections,
    close: async () => {
      unsubscribe();
      if (sweepPending) clearImmediate(sweepPending);
      dropConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Sends one JSON line. Satoshis stay bigint up to the wire, where they become plain JSON integers. */
function write(session: Session, message: unknown): void {
  if (session.socket.destroyed) return;
  const json = JSON.stringify(message, (_, v) => (typeof v === "bigint" ? `${BIGINT_MARK}${v}` : v));
  session.socket.write(`${json.replace(BIGINT_PATTERN, "$1")}\n`);
}
const BIGINT_MARK = "__devchain_bigint__:";
const BIGINT_PATTERN = /"__devchain_bigint__:(-?\d+)"/g;

const errorReply = (id: unknown, err: RpcError) => ({
  jsonrpc: "2.0",
  error: { code: err.code, message: err.message },
  id,
});

function str(params: Params, i: number): string {
  const value = params[i];
  if (typeof value !== "string") throw new RpcError(INVALID_PARAMS, `parameter ${i} must be a string`);
  return value;
}
function int(params: Params, i: number): number {
  const value = params[i];
  if (!Number.isSafeInteger(value) || (value as number) < 0) {
    throw new RpcError(INVALID_PARAMS, `parameter ${i} must be a non-negative integer`);
  }
  return value as number;
}
function txidParam(params: Params, i: number): string {
  const value = str(params, i).toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(value)) throw new RpcError(BAD_REQUEST, `${value} should be a transaction hash`);
  return value;
}
function scripthashParam(params: Params): string {
  const value = str(params, 0).toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(value)) throw new RpcError(BAD_REQUEST, `${value} is not a valid script hash`);
  return value;
}
function noCheckpoint(cpHeight: unknown): void {
  if (cpHeight !== undefined && cpHeight !== 0) {
    throw new RpcError(BAD_REQUEST, "checkpoint proofs (cp_height) are not supported by devchain");
  }
}
/** "1.4" vs "1.10", part by part as numbers. */
function compareVersions(a: string, b: string): number {
  const pa = a.split(".").map(Number);
  const pb = b.split(".").map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}
