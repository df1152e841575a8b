import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { BIP32Factory } from "bip32";
import { address, payments, script, Transaction } from "bitcoinjs-lib";
import * as ecc from "tiny-secp256k1";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { btcAmountSats } from "../../src/chain/bitcoind-json.js";
import { BitcoindAuthError, BitcoindRpc, BitcoindRpcError } from "../../src/chain/bitcoind-rpc.js";
import { BitcoindSource, type BitcoindSourceOptions } from "../../src/chain/bitcoind-source.js";
import { type ChainHint, ChainSourceError, type WatchedScript } from "../../src/chain/chain-source.js";
import { createDevChain, type DevChainImpl } from "../../src/chain/devchain/chain.js";
import { type RpcServer, startRpcServer } from "../../src/chain/devchain/rpc-server.js";
import { JsonNumber, parseJsonExact } from "../../src/chain/json-exact.js";
import { MempoolView } from "../../src/chain/mempool-view.js";
import { eventually } from "../helpers/eventually.js";

const vectors = JSON.parse(readFileSync(new URL("../fixtures/btc-amount-vectors.json", import.meta.url), "utf8")) as {
  valid: Array<{ description: string; literal: string; sats: string }>;
  invalid: Array<{ description: string; literal: string }>;
};

interface Node {
  chain: DevChainImpl;
  server: RpcServer;
  miner: string;
  /** devchain's clock, unix seconds; tests move it to give blocks the times they need. */
  clock: { now: number };
}

const realNow = () => Math.floor(Date.now() / 1000);
const DAY_S = 24 * 60 * 60;

/** A devchain whose 101 premined blocks are a month old (so `since` walks stop there) and its RPC server. */
async function startNode(): Promise<Node> {
  const clock = { now: realNow() - 30 * DAY_S };
  const chain = createDevChain({ now: () => clock.now });
  clock.now = realNow();
  const server = await startRpcServer(chain, { port: 0 });
  return { chain, server, miner: chain.getNewAddress(), clock };
}

let node: Node;
const closers: Array<() => Promise<void> | void> = [];

beforeAll(async () => {
  node = await startNode();
});
afterEach(async () => {
  Object.assign(node.chain.faults, { dropNotifications: false, rateLimited: false, lagMs: 0 });
  while (closers.length > 0) await closers.pop()!();
});
afterAll(() => node.server.close());

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");
const scriptOf = (addr: string, n = node) => hex(address.toOutputScript(addr, n.chain.network));
/** An address nobody holds a key for: the devchain wallet never spends from it. */
const freshAddress = (n = node) => payments.p2wpkh({ hash: randomBytes(20), network: n.chain.network }).address!;
const watch = (addr: string, since = new Date(Date.now() - 60_000), n = node): WatchedScript => ({
  scriptPubKeyHex: scriptOf(addr, n),
  address: addr,
  since,
});
const mine = (count = 1, n = node) => n.chain.generateToAddress(count, n.miner);
const voutOf = (txid: string, addr: string, n = node) =>
  n.chain.getTx(txid)!.tx.outs.findIndex((o) => hex(o.script) === scriptOf(addr, n));
const tipOf = (n = node) => ({ height: n.chain.tip().height, hash: n.chain.tip().hash });

/** A BitcoindSource over real HTTP; `methods` logs the RPC methods of every request (batches flattened). */
function source(opts: Partial<BitcoindSourceOptions> = {}, n = node) {
  const methods: string[] = [];
  const inner = opts.fetch ?? fetch;
  const logging: typeof fetch = async (input, init) => {
    const body = JSON.parse(String(init?.body)) as { method: string } | Array<{ method: string }>;
    methods.push(...(Array.isArray(body) ? body : [body]).map((c) => c.method));
    return inner(input, init);
  };
  const s = new BitcoindSource({ url: n.server.url, timeoutMs: 5_000, pollIntervalMs: 20, ...opts, fetch: logging });
  closers.push(() => s.close());
  return { source: s, methods };
}
async function outputsOf(s: BitcoindSource, watched: WatchedScript) {
  return (await s.snapshot([watched])).outputs.get(watched.scriptPubKeyHex);
}

