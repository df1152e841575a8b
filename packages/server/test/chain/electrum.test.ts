import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { type AddressInfo, connect, createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { address, opcodes, payments, script, Transaction } from "bitcoinjs-lib";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type ChainHint, ChainSourceError, type WatchedScript } from "../../src/chain/chain-source.js";
import { createDevChain } from "../../src/chain/devchain/chain.js";
import { type ElectrumServer, startElectrumServer } from "../../src/chain/devchain/electrum-server.js";
import type { DevChain } from "../../src/chain/devchain/types.js";
import { ElectrumClient, ElectrumRpcError, ElectrumTransportError } from "../../src/chain/electrum-client.js";
import { ElectrumSource } from "../../src/chain/electrum-source.js";
import { scripthash } from "../../src/chain/scripthash.js";
import { eventually } from "../helpers/eventually.js";

let chain: DevChain;
let server: ElectrumServer;
let miner: string;
const closers: Array<() => Promise<void> | void> = [];

beforeAll(async () => {
  chain = createDevChain();
  miner = chain.getNewAddress();
  chain.generateToAddress(101, miner); // one mature coinbase for the wallet to spend
  server = await startElectrumServer(chain);
});
afterEach(async () => {
  Object.assign(chain.faults, { dropNotifications: false, rateLimited: false, lagMs: 0 });
  while (closers.length > 0) await closers.pop()!();
});
afterAll(() => server.close());

const sha256 = (data: string | Buffer) => createHash("sha256").update(data).digest();
const headerHash = (hex: string) =>
  sha256(sha256(Buffer.from(hex, "hex")))
    .reverse()
    .toString("hex");
const scriptOf = (addr: string) => Buffer.from(address.toOutputScript(addr, chain.network)).toString("hex");
const watch = (addr: string): WatchedScript => ({ scriptPubKeyHex: scriptOf(addr), address: addr, since: new Date(0) });
const mine = (count = 1) => chain.generateToAddress(count, miner);

function client(opts: Partial<ConstructorParameters<typeof ElectrumClient>[0]> = {}): ElectrumClient {
  const c = new ElectrumClient({ host: server.host, port: server.port, ...opts });
  closers.push(() => c.close());
  return c;
}
function source(opts: Partial<ConstructorParameters<typeof ElectrumSource>[0]> = {}) {
  const s = new ElectrumSource({ host: server.host, port: server.port, requestTimeoutMs: 5_000, ...opts });
  const hints: ChainHint[] = [];
  s.onHint((hint) => hints.push(hint));
  closers.push(() => s.close());
  return { source: s, hints };
}

/** A raw TCP connection, to see exactly what goes over the wire. */
async function raw(port = server.port) {
  const socket: Socket = connect({ host: "127.0.0.1", port });
  await new Promise((resolve) => socket.once("connect", resolve));
  socket.setEncoding("utf8");
  const lines: unknown[] = [];
  let buffer = "";
  socket.on("data", (chunk: string) => {
    buffer += chunk;
    const parts = buffer.split("\n");
    buffer = parts.pop()!;
    for (const part of parts) lines.push(JSON.parse(part));
  });
  closers.push(() => void socket.destroy());
  return {
    write: (text: string) => socket.write(text),
    next: () => eventually(() => lines.shift()),
  };
}

