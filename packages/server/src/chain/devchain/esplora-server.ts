/**
 * devchain's Esplora REST server: the subset of Blockstream's esplora/electrs HTTP API (also served
 * by mempool.space) that wallets and btpay's EsploraSource use, answered from a DevChain on a
 * loopback port. Paths, status codes, error texts and page sizes follow electrs `src/rest.rs`:
 * `/txs` = up to 50 mempool txs (newest first) + the first 25 confirmed, `/txs/chain[/:last_seen]`
 * pages 25 confirmed at a time, errors are `text/plain` (400 bad input, 404 unknown).
 *
 * Faults: `chain.faults.lagMs` delays every answer; `rateLimited` answers 429 with `Retry-After: 1`.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { address, type Transaction } from "bitcoinjs-lib";
import { esploraScripthash } from "../esplora-scripthash.js";
import { blockJson, blockStatusJson, hex, txJson, txStatusJson, utxoJson } from "./esplora-json.js";
import { type DevBlock, type DevChain, DevChainError, type DevTx } from "./types.js";

export interface EsploraServerOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
}

export interface EsploraServer {
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:39123`. */
  url: string;
  port: number;
  close(): Promise<void>;
}

const CHAIN_TXS_PER_PAGE = 25;
const MAX_MEMPOOL_TXS = 50;
const BLOCK_LIMIT = 10;
/** The confirmation targets electrs' `/fee-estimates` answers for. */
const FEE_TARGETS = [...Array.from({ length: 25 }, (_, i) => i + 1), 144, 504, 1008];
/** A transaction's hex can be at most 2 x 4 MB (a block's weight limit, all witness). */
const MAX_TX_HEX_CHARS = 8_000_000;
const HASH = /^[0-9a-fA-F]{64}$/;

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

type Reply = { status: number; body: string | Uint8Array; type: string };

