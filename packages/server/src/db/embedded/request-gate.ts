import type { Server, Socket } from "node:net";
import { PARSE_COMPLETE, SessionStatements } from "./session-statements.js";

/**
 * pglite-socket queues single protocol MESSAGES from all connections into one session, so one
 * client's Parse/Bind/Execute/Sync can interleave with another's (a Bind larger than one socket
 * read, or two clients waiting behind a transaction) and bind to the OTHER client's statement.
 * This gate hands the library one whole request (up to Sync/Query/Flush) at a time, and none
 * from other connections until the reply's ReadyForQuery, nor while a transaction is open.
 */
interface Conn {
  emit: (event: string, ...args: unknown[]) => boolean;
  inBuf: Buffer;
  requests: { bytes: Buffer; awaitsReady: boolean }[];
  awaiting: number;
  started: boolean;
  /** Writes to the client past the reply scanner (answers the gate gives itself). */
  answer: (chunk: Uint8Array) => void;
  /** The named statement this connection's current request asks the engine to prepare. */
  parsing: { name: string; text: string } | null;
}

/**
 * What is written between `before()` calls and the next `flush()` (or the end of the tick) leaves
 * as one send. The engine writes a reply as several chunks (BindComplete, rows, CommandComplete,
 * ReadyForQuery); sent one by one they cost a system call and a wake-up of the reading client each
 * (measured: four per query). The gate flushes at each reply's ReadyForQuery, so a reply is never
 * held back while the engine runs the next client's request.
 */
export function oneSendPerReply(socket: Pick<Socket, "cork" | "uncork">): { before(): void; flush(): void } {
  let corked = false;
  const flush = () => {
    if (!corked) return;
    corked = false;
    socket.uncork();
  };
  return {
    before() {
      if (corked) return;
      corked = true;
      socket.cork();
      process.nextTick(flush); // a reply without ReadyForQuery (after a Flush) still leaves
    },
    flush,
  };
}

export function gateRequests(netServer: Server): void {
  const statements = new SessionStatements();
  const waiting: Conn[] = [];
  let busy: Conn | null = null;
  let txOwner: Conn | null = null;
  const pump = () => {
    while (true) {
      const only = busy ?? txOwner;
      const i = only ? waiting.indexOf(only) : 0;
      const c = waiting[i];
      if (i < 0 || !c) return;
      const req = c.requests.shift()!;
      waiting.splice(i, 1);
      if (c.requests.length > 0) waiting.push(c);
      if (req.awaitsReady) {
        c.awaiting++;
        busy = c;
      }
      // Only once the previous reply is complete can an answer of ours go first.
      const taken = c.awaiting === 1 && req.awaitsReady ? statements.take(req.bytes) : null;
      if (taken?.answered) c.answer(PARSE_COMPLETE);
      c.parsing = taken?.parsing ?? null;
      c.emit("data", taken ? taken.bytes : req.bytes);
    }
  };
  netServer.prependListener("connection", (socket: Socket) => {
    const c: Conn = {
      emit: socket.emit.bind(socket),
      inBuf: Buffer.alloc(0),
      requests: [],
      awaiting: 0,
      started: false,
      answer: (chunk) => void write(chunk),
      parsing: null,
    };
    let head = Buffer.alloc(0);
    let rest = 0;
    let type = 0;
    const write = socket.write.bind(socket) as (chunk: Uint8Array, cb?: (err?: Error | null) => void) => boolean;
    const sends = oneSendPerReply(socket);
    // Scan the replies for ReadyForQuery ('Z', its one body byte the transaction status).
    socket.write = ((chunk: Uint8Array, cb?: (err?: Error | null) => void) => {
      sends.before();
      let replyEnded = false;
      for (let i = 0; i < chunk.length; ) {
        if (rest === 0) {
          const take = Math.min(5 - head.length, chunk.length - i);
          head = Buffer.concat([head, chunk.subarray(i, i + take)]);
          i += take;
          if (head.length < 5) break;
          type = head[0] ?? 0;
          rest = head.readInt32BE(1) - 4;
          // ParseComplete confirms the statement; an error (or the end of the reply) means not.
          if (c.parsing && type === 0x31) statements.confirm(c.parsing);
          if (type === 0x31 || type === 0x45 || type === 0x5a) c.parsing = null;
          head = Buffer.alloc(0);
        } else {
          if (type === 0x5a) {
            replyEnded = true;
            txOwner = chunk[i] !== 0x49 ? c : txOwner === c ? null : txOwner; // 0x49 'I': no transaction
            if (c.awaiting > 0 && --c.awaiting === 0 && busy === c) busy = null;
          }
          const n = Math.min(rest, chunk.length - i);
          rest -= n;
          i += n;
        }
      }
      const ok = write(chunk, cb);
      if (replyEnded) sends.flush();
      pump();
      return ok;
    }) as Socket["write"];
    socket.emit = ((event: string, ...args: unknown[]) => {
      if (event === "close") {
        if (waiting.includes(c)) waiting.splice(waiting.indexOf(c), 1);
        if (busy === c) busy = null;
        if (txOwner === c) txOwner = null; // pglite-socket rolls its transaction back
        queueMicrotask(pump);
      }
      if (event !== "data") return c.emit(event, ...args);
      c.inBuf = Buffer.concat([c.inBuf, args[0] as Buffer]);
      let cut = 0;
      for (let at = 0; ; ) {
        const untyped = !c.started;
        if (c.inBuf.length < at + (untyped ? 8 : 5)) break;
        const len = untyped ? c.inBuf.readInt32BE(at) : 1 + c.inBuf.readInt32BE(at + 1);
        const kind = untyped ? c.inBuf.readInt32BE(at + 4) : (c.inBuf[at] ?? 0);
        // Not protocol 3.0 (startup, cancel, SSL/GSS request) or a bogus length: the library
        // would hand it to the engine, or we would loop on a zero length. Drop the client.
        if (untyped ? len < 8 || ![196608, 80877102, 80877103, 80877104].includes(kind) : len < 5) {
          socket.destroy();
          return true;
        }
        if (c.inBuf.length < at + len) break;
        at += len;
        if (untyped && (kind === 80877103 || kind === 80877104)) {
          write(Buffer.from("N")); // SSL / GSS encryption request: not supported, send in clear
          c.inBuf = c.inBuf.subarray(at);
          at = cut = 0;
          continue;
        }
        // Parse, Bind, Describe, Execute and Close wait for the Sync (or Flush) that ends them.
        if (untyped || !"PBDEC".includes(String.fromCharCode(kind))) {
          const awaitsReady = untyped ? kind === 196608 : kind === 0x53 || kind === 0x51; // Sync, Query
          c.requests.push({ bytes: c.inBuf.subarray(cut, at), awaitsReady });
          if (untyped && kind === 196608) c.started = true;
          cut = at;
        }
      }
      c.inBuf = c.inBuf.subarray(cut);
      if (c.requests.length > 0 && !waiting.includes(c)) waiting.push(c);
      pump();
      return true;
    }) as Socket["emit"];
  });
}
