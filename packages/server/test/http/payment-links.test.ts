import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../helpers/test-server.js";

let t: TestServer;
let key: string;
let otherKey: string;
let readOnlyKey: string;

async function call(
  method: string,
  path: string,
  body?: unknown,
  opts: { key?: string; idempotencyKey?: string } = {},
) {
  const res = await fetch(`${t.apiUrl}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${opts.key ?? key}`,
      "content-type": "application/json",
      ...(opts.idempotencyKey ? { "idempotency-key": opts.idempotencyKey } : {}),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const create = (body: Record<string, unknown>, withKey = key) => call("POST", "/payment-links", body, { key: withKey });

async function slugOf(body: Record<string, unknown>, withKey = key): Promise<string> {
  const res = await create(body, withKey);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.slug as string;
}

async function list(withKey = key) {
  const res = await call("GET", "/payment-links", undefined, { key: withKey });
  expect(res.status).toBe(200);
  return res.body.payment_links as Record<string, unknown>[];
}

beforeAll(async () => {
  t = await startTestServer();
  const a = await t.newStoreWithKey("full", "Store A");
  key = a.key;
  ({ key: otherKey } = await t.newStoreWithKey("full", "Store B"));
  readOnlyKey = (await t.keys.create({ storeId: a.storeId, name: "ro", access: "read_only" })).key;
});
afterAll(async () => t?.close());

describe("create", () => {
  it("answers the reference's payment link object: open amount, store currency, defaults", async () => {
    const res = await create({ title: "Donate", slug: "donate", description: "Support our project", amount: null });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      ref: expect.stringMatching(/^[0-9A-F]{8}-[0-9A-F]{8}$/),
      slug: "donate",
      title: "Donate",
      description: "Support our project",
      amount: null,
      currency: "USD",
      payment_methods: ["onchain_btc"],
      redirect_url: null,
      metadata: {},
      is_active: true,
      created_at: expect.any(Number),
    });
  });

  it("keeps a fixed amount in the currency's minor units, and the other fields as given", async () => {
    const res = await create({
      title: "T-shirt",
      amount: 25,
      currency: "eur",
      payment_methods: ["onchain_btc", "wire"],
      redirect_url: "https://shop.example/thanks?order=1",
      metadata: { sku: "TS-1" },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      slug: "t-shirt",
      amount: "25.00",
      currency: "EUR",
      description: "",
      payment_methods: ["onchain_btc", "wire"],
      redirect_url: "https://shop.example/thanks?order=1",
      metadata: { sku: "TS-1" },
    });
    expect((await create({ title: "Yen", amount: "1000", currency: "JPY" })).body.amount).toBe("1000");
  });

  it("refuses an invalid amount (zero, negative, too many decimals, not a number) with 400", async () => {
    for (const amount of [0, "0.00", "-5", "10.001", "abc", "1e3", true]) {
      const res = await create({ title: "Bad amount", amount });
      expect(res.status, `amount ${JSON.stringify(amount)}`).toBe(400);
      expect(String(res.body.error)).toMatch(/^amount/);
    }
    expect(String((await create({ title: "Yen", amount: "10.5", currency: "JPY" })).body.error)).toContain(
      "JPY has 0 decimal places",
    );
  });

  it("refuses an unknown currency, bitcoin as a currency and a blank title with 400", async () => {
    const unknown = await create({ title: "X", currency: "XYZ" });
    expect(unknown).toMatchObject({
      status: 400,
      body: { error: expect.stringContaining('unknown currency code "XYZ"') },
    });
    expect((await create({ title: "X", currency: "BTC" })).status).toBe(400);
    expect((await create({ title: "   " })).status).toBe(400);
    expect((await create({ title: "" })).status).toBe(400);
  });

  it("refuses a redirect_url that is not http(s)", async () => {
    for (const url of ["javascript:alert(1)", "data:text/html,hi", "ftp://example.com/", "//example.com", "https://"]) {
      const res = await create({ title: "Redirect", redirect_url: url });
      expect(res.status, url).toBe(400);
      expect(String(res.body.error)).toMatch(/redirect_url/);
    }
  });

  it("refuses a malformed explicit slug", async () => {
    for (const slug of ["Has Caps", "trailing-", "a--b", "x".repeat(65), ""]) {
      expect((await create({ title: "Slug", slug })).status, slug).toBe(400);
    }
  });

  it("an Idempotency-Key makes a retry return the first link instead of a second one", async () => {
    const body = { title: "Retry me" };
    const first = await call("POST", "/payment-links", body, { idempotencyKey: "link-1" });
    const again = await call("POST", "/payment-links", body, { idempotencyKey: "link-1" });
    expect(first.status).toBe(201);
    expect(again).toEqual(first);
    expect((await list()).filter((l) => l.title === "Retry me")).toHaveLength(1);
  });
});