export async function startEsploraServer(
  chain: DevChain,
  { port = 0, host = "127.0.0.1" }: EsploraServerOptions = {},
): Promise<EsploraServer> {
  const closing = new AbortController();
  const scriptOf = createScriptIndex(chain);

  const text = (body: string, status = 200): Reply => ({ status, body, type: "text/plain" });
  const json = (value: unknown): Reply => ({ status: 200, body: JSON.stringify(value), type: "application/json" });

  function hashParam(value: string): string {
    if (!HASH.test(value)) throw new HttpError(400, "Invalid hex string");
    return value.toLowerCase();
  }
  function bestBlock(hash: string) {
    const b = chain.isInBestChain(hashParam(hash)) ? chain.blockByHash(hash.toLowerCase()) : undefined;
    if (b === undefined) throw new HttpError(404, "Block not found");
    return b;
  }
  function txOf(txid: string): DevTx {
    const tx = chain.getTx(hashParam(txid));
    if (tx === undefined) throw new HttpError(404, "Transaction not found");
    return tx;
  }
  function scriptParam(kind: string, value: string): string | undefined {
    if (kind === "address") {
      try {
        return hex(address.toOutputScript(value, chain.network));
      } catch {
        throw new HttpError(400, "Invalid Bitcoin address");
      }
    }
    if (!/^(?:[0-9a-fA-F]{2})*$/.test(value)) throw new HttpError(400, "Invalid hex string");
    if (value.length !== 64) throw new HttpError(400, "Invalid scripthash");
    return scriptOf(value.toLowerCase());
  }
  /** A script's transactions, newest first: mempool in reverse arrival order, then by block and position. */
  function history(scriptHex: string | undefined): { mempool: DevTx[]; confirmed: DevTx[] } {
    const txids = new Set(scriptHex === undefined ? [] : chain.scriptHistory(scriptHex).map((e) => e.txid));
    const txs = [...txids].flatMap((txid) => chain.getTx(txid) ?? []);
    const mempool = txs.filter((t) => t.block === null).reverse();
    const confirmed = txs
      .filter((t) => t.block !== null)
      .sort((a, b) => b.block!.height - a.block!.height || b.block!.index - a.block!.index);
    return { mempool, confirmed };
  }
  const txsJson = (txs: DevTx[]) => json(txs.map((t) => txJson(chain, t)));

  /** The answer for a request, or undefined when no route matches. */
  async function route(method: string, parts: string[], req: IncomingMessage): Promise<Reply | undefined> {
    const [a, b, c, d, e, ...rest] = parts;
    if (rest.length > 0) return undefined;
    if (method === "POST" && a === "tx" && b === undefined) {
      try {
        return text(chain.sendRawTransaction((await readBody(req)).trim()));
      } catch (error) {
        if (!(error instanceof DevChainError)) throw error;
        // electrs passes bitcoind's JSON-RPC error through in this form.
        const rpcError = JSON.stringify({ code: error.code, message: error.message });
        throw new HttpError(400, `sendrawtransaction RPC error: ${rpcError}`);
      }
    }
    if (method !== "GET" || a === undefined) return undefined;
    if (a === "blocks" && b === "tip" && d === undefined) {
      if (c === "height") return text(String(chain.tip().height));
      if (c === "hash") return text(chain.tip().hash);
    }
    if (a === "blocks" && c === undefined && b !== "tip") {
      const start = b === undefined || b === "" ? chain.tip().height : Number(b);
      let at = Number.isSafeInteger(start) ? chain.blockAtHeight(start) : chain.tip();
      if (at === undefined) throw new HttpError(404, "Block not found");
      const list = [];
      for (; at !== undefined && list.length < BLOCK_LIMIT; at = chain.blockByHash(at.prevHash)) {
        list.push(blockJson(chain, at));
      }
      return json(list);
    }
    if (a === "block-height" && b !== undefined && c === undefined) {
      if (!/^\d+$/.test(b)) throw new HttpError(400, "Invalid number");
      const at = chain.blockAtHeight(Number(b));
      if (at === undefined) throw new HttpError(404, "Block not found");
      return text(at.hash);
    }
    if (a === "block" && b !== undefined) {
      if (c === "status" && d === undefined) return json(blockStatusJson(chain, hashParam(b)));
      const at = bestBlock(b);
      if (c === undefined) return json(blockJson(chain, at));
      if (c === "header" && d === undefined) return text(hex(at.header));
      if (c === "txids" && d === undefined) return json(at.txids);
      if (c === "raw" && d === undefined) {
        return { status: 200, body: at.block.toBuffer(), type: "application/octet-stream" };
      }
      if (c === "txid" && d !== undefined && e === undefined) {
        const txid = /^\d+$/.test(d) ? at.txids[Number(d)] : undefined;
        if (txid === undefined) throw new HttpError(404, "tx index out of range");
        return text(txid);
      }
      if (c === "txs" && e === undefined) {
        const start = d === undefined ? 0 : Number.parseInt(d, 10) || 0;
        if (start >= at.txids.length) throw new HttpError(404, "start index out of range");
        if (start % CHAIN_TXS_PER_PAGE !== 0) {
          // sic: electrs' own spelling, kept so clients matching on it still match.
          throw new HttpError(400, `start index must be a multipication of ${CHAIN_TXS_PER_PAGE}`);
        }
        return txsJson(at.txids.slice(start, start + CHAIN_TXS_PER_PAGE).map(txOf));
      }
    }
    if (a === "tx" && b !== undefined && d === undefined) {
      if (c === "status") return json(txStatusJson(chain.getTx(hashParam(b))?.block));
      const tx = txOf(b);
      if (c === undefined) return json(txJson(chain, tx));
      if (c === "hex") return text(tx.hex);
      if (c === "raw") return { status: 200, body: Buffer.from(tx.hex, "hex"), type: "application/octet-stream" };
    }
    if ((a === "address" || a === "scripthash") && b !== undefined && c !== undefined) {
      const scriptHex = scriptParam(a, b);
      if (c === "utxo" && d === undefined) {
        return json(scriptHex === undefined ? [] : chain.scriptUtxos(scriptHex).map((u) => utxoJson(chain, u)));
      }
      if (c === "txs") {
        const { mempool, confirmed } = history(scriptHex);
        if (d === undefined) {
          return txsJson([...mempool.slice(0, MAX_MEMPOOL_TXS), ...confirmed.slice(0, CHAIN_TXS_PER_PAGE)]);
        }
        if (d === "mempool" && e === undefined) return txsJson(mempool.slice(0, MAX_MEMPOOL_TXS));
        if (d === "chain") {
          // electrs ignores an unparsable last_seen (first page) and answers [] for one not in the history.
          const lastSeen = e !== undefined && HASH.test(e) ? e.toLowerCase() : undefined;
          const from = lastSeen === undefined ? 0 : confirmed.findIndex((t) => t.txid === lastSeen) + 1;
          return txsJson(from === 0 && lastSeen !== undefined ? [] : confirmed.slice(from, from + CHAIN_TXS_PER_PAGE));
        }
      }
    }
    if (a === "mempool" && b === "txids" && c === undefined) return json(chain.mempoolTxids());
    if (a === "fee-estimates" && b === undefined) {
      return json(Object.fromEntries(FEE_TARGETS.map((t) => [String(t), chain.estimateFeeRate(t)])));
    }
    return undefined;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { lagMs, rateLimited } = chain.faults;
    if (lagMs > 0) await sleep(lagMs, undefined, { signal: closing.signal });
    if (rateLimited) {
      res.writeHead(429, { "content-type": "text/plain", "retry-after": "1" }).end("Too Many Requests");
      return;
    }
    const path = new URL(req.url ?? "/", "http://esplora").pathname;
    let reply: Reply;
    try {
      // electrs' text for a path it has no route for, Rust `{:?}` quoting included.
      reply =
        (await route(req.method ?? "GET", path.split("/").slice(1), req)) ??
        text(`endpoint does not exist ${JSON.stringify(path)}`, 404);
    } catch (error) {
      if (!(error instanceof HttpError)) throw error;
      reply = text(error.message, error.status);
    }
    res.writeHead(reply.status, { "content-type": reply.type, "cache-control": "no-store" }).end(reply.body);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (closing.signal.aborted || res.headersSent) return void res.destroy();
      res.writeHead(500, { "content-type": "text/plain" }).end(error instanceof Error ? error.message : String(error));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  const bound = server.address() as AddressInfo;
  const hostPart = bound.family === "IPv6" ? `[${bound.address}]` : bound.address;
  return {
    url: `http://${hostPart}:${bound.port}`,
    port: bound.port,
    async close() {
      closing.abort(); // wakes lagging handlers so they do not hold sockets open
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

/**
 * scripthash -> script, for `/scripthash/:hash` (DevChain is keyed by script). Filled lazily: on a
 * miss, every best-chain block not seen yet (walking back from the tip) and every new mempool
 * transaction is indexed. A script no transaction ever paid has no history, so a miss after that
 * is a true "nothing here".
 */
function createScriptIndex(chain: DevChain): (scripthash: string) => string | undefined {
  const scripts = new Map<string, string>();
  const seenBlocks = new Set<string>();
  const seenTxids = new Set<string>();
  const add = (tx: Transaction) => {
    for (const out of tx.outs) {
      const scriptHex = hex(out.script);
      scripts.set(esploraScripthash(scriptHex), scriptHex);
    }
  };
  return (scripthash) => {
    const known = scripts.get(scripthash);
    if (known !== undefined) return known;
    for (let b: DevBlock | undefined = chain.tip(); b && !seenBlocks.has(b.hash); b = chain.blockByHash(b.prevHash)) {
      seenBlocks.add(b.hash);
      for (const tx of b.block.transactions ?? []) add(tx);
    }
    for (const txid of chain.mempoolTxids()) {
      if (seenTxids.has(txid)) continue;
      seenTxids.add(txid);
      const tx = chain.getTx(txid);
      if (tx !== undefined) add(tx.tx);
    }
    return scripts.get(scripthash);
  };
}

async function readBody(req: IncomingMessage): Promise<string> {
  let body = "";
  for await (const chunk of req) {
    body += chunk;
    if (body.length > MAX_TX_HEX_CHARS) throw new HttpError(400, "transaction too large");
  }
  return body;
}
