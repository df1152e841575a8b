import { networks, payments } from "bitcoinjs-lib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { refundCommand } from "../../server/src/cli/refund-commands.js";
import { loadConfig } from "../../server/src/config.js";
import { NotFoundError, ValidationError } from "../../server/src/domain/errors.js";
import { systemClock } from "../../server/src/ports.js";
import { RateService } from "../../server/src/services/rates.js";
import { RefundService } from "../../server/src/services/refunds.js";
import { startTestServer, type TestServer } from "../../server/test/helpers/test-server.js";

// `btpay refund list|mark-paid` against the database a running server uses (the commands open their
// own connection, as the real CLI does). Run in process: cli/main.ts dispatches `refund` here.

const ENV = { BTPAY_NETWORK: "regtest", BTPAY_RATES_FIXED: "USD:50000" };
const TXID = "9f2c45a12db0144909b5db269415f7319179105982ac70ed80d76ea79d923ebf";
const ADDRESS = payments.p2wpkh({ hash: new Uint8Array(20).fill(3), network: networks.regtest }).address as string;

let t: TestServer;
let storeId: string;
let refunds: RefundService;

beforeAll(async () => {
  t = await startTestServer({ env: ENV });
  ({ storeId } = await t.newStoreWithKey());
  const rates = new RateService(t.opened.db, systemClock, {
    fixed: [{ currency: "USD", rate: "50000", sources: ["fixed"], at: new Date() }],
    maxAgeSeconds: 600,
  });
  refunds = new RefundService(t.opened.db, systemClock, rates, "regtest");
});
afterAll(async () => t?.close());

async function btpay(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const [action, ...rest] = argv;
  const code = await refundCommand(loadConfig({ ...t.target.env, ...ENV, BTPAY_LOG_LEVEL: "warn" }), action, rest, {
    out: (l) => out.push(l),
    err: (l) => err.push(l),
  });
  return { code, out, err: err.join("\n") };
}

describe("btpay refund", () => {
  it("list prints one tab-separated line per refund: ref, status, amount, BTC to send, address, txid, name", async () => {
    const waiting = await refunds.create(storeId, {
      name: "Refund of order 9",
      description: null,
      amount: "10",
      currency: "USD",
      expiresAt: null,
    });
    const claimed = await refunds.create(storeId, {
      name: "Refund of order 8",
      description: null,
      amount: "25",
      currency: "USD",
      expiresAt: null,
    });
    await refunds.claim(claimed.ref, ADDRESS);
    const r = await btpay("list");
    expect(r.code).toBe(0);
    expect(r.out).toEqual([
      [claimed.ref, "claimed", "25.00 USD", "0.00050000 BTC", ADDRESS, "-", "Refund of order 8"].join("\t"),
      [waiting.ref, "awaiting_claim", "10.00 USD", "-", "-", "-", "Refund of order 9"].join("\t"),
    ]);
    const onlyClaimed = await btpay("list", "--store", storeId, "--status", "claimed");
    expect(onlyClaimed.out.map((l) => l.split("\t")[0])).toEqual([claimed.ref]);
  });

  it("mark-paid records the txid of a claimed refund and prints its line", async () => {
    const r = await refunds.create(storeId, {
      name: "x",
      description: null,
      amount: "25",
      currency: "USD",
      expiresAt: null,
    });
    await refunds.claim(r.ref, ADDRESS);
    const res = await btpay("mark-paid", r.ref, "--txid", TXID);
    expect(res.code).toBe(0);
    expect(res.out).toEqual([[r.ref, "paid", "25.00 USD", "0.00050000 BTC", ADDRESS, TXID, "x"].join("\t")]);
    expect((await refunds.get(storeId, r.ref)).txid).toBe(TXID);
    expect((await btpay("list", "--status", "paid")).out.map((l) => l.split("\t")[0])).toContain(r.ref);
  });

  it("refusals reach main as domain errors (it prints them and exits 1); nothing changes", async () => {
    const r = await refunds.create(storeId, {
      name: "y",
      description: null,
      amount: "5",
      currency: "USD",
      expiresAt: null,
    });
    await expect(btpay("mark-paid", r.ref, "--txid", TXID)).rejects.toThrow(ValidationError);
    await expect(btpay("mark-paid", r.ref, "--txid", "nothex")).rejects.toThrow(/64 hexadecimal/);
    await expect(btpay("mark-paid", "noSuchRefund", "--txid", TXID)).rejects.toThrow(NotFoundError);
    expect((await refunds.get(storeId, r.ref)).state).toBe("awaiting_claim");
  });

  it("usage mistakes exit 2 with the refund commands' help", async () => {
    for (const argv of [
      ["frobnicate"],
      ["mark-paid"],
      ["mark-paid", "abc"],
      ["list", "--status", "x"],
      ["list", "--nope"],
    ]) {
      const r = await btpay(...argv);
      expect(r.code, argv.join(" ")).toBe(2);
      expect(r.err).toContain("refund mark-paid <ref> --txid T");
      expect(r.out).toEqual([]);
    }
  });
});
