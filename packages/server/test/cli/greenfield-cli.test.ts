import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CliResult, cli, startServerProcess } from "../helpers/processes.js";
import { createTestDatabase, type TestDatabaseTarget } from "../helpers/test-server.js";

// Store owners and Greenfield keys from the command line: `btpay user create` (password on stdin),
// `store create --owner`, `store set-owner`, and the headless key of the WooCommerce bridge.

const KEY = /^btpay_[0-9A-Za-z]{8}_[0-9A-Za-z]{32}$/;
const PASSWORD = "a long enough passphrase";
const WOOCOMMERCE = [
  "btcpay.store.canviewinvoices",
  "btcpay.store.cancreateinvoice",
  "btcpay.store.canviewstoresettings",
  "btcpay.store.canmodifyinvoices",
  "btcpay.store.cancreatenonapprovedpullpayments",
  "btcpay.store.webhooks.canmodifywebhooks",
];

/** `btpay <args>` as its own process, `stdin` piped in (the password prompt reads it). */
const btpay = (args: string[], env: Record<string, string>, stdin = ""): Promise<CliResult> => cli(args, env, stdin);

let target: TestDatabaseTarget;
let storeId: string;

beforeAll(async () => {
  target = await createTestDatabase();
});
afterAll(async () => target?.drop());

describe("btpay user / store owners", () => {
  it("user create reads the password from stdin and prints only the new user's id", async () => {
    const r = await btpay(["user", "create", "--email", "Owner@Shop.example"], target.env, `${PASSWORD}\nignored\n`);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^[0-9a-f]{32}\n$/);
  });

  it("refuses a short password, an email taken (in any case) and a password on the command line", async () => {
    const short = await btpay(["user", "create", "--email", "x@shop.example"], target.env, "too short\n");
    expect(short.code).toBe(1);
    expect(short.stderr).toMatch(/password: must be 12 to/);
    const taken = await btpay(["user", "create", "--email", "OWNER@shop.example"], target.env, `${PASSWORD}\n`);
    expect(taken.code).toBe(1);
    expect(taken.stderr).toMatch(/already exists/);
    const argv = await btpay(["user", "create", "--email", "y@shop.example", "--password", PASSWORD], target.env);
    expect(argv.code).toBe(2);
    expect(argv.stdout).toBe("");
  });

  it("store create --owner makes the store with its owner; an unknown owner makes nothing", async () => {
    const r = await btpay(["store", "create", "--name", "Mug & Co", "--owner", "owner@shop.example"], target.env);
    expect(r.code).toBe(0);
    storeId = r.stdout.trim();
    expect(storeId).toMatch(/^[1-9A-HJ-NP-Za-km-z]{22}$/);
    const unknown = await btpay(["store", "create", "--name", "Orphan", "--owner", "nobody@shop.example"], target.env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/no user with email/);
    const stores = await btpay(["store", "list"], target.env);
    expect(stores.stdout).not.toContain("Orphan");
  });

  it("store set-owner gives a store to a user (one owner per store)", async () => {
    await btpay(["user", "create", "--email", "second@shop.example"], target.env, `${PASSWORD}\n`);
    const other = (await btpay(["store", "create", "--name", "Second"], target.env)).stdout.trim();
    const r = await btpay(["store", "set-owner", "--store", other, "--email", "second@shop.example"], target.env);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("second@shop.example now owns store");
    const missing = await btpay(
      ["store", "set-owner", "--store", "NoSuchStore", "--email", "second@shop.example"],
      target.env,
    );
    expect(missing.code).toBe(1);
    expect((await btpay(["store", "set-owner", "--store", other], target.env)).code).toBe(2);
  });
});

describe("btpay api-key create --greenfield", () => {
  it("prints only the key; it authenticates on the Greenfield API with `Authorization: token` and the WooCommerce permissions", async () => {
    const created = await btpay(["api-key", "create", "--greenfield", "--store", storeId], target.env);
    expect(created.stderr).toBe("");
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(/\n$/);
    const key = created.stdout.trim();
    expect(key).toMatch(KEY);
    expect(created.stdout.split("\n").filter(Boolean)).toHaveLength(1);

    const narrow = await btpay(
      ["api-key", "create", "--greenfield", "--store", storeId, "--permissions", "btcpay.store.canviewinvoices"],
      target.env,
    );
    expect(narrow.code).toBe(0);

    const list = await btpay(["api-key", "list", "--store", storeId], target.env);
    expect(list.stdout).toContain("read_only\tactive\tWooCommerce");

    const server = await startServerProcess(target.env);
    try {
      const current = async (k: string) => {
        const res = await fetch(`${server.url}/api/v1/api-keys/current`, { headers: { authorization: `token ${k}` } });
        return { status: res.status, body: (await res.json()) as { apiKey: string; permissions: string[] } };
      };
      const full = await current(key);
      expect(full.status).toBe(200);
      expect(full.body.apiKey).toBe(key);
      expect([...full.body.permissions].sort()).toEqual(WOOCOMMERCE.map((p) => `${p}:${storeId}`).sort());
      const stores = await fetch(`${server.url}/api/v1/stores`, { headers: { authorization: `token ${key}` } });
      expect(stores.status).toBe(200);
      expect(((await stores.json()) as { id: string }[]).map((s) => s.id)).toEqual([storeId]);
      expect((await current(narrow.stdout.trim())).body.permissions).toEqual([
        `btcpay.store.canviewinvoices:${storeId}`,
      ]);
    } finally {
      expect(await server.stop("SIGTERM")).toBe(0);
    }
  });

  it("refuses unknown permissions, --permissions without --greenfield and --read-only with it", async () => {
    for (const args of [
      ["--greenfield", "--permissions", "btcpay.store.canviewinvoices,btcpay.server.canmodifyserversettings"],
      ["--greenfield", "--permissions", ","],
      ["--permissions", "btcpay.store.canviewinvoices"],
      ["--greenfield", "--read-only"],
    ]) {
      const r = await btpay(["api-key", "create", "--store", storeId, ...args], target.env);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stdout).toBe("");
    }
  });
});