describe("slugs", () => {
  it("are made from the title: lower-case ASCII, diacritics stripped, punctuation to dashes", async () => {
    expect(await slugOf({ title: "Café Crème & Brûlée!" })).toBe("cafe-creme-brulee");
    expect(await slugOf({ title: "  Straße / Øresund  — 2024  " })).toBe("strasse-oresund-2024");
    expect(await slugOf({ title: "ÀÉÎÕÜ ñ ç" })).toBe("aeiou-n-c");
  });

  it("are never empty: a title with nothing ASCII in it becomes link, link-2, ...", async () => {
    expect(await slugOf({ title: "日本語のタイトル" })).toBe("link");
    expect(await slugOf({ title: "☕☕☕" })).toBe("link-2");
    expect(await slugOf({ title: "---" })).toBe("link-3");
  });

  it("are unique across stores: a generated slug takes the next free suffix", async () => {
    expect(await slugOf({ title: "Coffee Fund" })).toBe("coffee-fund");
    expect(await slugOf({ title: "Coffee fund" }, otherKey)).toBe("coffee-fund-2");
    expect(await slugOf({ title: "COFFEE FUND" })).toBe("coffee-fund-3");
    // An explicit slug that looks like a suffix is skipped by later generated ones.
    expect(await slugOf({ title: "Other", slug: "coffee-fund-4" }, otherKey)).toBe("coffee-fund-4");
    expect(await slugOf({ title: "Coffee Fund" })).toBe("coffee-fund-5");
  });

  it("stay within 64 characters, suffix included", async () => {
    const title = `${"word ".repeat(30)}end`;
    const first = await slugOf({ title });
    const second = await slugOf({ title });
    expect(first.length).toBeLessThanOrEqual(64);
    expect(first).toMatch(/^word(-word)*$/);
    expect(second.length).toBeLessThanOrEqual(64);
    expect(second).toMatch(/^[a-z0-9-]+-2$/);
    expect(second.startsWith(first.slice(0, 56))).toBe(true);
  });

  it("an explicit slug taken by any store is refused with 400", async () => {
    const res = await create({ title: "Donate", slug: "donate" }, otherKey);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(/^slug: "donate" is taken/);
  });
});

describe("list and delete", () => {
  it("lists the store's own links, newest first", async () => {
    const mine = await list();
    const ids = mine.map((l) => l.created_at as number);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    expect(mine[mine.length - 1]?.slug).toBe("donate");
    expect(mine.map((l) => l.slug)).not.toContain("coffee-fund-2");
    expect((await list(otherKey)).map((l) => l.slug)).toEqual(["coffee-fund-4", "coffee-fund-2"]);
  });

  it("DELETE deactivates: the list still shows the link, with is_active false", async () => {
    await slugOf({ title: "Short lived" });
    expect(await call("DELETE", "/payment-links/short-lived")).toEqual({ status: 200, body: { ok: true } });
    const gone = (await list()).find((l) => l.slug === "short-lived");
    expect(gone?.is_active).toBe(false);
    // A deactivated slug stays taken.
    expect((await create({ title: "Again", slug: "short-lived" })).status).toBe(400);
  });

  it("DELETE of an unknown slug, or of another store's link, is a 404 and changes nothing", async () => {
    expect((await call("DELETE", "/payment-links/no-such-link")).status).toBe(404);
    expect((await call("DELETE", "/payment-links/coffee-fund-2")).status).toBe(404);
    expect((await list(otherKey)).find((l) => l.slug === "coffee-fund-2")?.is_active).toBe(true);
  });

  it("a read-only key may list but not create or delete (403)", async () => {
    expect((await call("GET", "/payment-links", undefined, { key: readOnlyKey })).status).toBe(200);
    expect((await call("POST", "/payment-links", { title: "RO" }, { key: readOnlyKey })).status).toBe(403);
    expect((await call("DELETE", "/payment-links/donate", undefined, { key: readOnlyKey })).status).toBe(403);
    expect((await list()).find((l) => l.slug === "donate")?.is_active).toBe(true);
  });

  it("needs an API key", async () => {
    const res = await fetch(`${t.apiUrl}/payment-links`);
    expect(res.status).toBe(401);
  });
});
