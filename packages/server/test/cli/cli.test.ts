import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cli, startServerProcess } from "../helpers/processes.js";
import { createTestDatabase, type TestDatabaseTarget } from "../helpers/test-server.js";

const KEY = /^btpay_[0-9A-Za-z]{8}_[0-9A-Za-z]{32}$/;

let target: TestDatabaseTarget;

beforeAll(async () => {
  target = await createTestDatabase();
});
afterAll(async () => target?.drop());

describe("btpay CLI", () => {
  it("api-key create on an empty database creates a default store and prints only the key", async () => {
    const r = await cli(["api-key", "create", "--name", "shop"], target.env);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toMatch(KEY);
    expect(r.stdout.split("\n").filter(Boolean)).toHaveLength(1);
    const stores = await cli(["store", "list"], target.env);
    expect(stores.stdout).toContain("Default store");
  });

  it("store create prints only the new store's id; keys can then be scoped to it", async () => {
    const r = await cli(["store", "create", "--name", "Second shop"], target.env);
    expect(r.code).toBe(0);
    const id = r.stdout.trim();
    expect(id).toMatch(/^[1-9A-HJ-NP-Za-km-z]{22}$/);
    const key = await cli(["api-key", "create", "--name", "reporting", "--store", id, "--read-only"], target.env);
    expect(key.stdout.trim()).toMatch(KEY);
    const list = await cli(["api-key", "list", "--store", id], target.env);
    expect(list.stdout).toContain("read_only");
    expect(list.stdout).toContain("reporting");
    expect(list.stdout).not.toContain(key.stdout.trim());
  });

  it("without --store and with several stores it asks which", async () => {
    const r = await cli(["api-key", "create", "--name", "x"], target.env);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/--store/);
    expect(r.stdout).toBe("");
  });

  it("unknown commands and options are usage errors (exit 2)", async () => {
    expect((await cli(["frobnicate"], target.env)).code).toBe(2);
    expect((await cli(["store", "create", "--nme", "x"], target.env)).code).toBe(2);
  });

  it("bad configuration stops with a message naming the variable", async () => {
    const r = await cli(["store", "list"], { ...target.env, PORT: "abc", BTPAY_RATE_LIMIT_PER_MINUTE: "-3" });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/PORT must be/);
    expect(r.stderr).toMatch(/BTPAY_RATE_LIMIT_PER_MINUTE must be/);
  });

  it("migrate succeeds on an up-to-date database", async () => {
    const r = await cli(["migrate"], target.env);
    expect(r.code).toBe(0);
  });

  it("works while a server runs on the same database: new keys work at once, revoked keys stop within 2 s", async () => {
    const server = await startServerProcess(target.env);
    try {
      const stores = await cli(["store", "list"], target.env);
      const storeId = stores.stdout.split("\n")[0]?.split("\t")[0] ?? "";
      const created = await cli(["api-key", "create", "--name", "live", "--store", storeId], target.env);
      expect(created.code).toBe(0);
      const key = created.stdout.trim();
      const get = () => fetch(`${server.url}/api/v1/invoices`, { headers: { authorization: `Bearer ${key}` } });
      expect((await get()).status).toBe(200);
      const prefix = key.split("_").slice(0, 2).join("_");
      const revoked = await cli(["api-key", "revoke", prefix], target.env);
      expect(revoked.code).toBe(0);
      // The server trusts a key it has seen for at most BTPAY_AUTH_CACHE_SECONDS (2 s).
      await new Promise((r) => setTimeout(r, 2_100));
      expect((await get()).status).toBe(401);
    } finally {
      expect(await server.stop("SIGTERM")).toBe(0);
    }
  });

  it("wallet set prints the first five receive addresses; private keys are refused without being echoed", async () => {
    const storeId = (await cli(["store", "create", "--name", "Wallet shop"], target.env)).stdout.trim();
    const zpub =
      "zpub6rFR7y4Q2AijBEqTUquhVz398htDFrtymD9xYYfG1m4wAcvPhXNfE3EfH1r1ADqtfSdVCToUG868RvUUkgDKf31mGDtKsAYz2oz2AGutZYs";
    const r = await cli(["wallet", "set", "--store", storeId, "--xpub", zpub], target.env);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu");
    expect(r.stdout).toContain("bc1qnjg0jd8228aq7egyzacy8cys3knf9xvrerkf9g");
    expect(r.stdout.match(/bc1q/g)?.length).toBe(5);
    const xprv =
      "xprv9s21ZrQH143K3QTDL4LXw2F7HEK3wJUD2nW2nRk4stbPy6cq3jPPqjiChkVvvNKmPGJxWUtg6LnF5kejMRNNU3TGtRBeJgk33yuGBxrMPHi";
    const bad = await cli(["wallet", "set", "--store", storeId, "--xpub", xprv], target.env);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/private/i);
    expect(bad.stderr + bad.stdout).not.toContain(xprv);
    const show = await cli(["wallet", "show", "--store", storeId], target.env);
    expect(show.stdout).toContain("p2wpkh");
  });
});
