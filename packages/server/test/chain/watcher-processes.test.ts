import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DevNode, startDevNode } from "../../src/chain/devchain/dev-node.js";
import { DEV_REGTEST_DESCRIPTOR } from "../../src/cli/dev.js";
import { apiCall, cli, type ServerProcess, startServerProcess } from "../helpers/processes.js";
import { createTestDatabase, type TestDatabaseTarget } from "../helpers/test-server.js";
import { type CoreRpc, coreRpc } from "./helpers/core-rpc.js";
import { RATE } from "./helpers/watch-harness.js";

// Real `btpay serve` processes watching devchain over Bitcoin Core RPC: two of them on one
// database, kill -9, and a restart that has to catch up with what happened while nobody watched.

let node: DevNode;
let rpc: CoreRpc;
let target: TestDatabaseTarget;
let env: Record<string, string>;
let key: string;
const running: ServerProcess[] = [];

async function start(): Promise<ServerProcess> {
  const p = await startServerProcess(env);
  running.push(p);
  return p;
}

const call = (server: ServerProcess, method: string, path: string, body?: unknown) =>
  apiCall(server, key, method, path, body);

async function invoice(server: ServerProcess): Promise<{ ref: string; address: string }> {
  const created = await call(server, "POST", "/invoices", {
    lines: [{ description: "x", quantity: 1, unit_price: "10.00" }],
  });
  const fin = await call(server, "POST", `/invoices/${created.ref}/finalize`);
  return { ref: String(fin.ref), address: String(fin.payment_address) };
}

/** Polls the invoice on `server` until it has `status` (or fails after `ms`). */
async function until(server: ServerProcess, ref: string, status: string, ms = 15_000) {
  const deadline = Date.now() + ms;
  let last: Record<string, unknown> = {};
  while (Date.now() < deadline) {
    last = await call(server, "GET", `/invoices/${ref}?include_payments=true`);
    if (last.status === status) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`invoice ${ref} is ${String(last.status)}, not ${status}, after ${ms} ms`);
}

beforeAll(async () => {
  node = await startDevNode();
  rpc = coreRpc(node.rpc.url);
  target = await createTestDatabase();
  env = {
    ...target.env,
    BTPAY_NETWORK: "regtest",
    BTPAY_RATES_FIXED: RATE,
    BTPAY_BITCOIND_RPC_URL: node.rpc.url,
    BTPAY_CHAIN_POLL_MS: "200",
  };
  const created = await cli(["api-key", "create", "--name", "watch"], env);
  key = created.stdout.trim();
  const wallet = await cli(["wallet", "set", "--descriptor", DEV_REGTEST_DESCRIPTOR], env);
  expect(wallet.code).toBe(0);
});

afterAll(async () => {
  for (const p of running) await p.stop("SIGKILL");
  await node?.close();
  await target?.drop();
});

describe("chain watching across processes", () => {
  it("two servers: a payment is recorded once; kill -9 of either keeps payments detected", async () => {
    const a = await start();
    const b = await start();
    const first = await invoice(a);
    await rpc.pay(first.address, 10_000n);
    const seen = await until(b, first.ref, "paid");
    expect(seen.payments).toHaveLength(1);

    await a.stop("SIGKILL");
    const second = await invoice(b);
    await rpc.pay(second.address, 10_000n);
    // b leads already, or takes over once a's database session (and its advisory lock) is gone.
    await until(b, second.ref, "paid");

    const c = await start();
    await b.stop("SIGKILL");
    const third = await invoice(c);
    await rpc.pay(third.address, 10_000n);
    await rpc.mine(1);
    for (const ref of [first.ref, second.ref, third.ref]) {
      const done = await until(c, ref, "confirmed");
      expect(done.payments).toHaveLength(1);
    }
  });

  it("payments and blocks while no server runs are caught up after a restart", async () => {
    const a = await start();
    const inv = await invoice(a);
    const partial = await invoice(a);
    await a.stop("SIGKILL");
    await rpc.pay(inv.address, 10_000n);
    await rpc.pay(partial.address, 2_500n);
    await rpc.mine(3);
    const back = await start();
    const done = await until(back, inv.ref, "confirmed");
    expect(done.payments).toEqual([expect.objectContaining({ confirmations: 3, status: "confirmed" })]);
    const part = await until(back, partial.ref, "partial");
    expect(part).toMatchObject({ amount_paid: "2.50", amount_due: "7.50" });
  });
});