/** Pays `addr` twice in ONE transaction (the devchain wallet pays one output per call): a key of our own spends a coin. */
function payTwiceInOneTx(addr: string, firstSats: bigint, secondSats: bigint): string {
  const { chain } = node;
  const key = BIP32Factory(ecc).fromSeed(randomBytes(32), chain.network);
  const own = payments.p2wpkh({ pubkey: key.publicKey, network: chain.network });
  const fundTxid = chain.sendToAddress(own.address!, firstSats + secondSats + 10_000n);
  const fund = chain.getTx(fundTxid)!.tx;
  const vout = fund.outs.findIndex((o) => hex(o.script) === hex(own.output!));
  const tx = new Transaction();
  tx.version = 2;
  tx.addInput(fund.getHash(), vout, 0xfffffffd);
  tx.addOutput(address.toOutputScript(addr, chain.network), firstSats);
  tx.addOutput(address.toOutputScript(addr, chain.network), secondSats);
  const scriptCode = payments.p2pkh({ pubkey: key.publicKey }).output!;
  const sighash = tx.hashForWitnessV0(0, scriptCode, fund.outs[vout]!.value, Transaction.SIGHASH_ALL);
  tx.setWitness(0, [script.signature.encode(key.sign(sighash), Transaction.SIGHASH_ALL), key.publicKey]);
  return chain.sendRawTransaction(tx.toHex());
}

describe("exact BTC amounts", () => {
  for (const v of vectors.valid) {
    it(`reads ${v.description} (${v.literal})`, () => {
      expect(btcAmountSats(new JsonNumber(v.literal), "value")).toBe(BigInt(v.sats));
      // Through the parser too: the literal must reach the conversion untouched.
      const parsed = parseJsonExact(`{"vout":[{"value":${v.literal}}]}`) as { vout: Array<{ value: unknown }> };
      expect(btcAmountSats(parsed.vout[0]!.value, "value")).toBe(BigInt(v.sats));
    });
  }
  for (const v of vectors.invalid) {
    it(`refuses ${v.description} (${v.literal})`, () => {
      expect(() => btcAmountSats(new JsonNumber(v.literal), "vout[0].value")).toThrow(ChainSourceError);
      expect(() => btcAmountSats(new JsonNumber(v.literal), "vout[0].value")).toThrow(/vout\[0\]\.value/);
    });
  }
  it("refuses an amount sent as a string", () => {
    expect(() => btcAmountSats("0.1", "value")).toThrow(ChainSourceError);
  });
});

describe("MempoolView", () => {
  it("matches a newly watched script by whole script only, never inside a longer one", () => {
    const view = new MempoolView();
    const txid = "11".repeat(32);
    const long = `0014${"ab".repeat(20)}`;
    const inner = "ab".repeat(20); // the tail of `long`
    view.add(txid, [{ vout: 0, scriptPubKeyHex: long, valueSats: 5n }], new Set());
    view.watch(new Set([inner, long.slice(0, 10)]));
    expect([...view.outputs()]).toEqual([]);
    view.watch(new Set([long]));
    expect([...view.outputs()]).toEqual([{ txid, vout: 0, scriptPubKeyHex: long, valueSats: 5n, block: null }]);
    expect(view.takeChanged()).toEqual(new Set([long]));
    expect(view.sync([])).toEqual([]);
    expect([...view.outputs()]).toEqual([]);
    expect(view.takeChanged()).toEqual(new Set([long])); // its payment left the mempool
  });
});

