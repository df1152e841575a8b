/**
 * devchain's ZMQ notifications, as Bitcoin Core publishes them with `-zmqpubhashblock` and
 * `-zmqpubrawtx` on one address: multipart messages [topic, body, sequence], where sequence is a
 * per-topic uint32 little-endian counter (wrapping at 2^32).
 * - `rawtx`: the serialized transaction (witness included), for each transaction entering the
 *   mempool, for each transaction of a connected block, and of a disconnected block (as Core does);
 * - `hashblock`: the 32-byte block hash in display (RPC) order, Core's reversed internal bytes.
 *   Core sends one per tip update; devchain sends one per connected block (a reorg connecting several
 *   blocks sends several), which subscribers treating it as a hint cannot tell apart.
 * `faults.dropNotifications` drops messages but still counts them, like a full high-water mark in
 * Core: subscribers see the gap in the sequence.
 * zeromq is imported when the publisher starts, so devchain without ZMQ never loads its native addon.
 */
import type { DevChain, DevChainEvent } from "./types.js";

export interface ZmqPublisherOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
}

export interface ZmqPublisher {
  /** `tcp://127.0.0.1:28332`: what Core's `-zmqpub*=` options and BTPAY_BITCOIND_ZMQ take. */
  url: string;
  close(): Promise<void>;
}

export async function startZmqPublisher(chain: DevChain, opts: ZmqPublisherOptions = {}): Promise<ZmqPublisher> {
  const { Publisher } = await import("zeromq");
  const socket = new Publisher({ linger: 0 });
  await socket.bind(`tcp://${opts.host ?? "127.0.0.1"}:${opts.port ? opts.port : "*"}`);
  const url = socket.lastEndpoint as string;
  const sequences = new Map<string, number>();
  // zeromq allows one send in progress per socket; a PUB socket never blocks, so this queue stays short.
  let sending: Promise<void> = Promise.resolve();

  function publish(topic: "hashblock" | "rawtx", body: Uint8Array): void {
    const sequence = sequences.get(topic) ?? 0;
    sequences.set(topic, (sequence + 1) >>> 0);
    if (chain.faults.dropNotifications) return;
    const sequenceLe = Buffer.alloc(4);
    sequenceLe.writeUInt32LE(sequence);
    const frames = [Buffer.from(topic), body, sequenceLe];
    sending = sending.then(() => socket.send(frames)).catch(() => undefined);
  }

  function onEvent(event: DevChainEvent): void {
    switch (event.type) {
      case "tx":
        publish("rawtx", event.tx.toBuffer());
        return;
      case "block":
        for (const tx of event.block.block.transactions ?? []) publish("rawtx", tx.toBuffer());
        publish("hashblock", Buffer.from(event.block.hash, "hex"));
        return;
      case "reorg":
        for (const hash of event.disconnected) {
          for (const tx of chain.blockByHash(hash)?.block.transactions ?? []) publish("rawtx", tx.toBuffer());
        }
        return;
      case "tx-removed":
        return; // Core's `rawtx` says nothing about evictions (its `sequence` topic does).
    }
  }

  const unsubscribe = chain.subscribe(onEvent);
  return {
    url,
    async close() {
      unsubscribe();
      await sending;
      socket.close();
    },
  };
}
