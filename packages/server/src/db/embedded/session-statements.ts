/**
 * Named prepared statements in PGlite's ONE session, shared by every client connection.
 *
 * Each `pg` client remembers which statement names it has prepared on ITS connection, but behind
 * the socket all connections are the same Postgres session: the second client (another pooled
 * connection, a CLI process) to prepare `btpay_<hash>` would get "prepared statement already
 * exists". btpay names statements by a hash of their text (`db/repositories/sql.ts`), so the same
 * name always means the same text; the gate therefore answers a Parse of a statement the session
 * already holds, with the same text, by itself (ParseComplete) and hands the engine the rest of
 * the request. Parsing and planning once per session instead of on every call is most of what a
 * typical statement costs the WebAssembly engine (docs/benchmarks.md).
 */

/** ParseComplete: type '1', length 4. */
export const PARSE_COMPLETE = Buffer.from([0x31, 0, 0, 0, 4]);

const PARSE = 0x50; // 'P'
const CLOSE = 0x43; // 'C'
const QUERY = 0x51; // 'Q'

export interface Taken {
  /** What to hand the engine. */
  bytes: Buffer;
  /** The leading Parse was answered here: write PARSE_COMPLETE before the engine's reply. */
  answered: boolean;
  /** A named statement the engine is asked to prepare: confirm it when its ParseComplete comes. */
  parsing: { name: string; text: string } | null;
}

function cstring(buf: Buffer, at: number): [string, number] {
  const end = buf.indexOf(0, at);
  if (end < 0) throw new Error("unterminated string in a protocol message");
  return [buf.toString("utf8", at, end), end + 1];
}

export class SessionStatements {
  private readonly prepared = new Map<string, string>();

  /**
   * Looks at one whole request (messages up to Sync). Only a Parse that OPENS the request is ever
   * answered here, as `pg` sends it: its reply is then the first the client expects.
   */
  take(bytes: Buffer): Taken {
    this.noteForgets(bytes);
    if (bytes.length < 5 || bytes[0] !== PARSE) return { bytes, answered: false, parsing: null };
    const end = 1 + bytes.readInt32BE(1);
    const [name, at] = cstring(bytes, 5);
    if (name === "") return { bytes, answered: false, parsing: null };
    const [text] = cstring(bytes, at);
    if (this.prepared.get(name) === text) return { bytes: bytes.subarray(end), answered: true, parsing: null };
    return { bytes, answered: false, parsing: { name, text } };
  }

  /** The engine answered ParseComplete to a Parse of `name`: the session holds it now. */
  confirm(parsed: { name: string; text: string }): void {
    this.prepared.set(parsed.name, parsed.text);
  }

  /** Close (statement) drops one name; DEALLOCATE or DISCARD in a simple query may drop any. */
  private noteForgets(bytes: Buffer): void {
    for (let at = 0; at + 5 <= bytes.length; at += 1 + bytes.readInt32BE(at + 1)) {
      const type = bytes[at];
      if (type === CLOSE && bytes[at + 5] === 0x53) this.prepared.delete(cstring(bytes, at + 6)[0]);
      if (type === QUERY && /\b(deallocate|discard)\b/i.test(cstring(bytes, at + 5)[0])) this.prepared.clear();
    }
  }
}
