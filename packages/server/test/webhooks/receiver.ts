import { createServer, type IncomingHttpHeaders, type Server } from "node:http";

export interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

/** A real HTTP receiver on loopback whose answer the test decides, recording what arrives. */
export interface Receiver {
  url: string;
  received: Received[];
  /** Answer for the next requests: a status, or "hang" (never answer). */
  answer: number | "hang" | ((r: Received) => number);
  close(): Promise<void>;
  /** Resolves once `n` requests have arrived (or rejects after `ms`). */
  waitFor(n: number, ms?: number): Promise<Received[]>;
}

export async function startReceiver(path = "/hook"): Promise<Receiver> {
  const hanging: import("node:http").ServerResponse[] = [];
  const receiver: Receiver = {
    url: "",
    received: [],
    answer: 200,
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
    async waitFor(n, ms = 15_000) {
      const deadline = Date.now() + ms;
      while (receiver.received.length < n) {
        if (Date.now() > deadline) throw new Error(`receiver got ${receiver.received.length} of ${n} requests`);
        await new Promise((r) => setTimeout(r, 20));
      }
      return receiver.received;
    },
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const r: Received = { headers: req.headers, body: Buffer.concat(chunks).toString("utf8"), at: Date.now() };
      receiver.received.push(r);
      const answer = typeof receiver.answer === "function" ? receiver.answer(r) : receiver.answer;
      if (answer === "hang") {
        hanging.push(res);
        return;
      }
      if (answer >= 300 && answer < 400) res.setHeader("Location", "http://127.0.0.1:1/elsewhere");
      res.statusCode = answer;
      res.end("ok");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const address = server.address();
  receiver.url = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}${path}`;
  return receiver;
}
