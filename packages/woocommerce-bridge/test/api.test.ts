// The Greenfield API core, endpoint by endpoint, with the exact JSON types a typed client expects:
// authentication, who is calling, the server and the stores (invoices: api-invoices.test.ts).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiFixture, startApiFixture } from "./support/api-fixture.js";
import { types, WOOCOMMERCE_PERMISSIONS } from "./support/greenfield-client.js";

let t: ApiFixture["t"];
let storeId: string;
let btpayKey: string;
let woo: string;
let viewOnly: string;
let otherStore: string;
let otherKey: string;
let gf: ApiFixture["gf"];
let btpay: ApiFixture["btpay"];

beforeAll(async () => {
  ({ t, storeId, btpayKey, woo, viewOnly, otherStore, otherKey, gf, btpay } = await startApiFixture());
});
afterAll(async () => t?.close());

describe("authentication", () => {
  it("answers 401 {code:'unauthenticated'} without a key, with a malformed header or an unknown key", async () => {
    for (const r of [
      await gf(null, "GET", "/stores"),
      await gf(woo, "GET", "/stores", undefined, "Basic"),
      await gf("btpay_AAAAAAAA_BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB", "GET", "/stores"),
      await gf("not-a-key", "GET", "/api-keys/current"),
    ]) {
      expect(r.status).toBe(401);
      expect(types(r.body)).toEqual({ code: "string", message: "string" });
      expect(r.body.code).toBe("unauthenticated");
    }
  });

  it("takes the token scheme in any case, and bearer", async () => {
    for (const scheme of ["token", "TOKEN", "Token", "bearer", "Bearer"])
      expect((await gf(woo, "GET", "/api-keys/current", undefined, scheme)).status).toBe(200);
  });

  it("refuses a revoked key at once", async () => {
    const made = await t.keys.create({
      storeId,
      name: "Old",
      access: "read_only",
      permissions: WOOCOMMERCE_PERMISSIONS,
    });
    expect((await gf(made.key, "GET", "/api-keys/current")).status).toBe(200);
    await t.keys.revoke(made.record.prefix);
    const r = await gf(made.key, "GET", "/api-keys/current");
    expect(r.status).toBe(401);
    expect(r.body.code).toBe("unauthenticated");
  });

  it("routes that are not Greenfield's keep btpay's Bearer API, side by side", async () => {
    const mine = await btpay("GET", "/invoices");
    expect(mine.status).toBe(200);
    expect(Array.isArray(mine.body.invoices)).toBe(true);
    // A btpay key works on the Greenfield API too, with the policies its access amounts to.
    const viaGreenfield = await gf(btpayKey, "GET", "/api-keys/current", undefined, "Bearer");
    expect(viaGreenfield.status).toBe(200);
    expect([...viaGreenfield.body.permissions].sort()).toEqual(
      WOOCOMMERCE_PERMISSIONS.map((p) => `${p}:${storeId}`).sort(),
    );
  });
});

