/**
 * Push hints from Bitcoin Core's ZMQ notifications (`-zmqpubhashblock`, `-zmqpubrawtx`), beside the
 * RPC poll of bitcoind-hints.ts, which then only runs now and then as a safety net. Core sends
 * multipart messages [topic, body, sequence] (sequence: a per-topic uint32 little-endian counter):
 * - `hashblock` -> `{kind: "block"}`;
 * - `rawtx` -> `{kind: "script"}` for each watched script the transaction pays. Mainnet's mempool
 *   never stops, so transactions paying nothing watched wake nobody;
 * - a sequence that does not follow the previous one means messages were lost (a full high-water
 *   mark, a reconnect, a restarted node) -> `{kind: "block"}`, so the watcher re-reads everything.
 * zeromq reconnects by itself. Hints are only hints: a message that cannot be read is dropped, and
 * the subscriber runs only while someone listens. zeromq is imported then, so a node without ZMQ
 * never loads its native addon.
 */
import { Transaction } from "bitcoinjs-lib";
import type { Subscriber } from "zeromq";
import type { ChainHint } from "./chain-source.js";

export interface BitcoindZmqOptions {
  /** `tcp://host:port`, Core's `-zmqpubhashblock` and `-zmqpubrawtx` address (one for both). */
  url: string;
  /** Whether the adapter watches this script (as of its last snapshot). */
  watches: (scriptPubKeyHex: string) => boolean;
}

interface Session {
  socket?: Subscriber;
  stopped: boolean;
  done: Promise<void>;
}

const TOPICS = ["hashblock", "rawtx"] as const;

export class BitcoindZmq {
  private readonly listeners = new Set<(hint: ChainHint) => void>();
  private session: Session | undefined;
  private closed = false;

  constructor(private readonly opts: BitcoindZmqOptions) {}

  add(listener: (hint: ChainHint) => void): () => void {
    this.listeners.add(listener);
    if (!this.closed && this.session === undefined) this.start();
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) void this.stop();
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.listeners.clear();
    await this.stop();
  }

  private start(): void {
    const session: Session = { stopped: false, done: Promise.resolve() };
    // A failed subscriber ends silently: the RPC poll and the watcher's own poll still run.
    session.done = this.receive(session).catch(() => undefined);
    this.session = session;
  }

  private async stop(): Promise<void> {
    const session = this.session;
    this.session = undefined;
    if (!session) return;
    session.stopped = true;
    session.socket?.close();
    await session.done;
  }

  private async receive(session: Session): Promise<void> {
    const { Subscriber } = await import("zeromq");
    if (session.stopped) return;
    const socket = new Subscriber({ linger: 0 });
    session.socket = socket;
    socket.connect(this.opts.url);
    socket.subscribe(...TOPICS);
    const last = new Map<string, number>();
    for await (const frames of socket) {
      if (session.stopped) return;
      this.handle(frames, last);
    }
  }

  private handle(frames: Buffer[], last: Map<string, number>): void {
    const [topicFrame, body, sequenceFrame] = frames;
    if (frames.length !== 3 || body === undefined || sequenceFrame?.length !== 4) return;
    const topic = topicFrame!.toString("latin1");
    if (!(TOPICS as readonly string[]).includes(topic)) return; // subscriptions match by prefix
    const sequence = sequenceFrame.readUInt32LE(0);
    const previous = last.get(topic);
    last.set(topic, sequence);
    const missed = previous !== undefined && sequence !== (previous + 1) >>> 0; // wraps at 2^32
    if (missed || topic === "hashblock") {
      this.emit({ kind: "block" });
      return;
    }
    for (const scriptPubKeyHex of this.paidScripts(body)) this.emit({ kind: "script", scriptPubKeyHex });
  }

  private paidScripts(raw: Buffer): Set<string> {
    const paid = new Set<string>();
    let tx: Transaction;
    try {
      tx = Transaction.fromBuffer(raw);
    } catch {
      return paid;
    }
    for (const out of tx.outs) {
      const spk = Buffer.from(out.script).toString("hex");
      if (this.opts.watches(spk)) paid.add(spk);
    }
    return paid;
  }

  private emit(hint: ChainHint): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(hint);
      } catch {
        // One failing listener must not starve the others or stop the subscriber.
      }
    }
  }
}
