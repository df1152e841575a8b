import net from "node:net";
import { describe, expect, it } from "vitest";
import { oneSendPerReply } from "../../src/db/embedded/request-gate.js";

describe("oneSendPerReply", () => {
  it("sends what is written until a flush or the end of the tick as one send", async () => {
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as net.AddressInfo).port;
    const received = new Promise<string>((resolve) =>
      server.on("connection", (s) => {
        let text = "";
        s.on("data", (d) => (text += d));
        s.on("end", () => resolve(text));
      }),
    );
    const socket = net.connect(port, "127.0.0.1");
    await new Promise((r) => socket.once("connect", r));
    // Count what reaches the socket's handle: one writev for corked chunks, one write otherwise.
    const handle = (socket as unknown as { _handle: Record<string, (...a: unknown[]) => unknown> })._handle;
    let sends = 0;
    for (const fn of ["writev", "writeBuffer", "writeUtf8String", "writeLatin1String"]) {
      const original = handle[fn]!.bind(handle);
      handle[fn] = (...a: unknown[]) => {
        sends++;
        return original(...a);
      };
    }
    const one = oneSendPerReply(socket);
    const write = (text: string) => {
      one.before();
      socket.write(text);
    };
    write("a");
    write("b");
    write("c");
    expect(sends).toBe(0); // held until the reply ends
    one.flush(); // the reply's ReadyForQuery: it leaves now, not at the end of the tick
    expect(sends).toBe(1);
    write("d");
    write("e");
    await new Promise((r) => setImmediate(r)); // no flush: the end of the tick sends it
    expect(sends).toBe(2);
    socket.end();
    expect(await received).toBe("abcde");
    server.close();
  });
});
