import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { address, opcodes, payments, script, Transaction } from "bitcoinjs-lib";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type ChainHint, ChainSourceError, type WatchedScript } from "../../src/chain/chain-source.js";
import { createDevChain, type DevChainImpl } from "../../src/chain/devchain/chain.js";
import { type EsploraServer, startEsploraServer } from "../../src/chain/devchain/esplora-server.js";
import { esploraScripthash } from "../../src/chain/esplora-scripthash.js";
import { EsploraSource, type EsploraSourceOptions } from "../../src/chain/esplora-source.js";
import { scripthash as electrumScripthash } from "../../src/chain/scripthash.js";
import { eventually } from "../helpers/eventually.js";

// Loosely typed JSON from the wire: the assertions below are the type checks.
// biome-ignore lint/suspicious/noExplicitAny: test-only access to parsed JSON
type Json = any;

let chain: DevChainImpl;
let server: EsploraServer;
let miner: string;
const closers: Array<() => Promise<void> | void> = [];

beforeAll(async () => {
  chain = createDevChain(); // premines 101 blocks: the wallet can spend at once
  miner = chain.getNewAddress();
  server = await startEsploraServer(chain, { port: 0 });
});
afterEach(async () => {
  Object.assign(chain.faults, { dropNotifications: false, rateLimited: false, lagMs: 0 });
  while (closers.length > 0) await closers.pop()!();
});
afterAll(() => server.close());

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");
const scriptOf = (addr: string) => hex(address.toOutputScript(addr, chain.network));
/** An address nobody holds a key for: the devchain wallet never spends from it. */
const freshAddress = () => payments.p2wpkh({ hash: randomBytes(20), network: chain.network }).address!;
const watch = (addr: string): WatchedScript => ({ scriptPubKeyHex: scriptOf(addr), address: addr, since: new Date(0) });
const mine = (count = 1) => chain.generateToAddress(count, miner);
const voutOf = (txid: string, addr: string) =>
  chain.getTx(txid)!.tx.outs.findIndex((o) => hex(o.script) === scriptOf(addr));

async function get(path: string) {
  const response = await fetch(`${server.url}${path}`);
  return { status: response.status, type: response.headers.get("content-type"), text: await response.text() };
}
async function getText(path: string): Promise<string> {
  const { status, type, text } = await get(path);
  expect({ path, status, type }).toEqual({ path, status: 200, type: "text/plain" });
  return text;
}
async function getJson(path: string): Promise<Json> {
  const { status, type, text } = await get(path);
  expect({ path, status, type }).toEqual({ path, status: 200, type: "application/json" });
  return JSON.parse(text);
}

/** An EsploraSource over real HTTP; `requests` logs every request's path and status (nothing is faked). */
function source(opts: Partial<EsploraSourceOptions> = {}) {
  const requests: Array<{ path: string; status?: number }> = [];
  const inner = opts.fetch ?? fetch;
  const logging: typeof fetch = async (input, init) => {
    const entry: { path: string; status?: number } = { path: new URL(String(input)).pathname };
    requests.push(entry);
    const response = await inner(input, init);
    entry.status = response.status;
    return response;
  };
  const s = new EsploraSource({ baseUrl: server.url, timeoutMs: 5_000, ...opts, fetch: logging });
  closers.push(() => s.close());
  return { source: s, requests };
}
async function outputsOf(s: EsploraSource, watched: WatchedScript) {
  return (await s.snapshot([watched])).outputs.get(watched.scriptPubKeyHex);
}
/** `count` payments to `addr`, a block mined after every `perBlock`; returns txids oldest first. */
function payMany(addr: string, count: number, perBlock: number): { txids: string[]; blocks: string[] } {
  const txids: string[] = [];
  const blocks: string[] = [];
  for (let i = 0; i < count; i++) {
    txids.push(chain.sendToAddress(addr, BigInt(10_000 + i)));
    if ((i + 1) % perBlock === 0) blocks.push(...mine());
  }
  return { txids, blocks };
}