describe("devchain Electrum server", () => {
  it("answers the handshake, batches and errors as JSON-RPC 2.0 lines", async () => {
    const wire = await raw();
    // One request split over two writes, then two requests in one write.
    wire.write('{"jsonrpc":"2.0","method":"server.ver');
    wire.write('sion","params":["test","1.4"],"id":1}\n');
    expect(await wire.next()).toEqual({ jsonrpc: "2.0", result: ["devchain 0.1", "1.4"], id: 1 });
    wire.write(
      '{"jsonrpc":"2.0","method":"server.ping","params":[],"id":2}\n{"jsonrpc":"2.0","method":"nope","id":3}\n',
    );
    expect(await wire.next()).toEqual({ jsonrpc: "2.0", result: null, id: 2 });
    expect(await wire.next()).toMatchObject({ jsonrpc: "2.0", error: { code: -32601 }, id: 3 });

    wire.write('[{"jsonrpc":"2.0","method":"server.features","params":[],"id":4},');
    wire.write('{"jsonrpc":"2.0","method":"blockchain.block.header","params":[0],"id":5}]\n');
    const [features, genesis] = (await wire.next()) as Array<{ result: Record<string, unknown> & string }>;
    expect(features!.result).toMatchObject({ genesis_hash: chain.blockAtHeight(0)!.hash, protocol_max: "1.4" });
    expect(headerHash(genesis!.result)).toBe(chain.blockAtHeight(0)!.hash);

    wire.write("{not json\n");
    expect(await wire.next()).toMatchObject({ error: { code: -32700 }, id: null });
  });

  it("serves header ranges", async () => {
    const c = client();
    const tip = chain.tip().height;
    const answer = await c.request<{ count: number; hex: string; max: number }>("blockchain.block.headers", [1, 3]);
    expect(answer.count).toBe(3);
    expect(headerHash(answer.hex.slice(160, 320))).toBe(chain.blockAtHeight(2)!.hash);
    const end = await c.request<{ count: number }>("blockchain.block.headers", [tip, 10]);
    expect(end.count).toBe(1);
    await expect(c.request("blockchain.block.header", [tip + 1])).rejects.toBeInstanceOf(ElectrumRpcError);
  });

  it("answers the tip on headers.subscribe and notifies each new tip", async () => {
    const c = client();
    const notified: unknown[][] = [];
    c.onNotification((method, params) => method === "blockchain.headers.subscribe" && notified.push(params));
    const first = await c.request<{ height: number; hex: string }>("blockchain.headers.subscribe");
    expect(first.height).toBe(chain.tip().height);
    expect(headerHash(first.hex)).toBe(chain.tip().hash);

    const [hash] = mine();
    const [params] = await eventually(() => notified[0]);
    expect(params).toMatchObject({ height: first.height + 1 });
    expect(headerHash((params as { hex: string }).hex)).toBe(hash);
  });

  it("computes the scripthash status as the Electrum spec does, and notifies changes", async () => {
    const c = client();
    const addr = chain.getNewAddress();
    const sh = scripthash(scriptOf(addr));
    const notified: unknown[][] = [];
    c.onNotification((method, params) => method === "blockchain.scripthash.subscribe" && notified.push(params));
    expect(await c.request("blockchain.scripthash.subscribe", [sh])).toBeNull();

    const confirmed = chain.sendToAddress(addr, 50_000n);
    const [blockHash] = mine();
    const height = chain.blockByHash(blockHash!)!.height;
    const pending = chain.sendToAddress(addr, 20_000n);
    const hand = createHash("sha256").update(`${confirmed}:${height}:${pending}:0:`).digest("hex");

    expect(await c.request("blockchain.scripthash.subscribe", [sh])).toBe(hand);
    await eventually(() => notified.find(([, status]) => status === hand));
    expect(notified.every(([s]) => s === sh)).toBe(true);
    expect(await c.request("blockchain.scripthash.get_balance", [sh])).toEqual({
      confirmed: 50_000,
      unconfirmed: 20_000,
    });
    expect(await c.request("blockchain.scripthash.get_mempool", [sh])).toEqual([
      { tx_hash: pending, height: 0, fee: expect.any(Number) },
    ]);
  });

  it("orders history confirmed first, then mempool; -1 marks unconfirmed parents", async () => {
    const c = client();
    const target = chain.getNewAddress();
    const early = chain.sendToAddress(target, 10_000n);
    mine();
    const later = chain.sendToAddress(target, 11_000n);
    mine();
    // A mempool parent paying an anyone-can-spend P2WSH, and a child spending it to the target.
    const redeem = { output: script.compile([opcodes.OP_TRUE]) };
    const p2wsh = payments.p2wsh({ redeem, network: chain.network });
    const parent = chain.sendToAddress(p2wsh.address!, 30_000n);
    const parentTx = chain.getTx(parent)!.tx;
    const vout = parentTx.outs.findIndex((o) => Buffer.from(o.script).equals(Buffer.from(p2wsh.output!)));
    const child = new Transaction();
    child.version = 2;
    child.addInput(Buffer.from(parent, "hex").reverse(), vout);
    child.addOutput(address.toOutputScript(target, chain.network), 28_000n);
    child.setWitness(0, [redeem.output]);
    const childId = chain.sendRawTransaction(child.toHex());

    const history = await c.request<Array<{ tx_hash: string; height: number }>>("blockchain.scripthash.get_history", [
      scripthash(scriptOf(target)),
    ]);
    const h = chain.tip().height;
    expect(history.map(({ tx_hash, height }) => ({ tx_hash, height }))).toEqual([
      { tx_hash: early, height: h - 1 },
      { tx_hash: later, height: h },
      { tx_hash: childId, height: -1 },
    ]);
    const p2wshHistory = await c.request<Array<{ tx_hash: string; height: number }>>(
      "blockchain.scripthash.get_history",
      [scripthash(Buffer.from(p2wsh.output!).toString("hex"))],
    );
    expect(p2wshHistory.map(({ tx_hash, height }) => [tx_hash, height])).toEqual([
      [parent, 0],
      [childId, -1],
    ]);
  });

  it("shows only the replacement of a bumped transaction", async () => {
    const c = client();
    const addr = chain.getNewAddress();
    const original = chain.sendToAddress(addr, 40_000n);
    const bump = chain.bumpFee(original);
    const history = await c.request("blockchain.scripthash.get_history", [scripthash(scriptOf(addr))]);
    expect(history).toEqual([{ tx_hash: bump.txid, height: 0, fee: Number(bump.feeSats) }]);
    await expect(c.request("blockchain.transaction.get", [original])).rejects.toMatchObject({ code: 2 });
    expect(await c.request("blockchain.transaction.get", [bump.txid])).toBe(chain.getTx(bump.txid)!.hex);
  });

  it("broadcasts, and rejects what the chain rejects", async () => {
    const c = client();
    await expect(c.request("blockchain.transaction.broadcast", ["00"])).rejects.toMatchObject({ code: 1 });
    expect(await c.request("blockchain.relayfee")).toBe(0.00001);
    expect(await c.request("blockchain.estimatefee", [2])).toBeGreaterThan(0);
  });
});

