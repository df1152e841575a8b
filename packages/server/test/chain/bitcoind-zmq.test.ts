import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { address, payments } from "bitcoinjs-lib";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { Subscriber } from "zeromq";
import { BitcoindSource } from "../../src/chain/bitcoind-source.js";
import type { ChainHint, ChainSnapshot, WatchedScript } from "../../src/chain/chain-source.js";
import { type DevNode, startDevNode } from "../../src/chain/devchain/dev-node.js";
import { type CoreRpc, coreRpc } from "./helpers/core-rpc.js";
import { startWatchHarness } from "./helpers/watch-harness.js";

// Bitcoin Core's ZMQ notifications: devchain's publisher speaks Core's wire format (read here with a
// plain zeromq Subscriber), and the bitcoind adapter turns them into push hints.

let node: DevNode;
let rpc: CoreRpc;
let zmqUrl: string;
const closers: Array<() => Promise<void> | void> = [];

beforeAll(async () => {
  node = await startDevNode({ zmq: true });
  rpc = coreRpc(node.rpc.url);
  zmqUrl = node.zmq!.url;
});
afterEach(async () => {
  node.chain.faults.dropNotifications = false;
  while (closers.length > 0) await closers.pop()!();
});
afterAll(() => node?.close());

/** An address nobody holds a key for: paying it pays nothing the devchain wallet or btpay knows. */
const freshAddress = () => payments.p2wpkh({ hash: randomBytes(20), network: node.chain.network }).address!;
const scriptOf = (addr: string) => Buffer.from(address.toOutputScript(addr, node.chain.network)).toString("hex");

