import { Block } from "bitcoinjs-lib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDevChain, type DevChainImpl } from "../../../src/chain/devchain/chain.js";
import { type RpcServer, startRpcServer } from "../../../src/chain/devchain/rpc-server.js";
import { type JsonNumber, parseJsonExact } from "../../../src/chain/json-exact.js";
import { TestKey } from "./test-key.js";

let chain: DevChainImpl;
let server: RpcServer;
let endpoint: string;
const AUTH = `Basic ${Buffer.from("alice:s3cret").toString("base64")}`;

beforeAll(async () => {
  chain = createDevChain();
  server = await startRpcServer(chain, { port: 0, user: "alice", password: "s3cret" });
  // fetch refuses URLs with credentials: send them as a header, as RPC clients do.
  const url = new URL(server.url);
  expect(url.username).toBe("alice");
  url.username = "";
  url.password = "";
  endpoint = url.href;
});
afterAll(() => server.close());

async function post(body: string, auth = AUTH): Promise<{ status: number; text: string }> {
  const res = await fetch(endpoint, { method: "POST", headers: { Authorization: auth }, body });
  return { status: res.status, text: await res.text() };
}

/** One call; `json` parses numbers as JS numbers (for ints and strings), `text` is the raw answer. */
async function call(method: string, params: unknown[] | Record<string, unknown> = []) {
  const { status, text } = await post(JSON.stringify({ jsonrpc: "1.0", id: "t", method, params }));
  const json = JSON.parse(text) as { result: unknown; error: { code: number; message: string } | null; id: unknown };
  return { status, text, ...json };
}

async function result<T = unknown>(method: string, params: unknown[] | Record<string, unknown> = []): Promise<T> {
  const answer = await call(method, params);
  if (answer.error) throw new Error(`${method}: ${answer.error.code} ${answer.error.message}`);
  return answer.result as T;
}

describe("devchain RPC: HTTP and JSON-RPC framing", () => {
  it("answers 401 without valid credentials, like Core", async () => {
    const none = await fetch(endpoint, { method: "POST", body: '{"method":"getblockcount"}' });
    expect(none.status).toBe(401);
    expect(none.headers.get("www-authenticate")).toBe('Basic realm="jsonrpc"');
    const wrong = await post('{"method":"getblockcount"}', `Basic ${Buffer.from("alice:nope").toString("base64")}`);
    expect(wrong.status).toBe(401);
  });

  it("answers an unknown method with 404 and -32601", async () => {
    const answer = await call("nosuchmethod");
    expect(answer.status).toBe(404);
    expect(JSON.parse(answer.text)).toEqual({
      result: null,
      error: { code: -32601, message: "Method not found" },
      id: "t",
    });
  });

  it("answers other errors with 500 and Core's code", async () => {
    const answer = await call("getblockhash", [100_000]);
    expect(answer.status).toBe(500);
    expect(answer.error).toEqual({ code: -8, message: "Block height out of range" });
    const parse = await post("{nope");
    expect(parse.status).toBe(500);
    expect(JSON.parse(parse.text).error.code).toBe(-32700);
  });

  it("runs batches in order, with per-call errors, under HTTP 200", async () => {
    const { status, text } = await post(
      JSON.stringify([
        { id: 1, method: "getblockcount", params: [] },
        { id: 2, method: "getblockhash", params: [0] },
        { id: 3, method: "nosuchmethod", params: [] },
        { id: 4, method: "getbestblockhash" },
      ]),
    );
    expect(status).toBe(200);
    const answers = JSON.parse(text) as Array<{ id: number; result: unknown; error: unknown }>;
    expect(answers.map((a) => a.id)).toEqual([1, 2, 3, 4]);
    expect(answers[0]!.result).toBe(chain.tip().height);
    expect(answers[1]!.result).toBe("0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206");
    expect(answers[2]!.error).toEqual({ code: -32601, message: "Method not found" });
    expect(answers[3]!.result).toBe(chain.tip().hash);
  });

  it("accepts named parameters", async () => {
    expect(await result("getblockhash", { height: 1 })).toBe(chain.blockAtHeight(1)!.hash);
  });

  it("honours the rateLimited and lagMs faults", async () => {
    chain.faults.rateLimited = true;
    try {
      const limited = await post('{"method":"getblockcount"}');
      expect(limited.status).toBe(429);
    } finally {
      chain.faults.rateLimited = false;
    }
    chain.faults.lagMs = 150;
    try {
      const started = Date.now();
      await result("getblockcount");
      expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    } finally {
      chain.faults.lagMs = 0;
    }
  });
});