describe("ElectrumSource", () => {
  it("follows a payment from the mempool into a block, and back out when the block is invalidated", async () => {
    const { source: s } = source();
    const addr = chain.getNewAddress();
    const watched = watch(addr);
    expect((await s.snapshot([watched])).outputs.get(watched.scriptPubKeyHex)).toEqual([]);

    const txid = chain.sendToAddress(addr, 123_456n);
    const pending = await s.snapshot([watched]);
    const vout = chain.getTx(txid)!.tx.outs.findIndex((o) => Buffer.from(o.script).toString("hex") === scriptOf(addr));
    expect(pending.outputs.get(watched.scriptPubKeyHex)).toEqual([
      { txid, vout, scriptPubKeyHex: watched.scriptPubKeyHex, valueSats: 123_456n, block: null },
    ]);

    const [hash] = mine();
    const confirmed = await s.snapshot([watched]);
    expect(confirmed.tip).toEqual({ height: chain.tip().height, hash: chain.tip().hash });
    expect(confirmed.outputs.get(watched.scriptPubKeyHex)![0]!.block).toEqual({ height: chain.tip().height, hash });

    chain.invalidateBlock(hash!);
    const reorged = await s.snapshot([watched]);
    expect(reorged.tip.hash).toBe(chain.tip().hash);
    expect(reorged.outputs.get(watched.scriptPubKeyHex)![0]).toMatchObject({ txid, block: null });

    const [replacement] = mine();
    const again = await s.snapshot([watched]);
    expect(replacement).not.toBe(hash);
    expect(again.outputs.get(watched.scriptPubKeyHex)![0]!.block).toEqual({
      height: chain.tip().height,
      hash: replacement,
    });
  });

  it("reads again when a block arrives in the middle of a snapshot", async () => {
    const { source: s } = source();
    const addr = chain.getNewAddress();
    const txid = chain.sendToAddress(addr, 31_000n);
    await s.snapshot([watch(addr)]);
    chain.faults.lagMs = 30; // each round trip takes 30 ms; the block lands during the second
    const reading = s.snapshot([watch(addr)]);
    await new Promise((r) => setTimeout(r, 45));
    const [hash] = mine();
    const snapshot = await reading;
    expect(snapshot.tip).toEqual({ height: chain.tip().height, hash });
    expect(snapshot.outputs.get(scriptOf(addr))!.map((o) => [o.txid, o.block])).toEqual([
      [txid, { height: chain.tip().height, hash }],
    ]);
  });

  it("drops a replaced transaction and shows its replacement", async () => {
    const { source: s } = source();
    const addr = chain.getNewAddress();
    const original = chain.sendToAddress(addr, 77_000n);
    expect((await s.snapshot([watch(addr)])).outputs.get(scriptOf(addr))!.map((o) => o.txid)).toEqual([original]);
    const { txid } = chain.bumpFee(original);
    const after = (await s.snapshot([watch(addr)])).outputs.get(scriptOf(addr))!;
    expect(after.map((o) => [o.txid, o.valueSats])).toEqual([[txid, 77_000n]]);
  });

  it("hints on blocks and payments, and stays correct when notifications are lost", async () => {
    const { source: s, hints } = source();
    const addr = chain.getNewAddress();
    await s.snapshot([watch(addr)]);
    chain.sendToAddress(addr, 5_000n);
    await eventually(() => hints.find((h) => h.kind === "script" && h.scriptPubKeyHex === scriptOf(addr)));
    mine();
    await eventually(() => hints.find((h) => h.kind === "block" && h.height === chain.tip().height));
    await new Promise((r) => setTimeout(r, 100)); // the confirmation's script hint is still on its way

    chain.faults.dropNotifications = true;
    hints.length = 0;
    const second = chain.sendToAddress(addr, 6_000n);
    await new Promise((r) => setTimeout(r, 200));
    expect(hints).toEqual([]);
    const outputs = (await s.snapshot([watch(addr)])).outputs.get(scriptOf(addr))!;
    expect(outputs.map((o) => o.txid)).toContain(second);
    expect(outputs).toHaveLength(2);
  });

  it("reconnects after the server drops it, re-subscribes, and snapshots again", async () => {
    const { source: s, hints } = source({ reconnectMinMs: 50 });
    const addr = chain.getNewAddress();
    await s.snapshot([watch(addr)]);
    server.dropConnections();
    await eventually(() => hints.find((h) => h.kind === "block" && h.height === undefined));
    // No snapshot in between: the notification proves the client re-sent the subscription itself.
    const txid = chain.sendToAddress(addr, 8_000n);
    await eventually(() => hints.find((h) => h.kind === "script"));
    expect((await s.snapshot([watch(addr)])).outputs.get(scriptOf(addr))!.map((o) => o.txid)).toEqual([txid]);
  });

  it("throws ChainSourceError when rate limited, too slow, or unreachable", async () => {
    const { source: s } = source({ requestTimeoutMs: 300 });
    const watched = watch(chain.getNewAddress());
    await s.snapshot([watched]);
    chain.faults.rateLimited = true;
    await expect(s.snapshot([watched])).rejects.toThrow(/excessive resource usage/);
    await expect(s.tip()).rejects.toBeInstanceOf(ChainSourceError);
    chain.faults.rateLimited = false;
    chain.faults.lagMs = 500;
    await expect(s.snapshot([watched])).rejects.toBeInstanceOf(ChainSourceError);
    chain.faults.lagMs = 0;
    expect((await s.snapshot([watched])).tip.hash).toBe(chain.tip().hash);

    const doomed = await startElectrumServer(chain);
    const { source: orphan } = source({ port: doomed.port, requestTimeoutMs: 300 });
    await orphan.tip();
    await doomed.close();
    await expect(orphan.snapshot([watched])).rejects.toBeInstanceOf(ChainSourceError);
  });

  it("speaks TLS to a server with a self-signed certificate", async () => {
    const dir = mkdtempSync(join(tmpdir(), "btpay-electrum-tls-"));
    closers.push(() => rmSync(dir, { recursive: true, force: true }));
    const [key, cert] = [join(dir, "key.pem"), join(dir, "cert.pem")];
    execFileSync(
      "openssl",
      ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-days", "1"].concat([
        "-keyout",
        key,
        "-out",
        cert,
      ]),
      { stdio: "ignore" },
    );
    const tlsServer = await startElectrumServer(chain, { tls: { key: readFileSync(key), cert: readFileSync(cert) } });
    closers.push(() => tlsServer.close());

    const { source: s } = source({ port: tlsServer.port, tls: { ca: readFileSync(cert), servername: "localhost" } });
    const addr = chain.getNewAddress();
    const txid = chain.sendToAddress(addr, 9_000n);
    const snapshot = await s.snapshot([watch(addr)]);
    expect(snapshot.tip.hash).toBe(chain.tip().hash);
    expect(snapshot.outputs.get(scriptOf(addr))!.map((o) => o.txid)).toEqual([txid]);

    // Without the certificate, verification fails and nothing is answered.
    const untrusting = client({ port: tlsServer.port, tls: true, requestTimeoutMs: 300 });
    await expect(untrusting.request("server.ping")).rejects.toBeInstanceOf(ElectrumTransportError);
  });
});

