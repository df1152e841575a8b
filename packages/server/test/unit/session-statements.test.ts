import { describe, expect, it } from "vitest";
import { PARSE_COMPLETE, SessionStatements } from "../../src/db/embedded/session-statements.js";

// Frontend protocol messages as `pg` writes them.
const msg = (type: string, body: Buffer) => {
  const head = Buffer.alloc(5);
  head.write(type, 0, "latin1");
  head.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
};
const z = (s: string) => Buffer.from(`${s}\0`, "utf8");
const parse = (name: string, text: string) => msg("P", Buffer.concat([z(name), z(text), Buffer.from([0, 0])]));
const bindExecSync = Buffer.concat([
  msg("B", Buffer.concat([z(""), z("s"), Buffer.from([0, 0, 0, 0, 0, 0])])),
  msg("E", Buffer.concat([z(""), Buffer.alloc(4)])),
  msg("S", Buffer.alloc(0)),
]);

describe("SessionStatements", () => {
  it("asks the engine to prepare a new name, then answers its next Parse itself", () => {
    const s = new SessionStatements();
    const first = Buffer.concat([parse("s", "select 1"), bindExecSync]);
    const taken = s.take(first);
    expect(taken).toEqual({ bytes: first, answered: false, parsing: { name: "s", text: "select 1" } });
    s.confirm({ name: "s", text: "select 1" });
    const again = s.take(Buffer.concat([parse("s", "select 1"), bindExecSync]));
    expect(again.answered).toBe(true);
    expect(again.bytes.equals(bindExecSync)).toBe(true);
    expect(PARSE_COMPLETE.equals(Buffer.from("3100000004", "hex"))).toBe(true);
  });

  it("never answers an unconfirmed name, an unnamed statement, or a name with another text", () => {
    const s = new SessionStatements();
    s.take(Buffer.concat([parse("s", "select 1"), bindExecSync])); // never confirmed (Parse failed)
    expect(s.take(Buffer.concat([parse("s", "select 1"), bindExecSync])).answered).toBe(false);
    s.confirm({ name: "s", text: "select 1" });
    expect(s.take(Buffer.concat([parse("s", "select 2"), bindExecSync])).answered).toBe(false);
    expect(s.take(Buffer.concat([parse("", "select 1"), bindExecSync]))).toMatchObject({
      answered: false,
      parsing: null,
    });
    // Only a Parse that opens the request: after other messages its reply would not come first.
    expect(s.take(Buffer.concat([bindExecSync.subarray(0, -5), parse("s", "select 1"), bindExecSync])).answered).toBe(
      false,
    );
  });

  it("forgets a name on Close, and everything on DEALLOCATE or DISCARD", () => {
    const s = new SessionStatements();
    const known = () => s.take(Buffer.concat([parse("s", "select 1"), bindExecSync])).answered;
    s.confirm({ name: "s", text: "select 1" });
    s.take(Buffer.concat([msg("C", Buffer.concat([Buffer.from("S"), z("s")])), msg("S", Buffer.alloc(0))]));
    expect(known()).toBe(false);
    for (const q of ["DEALLOCATE ALL", "discard all", "deallocate s"]) {
      s.confirm({ name: "s", text: "select 1" });
      expect(known()).toBe(true);
      s.take(msg("Q", z(q)));
      expect(known()).toBe(false);
    }
  });
});