describe("BitcoindRpc", () => {
  const rpc = (url = node.server.url, opts: { timeoutMs?: number; fetch?: typeof fetch } = {}) =>
    new BitcoindRpc({ url, timeoutMs: 5_000, ...opts });
  const withPassword = (password: string) => {
    const url = new URL(node.server.url);
    url.password = password;
    return url.toString();
  };

  it("calls with Basic auth from the URL and keeps numbers exact", async () => {
    const count = await rpc().call("getblockcount");
    expect(count).toBeInstanceOf(JsonNumber);
    expect((count as JsonNumber).toNumber()).toBe(node.chain.tip().height);
  });

  it("answers a batch in call order, with per-call errors as typed values", async () => {
    const tip = node.chain.tip();
    const outcomes = await rpc().batch([
      { method: "getblockhash", params: [tip.height] },
      { method: "getblockhash", params: [tip.height + 1000] },
      { method: "getbestblockhash" },
    ]);
    expect(outcomes[0]).toEqual({ ok: true, result: tip.hash });
    expect(outcomes[1]!.ok).toBe(false);
    expect(!outcomes[1]!.ok && outcomes[1]!.error).toMatchObject({ code: -8, method: "getblockhash" });
    expect(outcomes[2]).toEqual({ ok: true, result: tip.hash });
    expect(await rpc().batch([])).toEqual([]);
  });

  it("turns Core's error object into a BitcoindRpcError with its code", async () => {
    const error = await rpc()
      .call("getrawtransaction", ["00".repeat(32), true])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BitcoindRpcError);
    expect(error).toBeInstanceOf(ChainSourceError); // the watcher retries it like any backend failure
    expect(error).toMatchObject({ code: -5, method: "getrawtransaction" });
    await expect(rpc().call("nosuchmethod")).rejects.toMatchObject({ code: -32601 });
  });

  it("says clearly that the password is wrong, without echoing it", async () => {
    const error = await rpc(withPassword("not-the-password"))
      .call("getblockcount")
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BitcoindAuthError);
    expect((error as Error).message).toMatch(/refused the credentials \(HTTP 401\).*user and password/);
    expect((error as Error).message).not.toContain("not-the-password");
  });

  it("reports rate limiting (HTTP 429) as a ChainSourceError with a retry delay", async () => {
    node.chain.faults.rateLimited = true;
    const error = await rpc()
      .call("getblockcount")
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChainSourceError);
    expect((error as Error).message).toMatch(/HTTP 429/);
    expect((error as ChainSourceError).retryAfterMs).toBeGreaterThanOrEqual(0);
  });

  it("times out a slow node and reports an unreachable one", async () => {
    node.chain.faults.lagMs = 500;
    await expect(rpc(node.server.url, { timeoutMs: 50 }).call("getblockcount")).rejects.toThrow(
      /did not answer getblockcount within 50 ms/,
    );
    node.chain.faults.lagMs = 0;
    await expect(rpc("http://u:p@127.0.0.1:1/").call("getblockcount")).rejects.toThrow(/could not be reached/);
  });

  it("handles Core's other HTTP answers (500 with an envelope, busy 503, garbage)", async () => {
    const answer =
      (body: string, status: number, headers: Record<string, string> = {}): typeof fetch =>
      async () =>
        new Response(body, { status, headers });
    const envelope = '{"result":null,"error":{"code":-28,"message":"Loading block index..."},"id":1}';
    await expect(rpc(node.server.url, { fetch: answer(envelope, 500) }).call("getblockcount")).rejects.toMatchObject({
      name: "BitcoindRpcError",
      code: -28,
    });
    const busy = await rpc(node.server.url, { fetch: answer("Work queue depth exceeded", 503, { "retry-after": "3" }) })
      .call("getblockcount")
      .catch((e: unknown) => e);
    expect(busy).toMatchObject({ name: "ChainSourceError", retryAfterMs: 3000 });
    expect((busy as Error).message).toMatch(/busy \(HTTP 503: Work queue depth exceeded\)/);
    await expect(rpc(node.server.url, { fetch: answer("<html>", 502) }).call("getblockcount")).rejects.toThrow(
      /answered HTTP 502/,
    );
    await expect(rpc(node.server.url, { fetch: answer("<html>", 200) }).call("getblockcount")).rejects.toThrow(
      /not JSON/,
    );
  });

  it("refuses a URL without credentials or an invalid one at construction, never echoing it", () => {
    expect(() => new BitcoindRpc({ url: "http://127.0.0.1:18443/" })).toThrow(/no credentials/);
    const error = (() => {
      try {
        new BitcoindRpc({ url: "http://user:s3cret@[bad/" });
      } catch (e) {
        return e as Error;
      }
    })();
    expect(error?.message).toMatch(/not a valid URL/);
    expect(JSON.stringify({ ...error, message: error?.message })).not.toContain("s3cret");
  });
});