describe("ElectrumClient over a scripted server", () => {
  let fake: Server;
  let sockets: Socket[] = [];
  let received: string[] = [];
  beforeAll(async () => {
    fake = createServer((socket) => {
      sockets.push(socket);
      socket.setEncoding("utf8");
      socket.on("data", (chunk: string) => {
        for (const line of chunk.split("\n").filter(Boolean)) {
          received.push(line);
          const msg = JSON.parse(line) as { id: number; method: string };
          // Methods named slow.* are answered by the test itself, or never.
          if (msg.method.startsWith("slow.")) continue;
          const result = msg.method === "server.version" ? ["fake", "1.4"] : null;
          socket.write(`${JSON.stringify({ jsonrpc: "2.0", result, id: msg.id })}\n`);
        }
      });
    });
    await new Promise<void>((resolve) => fake.listen(0, "127.0.0.1", resolve));
  });
  afterEach(() => {
    for (const socket of sockets) socket.destroy();
    sockets = [];
    received = [];
  });
  afterAll(() => new Promise<void>((resolve) => fake.close(() => resolve())));
  const port = () => (fake.address() as AddressInfo).port;
  const idOf = (method: string) =>
    eventually(() => received.map((l) => JSON.parse(l)).find((m) => m.method === method)?.id);

  it("matches answers split across chunks and packed into one, and pings", async () => {
    const c = client({ port: port(), pingIntervalMs: 50 });
    const a = c.request("slow.one");
    const b = c.request("slow.two");
    const notes: unknown[] = [];
    c.onNotification((method, params) => notes.push([method, params]));
    const [idA, idB] = [await idOf("slow.one"), await idOf("slow.two")];
    const packed = `${JSON.stringify({ jsonrpc: "2.0", result: "B", id: idB })}\n${JSON.stringify({ jsonrpc: "2.0", method: "n.x", params: [1] })}\n`;
    const split = `${JSON.stringify({ jsonrpc: "2.0", result: "Ä", id: idA })}\n`;
    const bytes = Buffer.from(packed + split);
    // Cut in the middle of the two-byte "Ä" too.
    const cut = bytes.indexOf(Buffer.from("Ä")) + 1;
    sockets[0]!.write(bytes.subarray(0, cut));
    await new Promise((r) => setTimeout(r, 20));
    sockets[0]!.write(bytes.subarray(cut));
    expect(await b).toBe("B");
    expect(await a).toBe("Ä");
    expect(notes).toEqual([["n.x", [1]]]);
    await idOf("server.ping");
  });

  it("rejects requests in flight when the connection closes, then reconnects and re-subscribes", async () => {
    const c = client({ port: port(), reconnectMinMs: 20 });
    const connects: boolean[] = [];
    c.onConnect(({ reconnected }) => connects.push(reconnected));
    expect(await c.request("blockchain.scripthash.subscribe", ["ab"])).toBeNull();
    const lost = c.request("slow.call");
    await idOf("slow.call");
    sockets[0]!.destroy();
    await expect(lost).rejects.toBeInstanceOf(ElectrumTransportError);
    await eventually(() => (connects.length === 2 ? true : undefined));
    expect(connects).toEqual([false, true]);
    const resent = received.filter((l) => l.includes("blockchain.scripthash.subscribe"));
    expect(resent).toHaveLength(2);
    expect(JSON.parse(resent[1]!).params).toEqual(["ab"]);
  });
});