describe("devchain Esplora server", () => {
  it("serves the tip and blocks in esplora's shapes", async () => {
    const [hash] = mine();
    const b = chain.blockByHash(hash!)!;
    expect(await getText("/blocks/tip/height")).toBe(String(b.height));
    expect(await getText("/blocks/tip/hash")).toBe(hash);
    expect(await getText(`/block-height/${b.height}`)).toBe(hash);

    const block = await getJson(`/block/${hash}`);
    expect(Object.keys(block)).toEqual([
      ...["id", "height", "version", "timestamp", "tx_count", "size", "weight", "merkle_root"],
      ...["previousblockhash", "mediantime", "nonce", "bits", "difficulty"],
    ]);
    expect(block).toMatchObject({
      id: hash,
      height: b.height,
      timestamp: b.time,
      tx_count: b.txids.length,
      size: b.block.byteLength(),
      weight: b.block.weight(),
      // The header holds the merkle root little-endian at bytes 36..68; APIs print it reversed.
      merkle_root: hex(b.header.slice(36, 68).reverse()),
      previousblockhash: b.prevHash,
      mediantime: chain.medianTimePast(hash),
      nonce: b.block.nonce,
      bits: 0x207fffff,
    });
    expect(block.difficulty).toBeCloseTo(4.656542373906925e-10, 20); // regtest's, as Core reports it
    expect((await getJson(`/block/${chain.blockAtHeight(0)!.hash}`)).previousblockhash).toBeNull();

    expect(await getText(`/block/${hash}/header`)).toBe(hex(b.header));
    expect(await getJson(`/block/${hash}/txids`)).toEqual(b.txids);
    expect(await getJson(`/block/${b.prevHash}/status`)).toEqual({
      in_best_chain: true,
      height: b.height - 1,
      next_best: hash,
    });
    expect(await getJson(`/block/${hash}/status`)).toEqual({ in_best_chain: true, height: b.height, next_best: null });
    const summaries = await getJson("/blocks");
    expect(summaries.map((s: Json) => s.height)).toEqual(Array.from({ length: 10 }, (_, i) => b.height - i));
  });

  it("serves a transaction, its status and hex, before and after it confirms", async () => {
    const addr = freshAddress();
    const txid = chain.sendToAddress(addr, 50_000n);
    const dev = chain.getTx(txid)!;
    const tx = await getJson(`/tx/${txid}`);
    expect(Object.keys(tx)).toEqual(["txid", "version", "locktime", "vin", "vout", "size", "weight", "fee", "status"]);
    expect(tx).toMatchObject({
      txid,
      version: dev.tx.version,
      locktime: dev.tx.locktime,
      size: dev.tx.byteLength(),
      weight: dev.tx.weight(),
      fee: Number(chain.mempoolEntry(txid)!.feeSats),
    });
    expect(tx.status).toEqual({ confirmed: false }); // no nulls: electrs leaves the block fields out

    const script = scriptOf(addr);
    expect(tx.vout[voutOf(txid, addr)]).toEqual({
      scriptpubkey: script,
      scriptpubkey_asm: `OP_0 OP_PUSHBYTES_20 ${script.slice(4)}`,
      scriptpubkey_type: "v0_p2wpkh",
      scriptpubkey_address: addr,
      value: 50_000,
    });
    const input = tx.vin[0];
    expect(Object.keys(input)).toEqual([
      ...["txid", "vout", "prevout", "scriptsig", "scriptsig_asm", "witness", "is_coinbase", "sequence"],
    ]);
    expect(input).toMatchObject({ is_coinbase: false, scriptsig: "", scriptsig_asm: "", sequence: 0xfffffffd });
    expect(input.witness).toHaveLength(2); // signature, public key
    expect(input.prevout).toMatchObject({ scriptpubkey_type: "v0_p2wpkh", value: expect.any(Number) });
    const inSats = tx.vin.reduce((sum: number, i: Json) => sum + i.prevout.value, 0);
    const outSats = tx.vout.reduce((sum: number, o: Json) => sum + o.value, 0);
    expect(inSats - outSats).toBe(tx.fee);

    expect(await getText(`/tx/${txid}/hex`)).toBe(dev.hex);
    expect(await getJson(`/tx/${txid}/status`)).toEqual({ confirmed: false });
    const [hash] = mine();
    const b = chain.blockByHash(hash!)!;
    const confirmed = { confirmed: true, block_height: b.height, block_hash: hash, block_time: b.time };
    expect(await getJson(`/tx/${txid}/status`)).toEqual(confirmed);
    expect((await getJson(`/tx/${txid}`)).status).toEqual(confirmed);

    const coinbase = await getJson(`/tx/${b.txids[0]}`);
    expect(coinbase.vin[0]).toMatchObject({
      txid: "0".repeat(64),
      vout: 0xffffffff,
      prevout: null,
      is_coinbase: true,
    });
    expect(coinbase.fee).toBe(0);
  });

  it("lists a script's transactions and unspent outputs, newest first, by address and by scripthash", async () => {
    const addr = freshAddress();
    const script = scriptOf(addr);
    const first = chain.sendToAddress(addr, 10_000n);
    const [hash] = mine();
    const second = chain.sendToAddress(addr, 20_000n);

    const byAddress = await getJson(`/address/${addr}/txs`);
    expect(byAddress.map((t: Json) => t.txid)).toEqual([second, first]);
    expect(await getJson(`/scripthash/${esploraScripthash(script)}/txs`)).toEqual(byAddress);
    // Esplora's scripthash is the plain sha256; Electrum's byte-reversed one is just some other script.
    expect(await getJson(`/scripthash/${electrumScripthash(script)}/txs`)).toEqual([]);
    expect((await getJson(`/address/${addr}/txs/chain`)).map((t: Json) => t.txid)).toEqual([first]);
    expect((await getJson(`/address/${addr}/txs/mempool`)).map((t: Json) => t.txid)).toEqual([second]);
    expect(await getJson(`/address/${addr}/txs/chain/${first}`)).toEqual([]);

    const b = chain.blockByHash(hash!)!;
    const utxos = await getJson(`/scripthash/${esploraScripthash(script)}/utxo`);
    expect(utxos).toEqual([
      {
        txid: first,
        vout: voutOf(first, addr),
        status: { confirmed: true, block_height: b.height, block_hash: hash, block_time: b.time },
        value: 10_000,
      },
      { txid: second, vout: voutOf(second, addr), status: { confirmed: false }, value: 20_000 },
    ]);
    expect(await getJson(`/address/${addr}/utxo`)).toEqual(utxos);
    expect(await getJson("/mempool/txids")).toEqual(chain.mempoolTxids());

    const fees = await getJson("/fee-estimates");
    expect(Object.keys(fees)).toHaveLength(28); // 1..25, 144, 504, 1008
    expect(fees).toMatchObject({ "1": expect.any(Number), "1008": expect.any(Number) });
  });

  it("accepts a transaction with POST /tx and rejects what the chain rejects with 400", async () => {
    // An anyone-can-spend P2WSH (OP_TRUE) output, so the test can spend it without keys.
    const redeem = { output: script.compile([opcodes.OP_TRUE]) };
    const p2wsh = payments.p2wsh({ redeem, network: chain.network });
    const parent = chain.sendToAddress(p2wsh.address!, 30_000n);
    const child = new Transaction();
    child.version = 2;
    child.addInput(Buffer.from(parent, "hex").reverse(), voutOf(parent, p2wsh.address!));
    child.addOutput(address.toOutputScript(freshAddress(), chain.network), 28_000n);
    child.setWitness(0, [redeem.output]);

    const accepted = await fetch(`${server.url}/tx`, { method: "POST", body: child.toHex() });
    expect({ status: accepted.status, text: await accepted.text() }).toEqual({ status: 200, text: child.getId() });
    expect(chain.mempoolTxids()).toContain(child.getId());
    const served = await getJson(`/tx/${child.getId()}`);
    expect(served.vin[0]).toMatchObject({ witness: [hex(redeem.output)], inner_witnessscript_asm: "OP_PUSHNUM_1" });

    const garbage = await fetch(`${server.url}/tx`, { method: "POST", body: "00" });
    expect(garbage.status).toBe(400);
    expect(await garbage.text()).toMatch(/^sendrawtransaction RPC error: \{"code":-22,"message":"TX decode failed/);
  });

  it("answers errors in esplora's words, and the fault knobs", async () => {
    expect(await get("/nope")).toMatchObject({ status: 404, text: 'endpoint does not exist "/nope"' });
    expect(await get(`/tx/${"ab".repeat(32)}`)).toMatchObject({ status: 404, text: "Transaction not found" });
    expect(await get(`/block/${"ab".repeat(32)}`)).toMatchObject({ status: 404, text: "Block not found" });
    expect(await get("/block-height/99999")).toMatchObject({ status: 404, text: "Block not found" });
    expect(await get("/tx/xyz")).toMatchObject({ status: 400, text: "Invalid hex string" });
    expect(await get("/address/bc1nope/txs")).toMatchObject({ status: 400, text: "Invalid Bitcoin address" });

    chain.faults.rateLimited = true;
    const limited = await fetch(`${server.url}/blocks/tip/hash`);
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("1");
    chain.faults.rateLimited = false;
    chain.faults.lagMs = 150;
    const started = Date.now();
    await getText("/blocks/tip/hash");
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });
});

describe("EsploraSource", () => {
  it("follows a payment from the mempool into a block, reading the tip last", async () => {
    const { source: s } = source();
    const addr = freshAddress();
    const watched = watch(addr);
    const other = watch(freshAddress());
    const empty = await s.snapshot([watched, other]);
    expect(empty.outputs).toEqual(
      new Map([
        [watched.scriptPubKeyHex, []],
        [other.scriptPubKeyHex, []],
      ]),
    );

    const txid = chain.sendToAddress(addr, 123_456n);
    const output = { txid, vout: voutOf(txid, addr), scriptPubKeyHex: watched.scriptPubKeyHex, valueSats: 123_456n };
    expect(await outputsOf(s, watched)).toEqual([{ ...output, block: null }]);

    const [hash] = mine();
    const height = chain.blockByHash(hash!)!.height;
    const snapshot = await s.snapshot([watched]);
    expect(snapshot.tip).toEqual({ height, hash });
    expect(snapshot.outputs.get(watched.scriptPubKeyHex)).toEqual([{ ...output, block: { height, hash } }]);
    expect(await s.tip()).toEqual({ height, hash });
  });

  it("pages through more than 25 confirmed transactions to one script", async () => {
    const { source: s, requests } = source();
    const addr = freshAddress();
    const watched = watch(addr);
    const { txids } = payMany(addr, 30, 10); // 3 blocks of 10
    const pending = [chain.sendToAddress(addr, 7_000n), chain.sendToAddress(addr, 8_000n)];

    const outputs = (await outputsOf(s, watched))!;
    expect(outputs).toHaveLength(32);
    for (const txid of [...txids, ...pending]) {
      const where = chain.getTx(txid)!.block;
      const found = outputs.find((o) => o.txid === txid);
      expect(found?.block).toEqual(where && { height: where.height, hash: where.hash });
    }
    expect(outputs.find((o) => o.txid === txids[0])!.valueSats).toBe(10_000n);
    const sh = esploraScripthash(watched.scriptPubKeyHex);
    const pages = requests.filter((r) => r.path.startsWith(`/scripthash/${sh}`)).map((r) => r.path);
    // /txs: 2 mempool + 25 confirmed; one more page from the 25th (the oldest block's 6th tx).
    expect(pages).toEqual([`/scripthash/${sh}/txs`, `/scripthash/${sh}/txs/chain/${txids[5]}`]);
  });

  it("finds mempool outputs beyond esplora's 50-transaction mempool listing through /utxo", async () => {
    const { source: s, requests } = source();
    const addr = freshAddress();
    const watched = watch(addr);
    const txids = Array.from({ length: 55 }, (_, i) => chain.sendToAddress(addr, BigInt(5_000 + i)));
    const outputs = (await outputsOf(s, watched))!;
    expect(outputs.map((o) => o.txid).sort()).toEqual([...txids].sort());
    expect(outputs.every((o) => o.block === null)).toBe(true);
    const sh = esploraScripthash(watched.scriptPubKeyHex);
    expect(requests.map((r) => r.path).filter((p) => p.startsWith(`/scripthash/${sh}`))).toEqual([
      `/scripthash/${sh}/txs`,
      `/scripthash/${sh}/txs/chain`,
      `/scripthash/${sh}/txs/mempool`,
      `/scripthash/${sh}/utxo`,
    ]);
    mine();
  });

  it("shows only the replacement of a bumped transaction", async () => {
    const { source: s } = source();
    const addr = freshAddress();
    const watched = watch(addr);
    const original = chain.sendToAddress(addr, 40_000n);
    expect((await outputsOf(s, watched))!.map((o) => o.txid)).toEqual([original]);

    const bump = chain.bumpFee(original);
    expect(await outputsOf(s, watched)).toEqual([
      {
        txid: bump.txid,
        vout: voutOf(bump.txid, addr),
        scriptPubKeyHex: watched.scriptPubKeyHex,
        valueSats: 40_000n,
        block: null,
      },
    ]);
  });

  it("moves an output when its block is invalidated and the transaction is mined again", async () => {
    const { source: s } = source();
    const addr = freshAddress();
    const watched = watch(addr);
    const txid = chain.sendToAddress(addr, 70_000n);
    const [first] = mine();
    const height = chain.blockByHash(first!)!.height;
    expect((await outputsOf(s, watched))![0]!.block).toEqual({ height, hash: first });

    chain.invalidateBlock(first!);
    const back = await s.snapshot([watched]);
    expect(back.tip.height).toBe(height - 1);
    expect(back.outputs.get(watched.scriptPubKeyHex)).toEqual([expect.objectContaining({ txid, block: null })]);

    const [second] = mine();
    expect(second).not.toBe(first);
    expect((await outputsOf(s, watched))![0]!.block).toEqual({ height, hash: second });
  });

  it("takes the snapshot again when a reorg cuts the history paging short", async () => {
    const addr = freshAddress();
    const watched = watch(addr);
    const { txids, blocks } = payMany(addr, 30, 10);
    let reorged = false;
    // Real responses; the only interference is invalidating the oldest of the 3 blocks (and so the
    // other two) just before the second page is asked for, whose `last_seen` then leaves the chain.
    const { source: s, requests } = source({
      fetch: (input, init) => {
        if (!reorged && String(input).includes("/txs/chain/")) {
          reorged = true;
          chain.invalidateBlock(blocks[0]!);
        }
        return fetch(input, init);
      },
    });
    const outputs = (await outputsOf(s, watched))!;
    expect(reorged).toBe(true);
    // Back in the mempool: the oldest block's payments. The later ones left altogether: their
    // anti-fee-sniping locktime is not final on the shorter chain (Core drops them the same way).
    const survivors = txids.filter((txid) => chain.getTx(txid) !== undefined);
    expect(survivors.length).toBeGreaterThan(0);
    expect(outputs.map((o) => o.txid).sort()).toEqual(survivors.sort());
    expect(outputs.every((o) => o.block === null)).toBe(true);
    const sh = esploraScripthash(watched.scriptPubKeyHex);
    expect(requests.filter((r) => r.path === `/scripthash/${sh}/txs`)).toHaveLength(2);
    mine(); // put them back into a block for the tests after this one
  });

  it("keeps at most `concurrency` requests in flight", async () => {
    let inFlight = 0;
    let most = 0;
    const { source: s } = source({
      concurrency: 3,
      fetch: async (input, init) => {
        most = Math.max(most, ++inFlight);
        try {
          return await fetch(input, init);
        } finally {
          inFlight--;
        }
      },
    });
    chain.faults.lagMs = 10;
    const scripts = Array.from({ length: 12 }, () => watch(freshAddress()));
    const snapshot = await s.snapshot(scripts);
    expect(snapshot.outputs.size).toBe(12);
    expect(most).toBe(3);
  });

  it("backs off on HTTP 429 and succeeds once the limit lifts", async () => {
    const { source: s, requests } = source({ maxBackoffMs: 50 });
    const addr = freshAddress();
    const watched = watch(addr);
    const txid = chain.sendToAddress(addr, 30_000n);
    chain.faults.rateLimited = true;
    const started = Date.now();
    setTimeout(() => {
      chain.faults.rateLimited = false;
    }, 300);
    const outputs = await outputsOf(s, watched);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(outputs).toEqual([expect.objectContaining({ txid, valueSats: 30_000n, block: null })]);
    const limited = requests.filter((r) => r.status === 429);
    // Waits of at most 50 ms over 300 ms: several retries, but not a busy loop.
    expect(limited.length).toBeGreaterThanOrEqual(2);
    expect(limited.length).toBeLessThanOrEqual(10);
  });

  it("gives up with a ChainSourceError when the rate limit does not lift", async () => {
    const { source: s, requests } = source({ maxBackoffMs: 20, maxRateLimitRetries: 2 });
    chain.faults.rateLimited = true;
    const error = await s.tip().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChainSourceError);
    expect(error).toMatchObject({ message: expect.stringMatching(/rate limited/), retryAfterMs: 20 });
    expect(requests).toHaveLength(3);
  });

  it("throws ChainSourceError when the server cannot be reached or does not answer in time", async () => {
    const gone = await startEsploraServer(chain);
    await gone.close();
    const { source: unreachable } = source({ baseUrl: gone.url });
    await expect(unreachable.snapshot([watch(freshAddress())])).rejects.toBeInstanceOf(ChainSourceError);
    await expect(unreachable.tip()).rejects.toThrow(
      /^esplora: GET http:\/\/127\.0\.0\.1:\d+\/blocks\/tip\/hash failed/,
    );

    expect(() => new EsploraSource({ baseUrl: "blockstream.info/api" })).toThrow(TypeError); // a config error

    chain.faults.lagMs = 500;
    const { source: slow } = source({ timeoutMs: 100 });
    await expect(slow.tip()).rejects.toThrow(/no answer within 100 ms/);
  });

  it("hints at a new block from a tip poll, only while someone listens", async () => {
    const { source: s, requests } = source({ pollIntervalMs: 20 });
    const hints: ChainHint[] = [];
    const off = s.onHint((hint) => hints.push(hint));
    await eventually(() => (requests.some((r) => r.status === 200) ? true : undefined)); // the baseline
    await sleep(30);
    expect(hints).toEqual([]);
    mine();
    await eventually(() => hints[0]);
    expect(hints[0]).toEqual({ kind: "block" });
    expect(new Set(requests.map((r) => r.path))).toEqual(new Set(["/blocks/tip/hash"]));

    off();
    await sleep(30); // a poll in flight when `off` ran may still finish
    const count = requests.length;
    await sleep(100);
    expect(requests.length).toBe(count);
  });
});