describe("BitcoindSource", () => {
  it("sees a mempool payment, then its confirmation with the block's height and hash", async () => {
    const { source: s } = source();
    const addr = freshAddress();
    const txid = node.chain.sendToAddress(addr, 310_521n);
    const snap = await s.snapshot([watch(addr)]);
    expect(snap.outputs.get(scriptOf(addr))).toEqual([
      { txid, vout: voutOf(txid, addr), scriptPubKeyHex: scriptOf(addr), valueSats: 310_521n, block: null },
    ]);
    expect(snap.tip).toEqual(tipOf());

    const [hash] = mine();
    const confirmed = await s.snapshot([watch(addr)]);
    expect(confirmed.outputs.get(scriptOf(addr))).toEqual([
      { txid, vout: voutOf(txid, addr), scriptPubKeyHex: scriptOf(addr), valueSats: 310_521n, block: tipOf() },
    ]);
    expect(confirmed.tip).toEqual({ height: node.chain.tip().height, hash });
  });

  it("answers every asked script, paid or not, and nothing else", async () => {
    const { source: s } = source();
    const paid = freshAddress();
    const unpaid = freshAddress();
    node.chain.sendToAddress(paid, 10_000n);
    const snap = await s.snapshot([watch(paid), watch(unpaid)]);
    expect([...snap.outputs.keys()].sort()).toEqual([scriptOf(paid), scriptOf(unpaid)].sort());
    expect(snap.outputs.get(scriptOf(unpaid))).toEqual([]);
    expect((await s.snapshot([watch(unpaid)])).outputs.size).toBe(1);
    expect((await s.snapshot([])).outputs.size).toBe(0);
  });

  it("returns both outputs when one transaction pays the same script twice", async () => {
    const { source: s } = source();
    const addr = freshAddress();
    const txid = payTwiceInOneTx(addr, 20_000n, 30_000n);
    const sorted = async () => (await outputsOf(s, watch(addr)))!.map((o) => [o.txid, o.vout, o.valueSats, o.block]);
    expect(await sorted()).toEqual([
      [txid, 0, 20_000n, null],
      [txid, 1, 30_000n, null],
    ]);
    mine();
    expect(await sorted()).toEqual([
      [txid, 0, 20_000n, tipOf()],
      [txid, 1, 30_000n, tipOf()],
    ]);
  });

  it("follows a fee bump: the replaced transaction is gone, its replacement present", async () => {
    const { source: s } = source();
    const addr = freshAddress();
    const original = node.chain.sendToAddress(addr, 40_000n);
    expect((await outputsOf(s, watch(addr)))!.map((o) => o.txid)).toEqual([original]);
    const { txid: replacement } = node.chain.bumpFee(original);
    expect(await outputsOf(s, watch(addr))).toEqual([
      {
        txid: replacement,
        vout: voutOf(replacement, addr),
        scriptPubKeyHex: scriptOf(addr),
        valueSats: 40_000n,
        block: null,
      },
    ]);
  });

  it("follows an invalidateblock reorg: back to the mempool, then mined in a different block", async () => {
    const { source: s } = source();
    const addr = freshAddress();
    const txid = node.chain.sendToAddress(addr, 50_000n);
    const [first] = mine();
    mine(2); // the reorg is three blocks deep
    const before = (await outputsOf(s, watch(addr)))!;
    expect(before.map((o) => o.block?.hash)).toEqual([first]);

    node.chain.invalidateBlock(first!);
    const back = await s.snapshot([watch(addr)]);
    expect(back.outputs.get(scriptOf(addr))!.map((o) => [o.txid, o.block])).toEqual([[txid, null]]);
    expect(back.tip).toEqual(tipOf());
    expect(back.tip.height).toBe(before[0]!.block!.height - 1);

    const [again] = node.chain.generateToAddress(1, freshAddress());
    expect(again).not.toBe(first);
    const remined = await s.snapshot([watch(addr)]);
    expect(remined.outputs.get(scriptOf(addr))!.map((o) => [o.txid, o.block])).toEqual([
      [txid, { height: before[0]!.block!.height, hash: again }],
    ]);
    expect(remined.tip).toEqual(tipOf());
  });

  it("drops an output whose transaction a reorg removed entirely", async () => {
    const { source: s } = source();
    const addr = freshAddress();
    const txid = node.chain.sendToAddress(addr, 60_000n);
    const [block] = mine();
    expect((await outputsOf(s, watch(addr)))!.map((o) => o.block?.hash)).toEqual([block]);
    node.chain.invalidateBlock(block!);
    node.chain.removeFromMempool(txid);
    mine(2);
    const snap = await s.snapshot([watch(addr)]);
    expect(snap.outputs.get(scriptOf(addr))).toEqual([]);
    expect(snap.tip).toEqual(tipOf());
  });

  it("goes round again when a block arrives during the snapshot, so a payment is never missing", async () => {
    const addr = freshAddress();
    const txid = node.chain.sendToAddress(addr, 15_000n);
    // The payment is mined after the blocks were scanned and before the mempool is read.
    let minedIn: string | undefined;
    const { source: s } = source({
      fetch: async (input, init) => {
        if (minedIn === undefined && String(init?.body).includes('"getrawmempool"')) [minedIn] = mine();
        return fetch(input, init);
      },
    });
    const snap = await s.snapshot([watch(addr)]);
    expect(snap.outputs.get(scriptOf(addr))!.map((o) => [o.txid, o.block?.hash])).toEqual([[txid, minedIn]]);
    expect(snap.tip).toEqual(tipOf());

    const { source: restless } = source({
      fetch: async (input, init) => {
        if (String(init?.body).includes('"getrawmempool"')) mine();
        return fetch(input, init);
      },
    });
    await expect(restless.snapshot([watch(addr)])).rejects.toThrow(/kept changing during 3 snapshot attempts/);
  });

  it("a new instance (restart) finds a payment confirmed before it started", async () => {
    const addr = freshAddress();
    const txid = node.chain.sendToAddress(addr, 70_000n);
    const [block] = mine();
    mine(3);
    const { source: s } = source();
    expect(await outputsOf(s, watch(addr, new Date(Date.now() - 10 * 60_000)))).toEqual([
      {
        txid,
        vout: voutOf(txid, addr),
        scriptPubKeyHex: scriptOf(addr),
        valueSats: 70_000n,
        block: { height: node.chain.tip().height - 3, hash: block },
      },
    ]);
  });

  it("finds a payment made before its script was first asked for, in the mempool and in recent blocks", async () => {
    // recentBlocks: every block of this test file stays in memory, however many tests mined before.
    const { source: s, methods } = source({ recentBlocks: 1000 });
    const other = freshAddress();
    await s.snapshot([watch(other)]); // the mempool view and the block index exist before `late` is paid
    const late = freshAddress();
    const inMempool = node.chain.sendToAddress(late, 11_000n);
    await s.snapshot([watch(other)]);
    expect((await outputsOf(s, watch(late)))!.map((o) => [o.txid, o.block])).toEqual([[inMempool, null]]);

    const lateToo = freshAddress();
    const mined = node.chain.sendToAddress(lateToo, 12_000n);
    mine();
    await s.snapshot([watch(other), watch(late)]);
    methods.length = 0;
    const snap = await s.snapshot([watch(other), watch(late), watch(lateToo)]);
    expect(snap.outputs.get(scriptOf(lateToo))!.map((o) => [o.txid, o.block])).toEqual([[mined, tipOf()]]);
    // Recent blocks are kept compactly in memory: a new script costs no getblock.
    expect(methods).not.toContain("getblock");

    // Without that memory (recentBlocks 1) the block is fetched again and the answer is the same.
    const { source: forgetful, methods: fetched } = source({ recentBlocks: 1 });
    await forgetful.snapshot([watch(other)]);
    mine();
    await forgetful.snapshot([watch(other)]);
    fetched.length = 0;
    const again = await forgetful.snapshot([watch(other), watch(lateToo)]);
    expect(again.outputs.get(scriptOf(lateToo))!.map((o) => o.txid)).toEqual([mined]);
    expect(fetched).toContain("getblock");
  });

  it("keeps a steady snapshot cheap: no block or transaction is fetched twice", async () => {
    const { source: s, methods } = source();
    const addr = freshAddress();
    node.chain.sendToAddress(addr, 13_000n);
    await s.snapshot([watch(addr)]);
    methods.length = 0;
    await s.snapshot([watch(addr)]);
    expect(methods).toEqual(["getblockcount", "getblockhash", "getrawmempool", "getbestblockhash"]);
    mine();
    methods.length = 0;
    await s.snapshot([watch(addr)]);
    expect(methods.filter((m) => m === "getblock")).toHaveLength(1);
    expect(methods).not.toContain("getrawtransaction");
  });

  it("reports a wrong password clearly and rate limiting with a retry delay", async () => {
    const url = new URL(node.server.url);
    url.password = "wrong";
    const { source: s } = source({ url: url.toString() });
    await expect(s.snapshot([watch(freshAddress())])).rejects.toBeInstanceOf(BitcoindAuthError);
    await expect(s.tip()).rejects.toThrow(/HTTP 401/);

    const { source: limited } = source();
    node.chain.faults.rateLimited = true;
    const error = await limited.snapshot([watch(freshAddress())]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChainSourceError);
    expect((error as ChainSourceError).retryAfterMs).toBeGreaterThanOrEqual(0);
    node.chain.faults.rateLimited = false;
    expect((await limited.snapshot([watch(freshAddress())])).tip).toEqual(tipOf());
  });

  it("hints at new blocks and at mempool payments to watched scripts, and stops on close", async () => {
    const { source: s } = source({ pollIntervalMs: 20 });
    const addr = freshAddress();
    await s.snapshot([watch(addr)]);
    const hints: ChainHint[] = [];
    const off = s.onHint((h) => hints.push(h));
    await sleep(60); // the first polls set the baseline

    node.chain.sendToAddress(addr, 14_000n);
    await eventually(() => hints.find((h) => h.kind === "script"));
    expect(hints).toContainEqual({ kind: "script", scriptPubKeyHex: scriptOf(addr) });

    const [hash] = mine();
    await eventually(() => hints.find((h) => h.kind === "block"));
    expect(hints).toContainEqual({ kind: "block", height: node.chain.blockByHash(hash!)!.height });

    off();
    hints.length = 0;
    mine();
    await sleep(80);
    expect(hints).toEqual([]);

    s.onHint((h) => hints.push(h));
    await s.close();
    mine();
    await sleep(80);
    expect(hints).toEqual([]);
    await expect(s.snapshot([watch(addr)])).rejects.toThrow(/closed/);
  });
});