describe("devchain RPC: chain and wallet", () => {
  it("has a premined, spendable wallet", async () => {
    expect(await result("getblockcount")).toBe(101);
    expect((await call("getbalance")).text).toContain('"result":50.00000000');
    const info = await result<Record<string, unknown>>("getblockchaininfo");
    expect(info).toMatchObject({ chain: "regtest", blocks: 101, bestblockhash: chain.tip().hash });
  });

  it("sendtoaddress -> mempool -> generatetoaddress -> confirmations", async () => {
    const to = await result<string>("getnewaddress");
    expect(to).toMatch(/^bcrt1q/);
    const txid = await result<string>("sendtoaddress", [to, 0.5]);
    expect(await result("getrawmempool")).toEqual([txid]);
    const entry = await result<Record<string, unknown>>("getmempoolentry", [txid]);
    expect(entry).toMatchObject({ ancestorcount: 1, depends: [], "bip125-replaceable": true });
    const unconfirmed = await result<Record<string, unknown>>("getrawtransaction", [txid, true]);
    expect(unconfirmed.confirmations).toBeUndefined();
    expect(unconfirmed.blockhash).toBeUndefined();

    const [hash] = await result<string[]>("generatetoaddress", [1, to]);
    expect(await result("getrawmempool")).toEqual([]);
    const confirmed = await result<Record<string, unknown>>("getrawtransaction", [txid, 1]);
    expect(confirmed).toMatchObject({ txid, blockhash: hash, confirmations: 1, time: chain.tip().time });
    expect(confirmed.blocktime).toBe(confirmed.time);
    await result("generatetoaddress", [2, to]);
    expect(await result("getrawtransaction", [txid, true])).toMatchObject({ confirmations: 3 });
    expect(await result("getrawtransaction", [txid, false])).toBe(chain.getTx(txid)!.hex);
    expect(await result("getrawtransaction", [txid, 0, hash])).toBe(chain.getTx(txid)!.hex);

    const vout = (confirmed.vout as Array<{ value: number; n: number; scriptPubKey: Record<string, unknown> }>).find(
      (o) => o.scriptPubKey.address === to,
    )!;
    expect(vout.scriptPubKey.type).toBe("witness_v0_keyhash");
    expect(vout.scriptPubKey.desc).toMatch(new RegExp(`^addr\\(${to}\\)#[a-z0-9]{8}$`));
    expect(await result("gettxout", [txid, vout.n])).toMatchObject({ confirmations: 3, value: 0.5, coinbase: false });
  });

  it("serves blocks at every verbosity, consistent with the header and a bitcoinjs round trip", async () => {
    const hash = await result<string>("getbestblockhash");
    const hex = await result<string>("getblock", [hash, 0]);
    const block = Block.fromHex(hex);
    expect(block.getId()).toBe(hash);
    expect(block.checkProofOfWork() && block.checkTxRoots()).toBe(true);
    expect(await result("getblockheader", [hash, false])).toBe(block.toHex(true));
    const v1 = await result<Record<string, unknown>>("getblock", [hash]);
    expect(v1).toMatchObject({ hash, height: chain.tip().height, confirmations: 1, bits: "207fffff", nTx: 1 });
    expect(v1.tx).toEqual([block.transactions![0]!.getId()]);
    expect(v1.previousblockhash).toBe(chain.blockAtHeight(chain.tip().height - 1)!.hash);
    const header = await result<Record<string, unknown>>("getblockheader", [hash]);
    expect(header.merkleroot).toBe(v1.merkleroot);
    const prev = await result<Record<string, unknown>>("getblockheader", [v1.previousblockhash]);
    expect(prev.nextblockhash).toBe(hash);
    const v2 = await result<{ tx: Array<Record<string, unknown>> }>("getblock", [hash, 2]);
    expect(v2.tx[0]).toMatchObject({ txid: block.transactions![0]!.getId(), hex: block.transactions![0]!.toHex() });
    expect((v2.tx[0]!.vin as Array<Record<string, unknown>>)[0]!.coinbase).toBeTypeOf("string");
    expect((await call("getblock", ["00".repeat(32)])).error).toEqual({ code: -5, message: "Block not found" });
  });

  it("bumpfee replaces the transaction in the mempool", async () => {
    const to = await result<string>("getnewaddress");
    const txid = await result<string>("sendtoaddress", [to, 1]);
    const bumped = await call("bumpfee", [txid]);
    const parsed = parseJsonExact(bumped.text) as { result: { txid: string; origfee: JsonNumber; fee: JsonNumber } };
    expect(Object.keys(parsed.result)).toEqual(["txid", "origfee", "fee", "errors"]);
    expect(parsed.result.fee.text).toMatch(/^0\.\d{8}$/);
    expect(BigInt(parsed.result.fee.text.replace(".", ""))).toBeGreaterThan(
      BigInt(parsed.result.origfee.text.replace(".", "")),
    );
    expect(await result("getrawmempool")).toEqual([parsed.result.txid]);
    expect((await call("getmempoolentry", [txid])).error).toEqual({ code: -5, message: "Transaction not in mempool" });
    const verbose = await result<Record<string, unknown>>("getrawmempool", [true]);
    expect(Object.keys(verbose)).toEqual([parsed.result.txid]);
    await result("generatetoaddress", [1, to]);
  });

  it("refuses a double spend without a higher fee with -26", async () => {
    const key = new TestKey(chain.network);
    const funding = await result<string>("sendtoaddress", [key.address, 0.001]);
    await result("generatetoaddress", [1, await result<string>("getnewaddress")]);
    const vout = chain.getTx(funding)!.tx.outs.findIndex((o) => Buffer.from(o.script).equals(key.script));
    const coin = { txid: funding, vout, valueSats: 100_000n };
    const first = key.spend([coin], [{ script: key.script, valueSats: 90_000n }]);
    expect(await result("sendrawtransaction", [first.toHex()])).toBe(first.getId());
    const rival = key.spend([coin], [{ script: new TestKey(chain.network).script, valueSats: 90_000n }]);
    const answer = await call("sendrawtransaction", [rival.toHex()]);
    expect(answer.status).toBe(500);
    expect(answer.error!.code).toBe(-26);
    expect(answer.error!.message).toMatch(/^insufficient fee, rejecting replacement/);
    expect((await call("sendrawtransaction", ["zz"])).error!.code).toBe(-22);
    const greedy = key.spend([coin], [{ script: key.script, valueSats: 1_000n }]); // ~900 sat/vB
    expect((await call("sendrawtransaction", [greedy.toHex(), 0.001])).error).toEqual({
      code: -25,
      message: "Fee exceeds maximum configured by user (e.g. -maxtxfee, maxfeerate)",
    });
    await result("generatetoaddress", [1, await result<string>("getnewaddress")]);
    expect((await call("sendrawtransaction", [first.toHex()])).error).toEqual({
      code: -27,
      message: "Transaction already in block chain",
    });
  });

  it("refuses to spend an immature coinbase", async () => {
    const key = new TestKey(chain.network);
    const [hash] = await result<string[]>("generatetoaddress", [1, key.address]);
    const coinbase = chain.blockByHash(hash!)!.txids[0]!;
    const spend = key.spend(
      [{ txid: coinbase, vout: 0, valueSats: 50n * 100_000_000n }],
      [{ script: key.script, valueSats: 100_000n }],
    );
    const answer = await call("sendrawtransaction", [spend.toHex()]);
    expect(answer.error!.code).toBe(-26);
    expect(answer.error!.message).toMatch(/^bad-txns-premature-spend-of-coinbase/);
  });

  it("invalidateblock returns transactions to the mempool; new blocks form the best chain", async () => {
    const to = await result<string>("getnewaddress");
    const txid = await result<string>("sendtoaddress", [to, 0.25]);
    const [a1] = await result<string[]>("generatetoaddress", [2, to]);
    expect(await result("invalidateblock", [a1])).toBeNull();
    expect(await result("getrawmempool")).toEqual([txid]);
    expect(await result("getblockheader", [a1])).toMatchObject({ confirmations: -1 });
    const mempoolTx = await result<Record<string, unknown>>("getrawtransaction", [txid, true]);
    expect(mempoolTx.blockhash).toBeUndefined();
    const stale = await result<Record<string, unknown>>("getrawtransaction", [txid, true, a1]);
    expect(stale).toMatchObject({ in_active_chain: false, blockhash: a1, confirmations: 0 });

    const [b1] = await result<string[]>("generatetoaddress", [3, to]);
    expect(b1).not.toBe(a1);
    expect(await result("getrawtransaction", [txid, true])).toMatchObject({ blockhash: b1, confirmations: 3 });
    expect(await result("reconsiderblock", [a1])).toBeNull();
    expect(await result("getbestblockhash")).not.toBe(a1); // the old branch is shorter: no switch
  });

  it("estimatesmartfee answers Core's shape", async () => {
    const fee = await call("estimatesmartfee", [6]);
    expect(fee.text).toMatch(/"result":\{"feerate":0\.\d{8},"blocks":6\}/);
    expect((await call("estimatesmartfee", [0])).error!.code).toBe(-8);
  });
});