/** Resolves once `ready()` holds, checking every 5 ms; fails after `ms`. */
async function until(ready: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms: ${what}`);
    await sleep(5);
  }
}

/**
 * ZMQ subscriptions reach the publisher a moment after connecting (the "slow joiner"), and what is
 * published before is lost: mines a block at a time until `arrived` says its notification came.
 */
async function untilSubscribed(arrived: (blockHash: string) => boolean): Promise<void> {
  for (let i = 0; i < 50; i++) {
    const [hash] = await rpc.mine(1);
    const deadline = Date.now() + 100;
    while (Date.now() < deadline) {
      if (arrived(hash!)) return;
      await sleep(5);
    }
  }
  throw new Error("the ZMQ subscription never became live");
}

interface ZmqMessage {
  frames: number;
  topic: string;
  body: Buffer;
  sequence: number;
}

/** A plain zeromq Subscriber on devchain's publisher; `next(topic)` takes that topic's next message. */
async function rawSubscriber() {
  const socket = new Subscriber({ linger: 0 });
  socket.connect(zmqUrl);
  socket.subscribe("hashblock", "rawtx");
  const inbox: ZmqMessage[] = [];
  const reading = (async () => {
    for await (const frames of socket) {
      const [topic, body, sequence] = frames;
      inbox.push({
        frames: frames.length,
        topic: topic!.toString(),
        body: body!,
        sequence: sequence!.length === 4 ? sequence!.readUInt32LE(0) : -1,
      });
    }
  })();
  closers.push(async () => {
    socket.close();
    await reading;
  });
  await untilSubscribed((hash) => inbox.some((m) => m.topic === "hashblock" && m.body.toString("hex") === hash));
  inbox.length = 0; // every message of the blocks mined so far has come (one connection keeps order)
  return {
    async next(topic: string): Promise<ZmqMessage> {
      await until(() => inbox.some((m) => m.topic === topic), 1_000, `a ${topic} message`);
      return inbox.splice(
        inbox.findIndex((m) => m.topic === topic),
        1,
      )[0]!;
    },
    inbox,
  };
}

/** A BitcoindSource with ZMQ and (practically) no RPC hint poll, watching `watched`, its hints collected. */
async function zmqSource(watched: string[] = []) {
  const source = new BitcoindSource({ url: node.rpc.url, zmqUrl, pollIntervalMs: 3_600_000 });
  closers.push(() => source.close());
  await source.snapshot(watched.map((a) => ({ scriptPubKeyHex: scriptOf(a), address: a, since: new Date() })));
  const hints: ChainHint[] = [];
  source.onHint((hint) => hints.push(hint));
  await untilSubscribed(() => hints.some((h) => h.kind === "block"));
  await sleep(50); // a block hint of an earlier warm-up block may have come first
  hints.length = 0;
  return { source, hints };
}

/** Tells which scripts its snapshots were taken for, and since when no snapshot runs. */
class ObservedSource extends BitcoindSource {
  readonly watched = new Set<string>();
  private running = 0;
  private lastDone = 0;

  override async snapshot(scripts: readonly WatchedScript[]): Promise<ChainSnapshot> {
    this.running++;
    try {
      const snapshot = await super.snapshot(scripts);
      for (const s of scripts) this.watched.add(s.scriptPubKeyHex);
      return snapshot;
    } finally {
      this.running--;
      this.lastDone = Date.now();
    }
  }

  idleFor(ms: number): boolean {
    return this.running === 0 && Date.now() - this.lastDone >= ms;
  }
}

describe("devchain's ZMQ publisher", () => {
  it("publishes Core's [topic, body, sequence]: hashblock in RPC byte order, rawtx as raw bytes", async () => {
    const sub = await rawSubscriber();
    const [blockHash] = await rpc.mine(1);
    const coinbase = await sub.next("rawtx");
    const block = await sub.next("hashblock");
    expect(block.frames).toBe(3);
    expect(block.body).toHaveLength(32);
    expect(block.body.toString("hex")).toBe(blockHash);
    expect(block.body.toString("hex")).toBe(await rpc.bestBlockHash());
    const { tx } = await rpc.call<{ tx: string[] }>("getblock", [blockHash, 1]);
    expect(coinbase.frames).toBe(3);
    expect(coinbase.body.toString("hex")).toBe(await rpc.call("getrawtransaction", [tx[0], false, blockHash]));

    // A transaction entering the mempool, then the same transaction again in its block (as Core does).
    const txid = await rpc.pay(freshAddress(), 10_000n);
    const rawHex = await rpc.call<string>("getrawtransaction", [txid]);
    const entered = await sub.next("rawtx");
    expect(entered.body.toString("hex")).toBe(rawHex);
    const [nextHash] = await rpc.mine(1);
    const mined = [await sub.next("rawtx"), await sub.next("rawtx")];
    const nextBlock = await sub.next("hashblock");
    expect(mined[1]!.body.toString("hex")).toBe(rawHex);
    expect(nextBlock.body.toString("hex")).toBe(nextHash);

    // One counter per topic, each going up by one per message.
    expect([coinbase, entered, ...mined].map((m) => m.sequence - coinbase.sequence)).toEqual([0, 1, 2, 3]);
    expect(nextBlock.sequence).toBe(block.sequence + 1);
    expect(sub.inbox).toEqual([]);
  });
});

describe("BitcoindSource with zmqUrl", () => {
  it("a script hint within 200 ms of a payment to a watched script; none for an unrelated payment", async () => {
    const watched = freshAddress();
    const { hints } = await zmqSource([watched]);

    await rpc.pay(freshAddress(), 10_000n);
    await sleep(300);
    expect(hints).toEqual([]);

    const sent = Date.now();
    await rpc.pay(watched, 10_000n);
    await until(() => hints.length > 0, 200, "a script hint");
    expect(Date.now() - sent).toBeLessThanOrEqual(200);
    expect(hints).toEqual([{ kind: "script", scriptPubKeyHex: scriptOf(watched) }]);
  });

  it("a block hint on generatetoaddress", async () => {
    const { hints } = await zmqSource([freshAddress()]);
    await rpc.mine(1);
    await until(() => hints.length > 0, 200, "a block hint");
    await sleep(100);
    expect(hints).toEqual([{ kind: "block" }]); // the coinbase pays nothing watched
  });

  it("a gap in the sequence (lost messages) becomes a block hint", async () => {
    const { hints } = await zmqSource([freshAddress()]);
    node.chain.faults.dropNotifications = true;
    await rpc.pay(freshAddress(), 10_000n); // its rawtx is lost
    node.chain.faults.dropNotifications = false;
    await sleep(100);
    expect(hints).toEqual([]);
    await rpc.pay(freshAddress(), 10_000n); // unrelated, but its sequence number skips one
    await until(() => hints.length > 0, 200, "a block hint");
    expect(hints).toEqual([{ kind: "block" }]);
  });

  it("the watcher marks an invoice paid within 2 s from the push alone (no poll, no tick)", async () => {
    let source: ObservedSource | undefined;
    // The harness's watcher polls every 10 minutes; tick() is never called here.
    const h = await startWatchHarness(() => {
      source = new ObservedSource({ url: node.rpc.url, zmqUrl, pollIntervalMs: 3_600_000 });
      return source;
    });
    closers.push(() => h.close());
    const inv = await h.invoice("10.00");
    // Only a hint can make the watcher take a pass now, and with the RPC poll off only ZMQ hints
    // come: a pass that watches the new invoice's script means the subscription is live. Once that
    // pass is over and the watcher idles, only a hint can wake it again.
    await untilSubscribed(() => source!.watched.has(scriptOf(inv.address)));
    await until(() => source!.idleFor(200), 5_000, "the watcher idle");

    await rpc.pay(inv.address, inv.dueSats);
    const paidBy = Date.now() + 2_000;
    let status = "";
    while (status !== "paid" && Date.now() < paidBy) {
      status = (await h.get(inv.ref)).status;
      if (status !== "paid") await sleep(25);
    }
    expect(status).toBe("paid");
  });
});