describe("BitcoindSource: where a script's scan starts", () => {
  let old: Node;
  let paidLongAgo: { addr: string; txid: string; block: string; time: number };
  let paidRecently: { addr: string; txid: string; block: string; time: number };

  beforeAll(async () => {
    old = await startNode();
    const payAt = (secondsAgo: number) => {
      old.clock.now = realNow() - secondsAgo;
      const addr = freshAddress(old);
      const txid = old.chain.sendToAddress(addr, 80_000n);
      const [block] = mine(1, old);
      return { addr, txid, block: block!, time: old.clock.now };
    };
    paidLongAgo = payAt(10 * 60 * 60);
    paidRecently = payAt(60 * 60);
    old.clock.now = realNow();
    mine(2, old);
  });
  afterAll(() => old.server.close());

  const found = async (s: BitcoindSource, addr: string, sinceUnix: number) =>
    (await outputsOf(s, watch(addr, new Date(sinceUnix * 1000), old)))!.map((o) => o.txid);

  it("finds payments in blocks up to 2 h older than `since` (block-time skew)", async () => {
    const { source: s } = source({}, old);
    expect(await found(s, paidLongAgo.addr, paidLongAgo.time + 60 * 60)).toEqual([paidLongAgo.txid]);
    expect(await found(s, paidRecently.addr, paidRecently.time - 60)).toEqual([paidRecently.txid]);
  });

  it("does not look further back than `since` - 2 h", async () => {
    const { source: s, methods } = source({}, old);
    expect(await found(s, paidLongAgo.addr, paidLongAgo.time + 3 * 60 * 60)).toEqual([]);
    // It stopped at the first block older than the threshold instead of reading the month-old premine.
    expect(methods.filter((m) => m === "getblock").length).toBeLessThanOrEqual(4);
  });

  it("looks back at most maxRescanBlocks", async () => {
    const { source: s } = source({ maxRescanBlocks: 3 }, old);
    const since = paidLongAgo.time - 60;
    const snap = await s.snapshot([
      watch(paidLongAgo.addr, new Date(since * 1000), old),
      watch(paidRecently.addr, new Date(since * 1000), old),
    ]);
    expect(snap.outputs.get(scriptOf(paidLongAgo.addr, old))).toEqual([]); // 4 blocks deep
    expect(snap.outputs.get(scriptOf(paidRecently.addr, old))!.map((o) => o.txid)).toEqual([paidRecently.txid]);
  });
});
