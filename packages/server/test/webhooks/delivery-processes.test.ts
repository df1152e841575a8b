import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiCall, cli, type ServerProcess, startServerProcess } from "../helpers/processes.js";
import { createTestDatabase, type TestDatabaseTarget } from "../helpers/test-server.js";
import { type Receiver, startReceiver } from "./receiver.js";

// Real `btpay serve` processes delivering from one database: kill -9 in the middle of a delivery,
// and two processes racing for the same deliveries.

let target: TestDatabaseTarget;
let env: Record<string, string>;
let key: string;
const running: ServerProcess[] = [];
const receivers: Receiver[] = [];

async function start(): Promise<ServerProcess> {
  const p = await startServerProcess(env);
  running.push(p);
  return p;
}

const call = (server: ServerProcess, method: string, path: string, body?: unknown) =>
  apiCall(server, key, method, path, body);

const newInvoice = (server: ServerProcess) =>
  call(server, "POST", "/invoices", { lines: [{ description: "x", quantity: 1, unit_price: "1.00" }] });

beforeAll(async () => {
  target = await createTestDatabase();
  env = {
    ...target.env,
    BTPAY_ALLOW_PRIVATE_WEBHOOKS: "true",
    BTPAY_SECRET_KEY: randomBytes(32).toString("hex"),
    BTPAY_WEBHOOK_TIMEOUT_MS: "1000",
    BTPAY_WEBHOOK_POLL_MS: "50",
    BTPAY_RATE_LIMIT_PER_MINUTE: "100000",
  };
  key = (await cli(["api-key", "create", "--name", "hooks"], env)).stdout.trim();
});

afterAll(async () => {
  for (const p of running) await p.stop("SIGKILL");
  for (const r of receivers) await r.close();
  await target?.drop();
});

describe("webhook delivery across processes", () => {
  it("a server killed mid-delivery: the event is delivered after restart, same id", async () => {
    const r = await startReceiver();
    receivers.push(r);
    r.answer = "hang";
    const a = await start();
    await call(a, "POST", "/webhooks", { url: r.url, events: ["invoice.created"] });
    await newInvoice(a);
    await r.waitFor(1);
    await a.stop("SIGKILL");
    r.answer = 200;
    const b = await start();
    // The dead process's lease (2 x timeout + 5 s) runs out, then b delivers.
    const got = await r.waitFor(2, 20_000);
    expect(got[1]?.headers["x-btpay-delivery"]).toBe(got[0]?.headers["x-btpay-delivery"]);
    expect(got[1]?.body).toBe(got[0]?.body);
    await b.stop("SIGTERM");
  });

  it("two servers deliver every event exactly once per attempt", async () => {
    const r = await startReceiver();
    receivers.push(r);
    const a = await start();
    const b = await start();
    await call(a, "POST", "/webhooks", { url: r.url, events: ["invoice.created"] });
    const n = 30;
    await Promise.all(Array.from({ length: n }, (_, i) => newInvoice(i % 2 ? a : b)));
    await r.waitFor(n);
    await new Promise((resolve) => setTimeout(resolve, 1_000)); // time for any duplicate to show up
    const ids = r.received.map((x) => String(x.headers["x-btpay-delivery"]));
    expect(ids).toHaveLength(n);
    expect(new Set(ids).size).toBe(n);
  });
});