describe("devchain RPC: exact amounts", () => {
  it("sends one satoshi, given as a number or as a string", async () => {
    const to = await result<string>("getnewaddress");
    for (const amount of ["0.00000001", '"0.00000001"', "1e-8"]) {
      const { text } = await post(`{"id":1,"method":"sendtoaddress","params":["${to}",${amount}]}`);
      const txid = (JSON.parse(text) as { result: string }).result;
      expect(chain.getTx(txid)!.tx.outs[0]!.value).toBe(1n);
      const raw = await call("getrawtransaction", [txid, true]);
      expect(raw.text).toContain('{"value":0.00000001,"n":0');
    }
  });

  it("keeps amounts a double cannot hold", async () => {
    chain.generateToAddress(500, await result<string>("getnewaddress")); // enough mature coinbases
    const to = await result<string>("getnewaddress");
    const { text } = await post(`{"id":1,"method":"sendtoaddress","params":["${to}",9999.99999999]}`);
    const txid = (JSON.parse(text) as { result: string }).result;
    expect(chain.getTx(txid)!.tx.outs[0]!.value).toBe(999_999_999_999n);
    expect((await call("gettxout", [txid, 0])).text).toContain('"value":9999.99999999,');
    // 20999999.99999999 parses exactly (the wallet just does not have that much).
    const big = await post(`{"id":1,"method":"sendtoaddress","params":["${to}",20999999.99999999]}`);
    expect(JSON.parse(big.text).error).toEqual({ code: -6, message: "Insufficient funds" });
    const fine = await post(`{"id":1,"method":"sendtoaddress","params":["${to}",0.000000001]}`);
    expect(JSON.parse(fine.text).error).toEqual({ code: -3, message: "Invalid amount" });
    const id = await post('{"id":12345678901234567890,"method":"getblockcount"}');
    expect(id.text).toMatch(/"id":12345678901234567890\}/);
  });
});