describe("GET /api-keys/current, /server/info, /users/me", () => {
  it("api-keys/current: the key, its label and its permissions as policy:storeId", async () => {
    const r = await gf(woo, "GET", "/api-keys/current");
    expect(r.status).toBe(200);
    expect(types(r.body)).toEqual({ apiKey: "string", label: "string", permissions: "array" });
    expect(r.body).toEqual({
      apiKey: woo,
      label: "WooCommerce",
      permissions: WOOCOMMERCE_PERMISSIONS.map((p) => `${p}:${storeId}`),
    });
  });

  it("server/info: a BTCPay version of at least 1.7.6, on-chain only, synched once the watcher saw a tip", async () => {
    const before = await gf(woo, "GET", "/server/info");
    expect(before.status).toBe(200);
    expect(types(before.body)).toEqual({
      version: "string",
      onion: "null",
      supportedPaymentMethods: "array",
      fullySynched: "boolean",
      syncStatus: "array",
    });
    expect(before.body.version).toBe("2.4.0");
    expect(before.body.supportedPaymentMethods).toEqual(["BTC-CHAIN"]);
    expect(before.body.fullySynched).toBe(false);

    await t.opened.db.repos().chain.saveTip("mainnet", "test", { height: 840_000, hash: "ab".repeat(32) });
    const after = await gf(woo, "GET", "/server/info");
    expect(after.body.fullySynched).toBe(true);
    expect(after.body.syncStatus).toEqual([
      {
        paymentMethodId: "BTC-CHAIN",
        cryptoCode: "BTC",
        chainHeight: 840_000,
        syncHeight: 840_000,
        nodeInformation: { headers: 840_000, blocks: 840_000, verificationProgress: 1 },
        available: true,
      },
    ]);
  });

  it("users/me: the store owner who granted the key; 403 for a key nobody granted", async () => {
    expect((await gf(woo, "GET", "/users/me")).body.code).toBe("missing-permission");
    const user = await t.opened.db
      .repos()
      .users.insert({ id: "U1a2b3c4", email: "owner@example.com", passwordHash: "x" });
    const granted = await t.keys.create({
      storeId,
      name: "WooCommerce",
      access: "read_only",
      permissions: WOOCOMMERCE_PERMISSIONS,
      userId: user.id,
    });
    const r = await gf(granted.key, "GET", "/users/me");
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ id: "U1a2b3c4", email: "owner@example.com", emailConfirmed: true });
    expect(typeof r.body.created).toBe("number");
  });
});

describe("stores", () => {
  it("GET /stores lists the key's one store, in Greenfield's store shape", async () => {
    const r = await gf(woo, "GET", "/stores");
    expect(r.status).toBe(200);
    expect(r.body).toHaveLength(1);
    const [store] = r.body;
    expect(store).toMatchObject({
      id: storeId,
      name: "Woo shop",
      website: null,
      defaultCurrency: "USD",
      invoiceExpiration: 900,
      monitoringExpiration: 1440 * 60,
      speedPolicy: "MediumSpeed",
      paymentTolerance: 0,
      defaultPaymentMethod: "BTC-CHAIN",
      archived: false,
    });
    expect(types(store)).toMatchObject({
      id: "string",
      name: "string",
      defaultCurrency: "string",
      invoiceExpiration: "number",
      monitoringExpiration: "number",
      speedPolicy: "string",
      paymentTolerance: "number",
      defaultPaymentMethod: "string",
      lazyPaymentMethods: "boolean",
      anyoneCanCreateInvoice: "boolean",
    });
    expect((await gf(woo, "GET", `/stores/${storeId}`)).body).toEqual(store);
  });

  it("answers 403 missing-permission for another store or without canviewstoresettings", async () => {
    for (const r of [
      await gf(otherKey, "GET", `/stores/${storeId}`),
      await gf(otherKey, "GET", `/stores/${storeId}/payment-methods`),
      await gf(viewOnly, "GET", "/stores"),
      await gf(viewOnly, "GET", `/stores/${storeId}`),
    ]) {
      expect(r.status).toBe(403);
      expect(types(r.body)).toEqual({ code: "string", message: "string" });
      expect(r.body.code).toBe("missing-permission");
    }
  });

  it("payment-methods: BTC-CHAIN when the store has a wallet, [] when it has none", async () => {
    const r = await gf(woo, "GET", `/stores/${storeId}/payment-methods`);
    expect(r.status).toBe(200);
    expect(r.body).toEqual([
      { paymentMethodId: "BTC-CHAIN", paymentMethod: "BTC-CHAIN", cryptoCode: "BTC", enabled: true },
    ]);
    const q = await gf(woo, "GET", `/stores/${storeId}/payment-methods?onlyEnabled=true&includeConfig=true`);
    expect(q.body).toEqual([
      { paymentMethodId: "BTC-CHAIN", paymentMethod: "BTC-CHAIN", cryptoCode: "BTC", enabled: true, config: {} },
    ]);
    const none = await gf(otherKey, "GET", `/stores/${otherStore}/payment-methods`);
    expect(none.status).toBe(200);
    expect(none.body).toEqual([]);
  });
});
