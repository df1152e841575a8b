import http from "node:http";
import { type BtpayClient, createBtpayClient } from "@btpay/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../helpers/test-server.js";

const referenceExample = {
  customer_email: "alice@example.com",
  customer_name: "Alice",
  customer_company: "Acme Inc",
  currency: "USD",
  tax_rate: 10,
  lines: [
    { description: "Consulting (1 hour)", quantity: 1, unit_price: "150.00" },
    { description: "Hardware wallet setup", quantity: 2, unit_price: "25.00" },
  ],
  notes: "Payment due within 30 days",
};

let t: TestServer;
let api: BtpayClient;
let key: string;

async function raw(method: string, path: string, body?: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${t.apiUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json", ...headers },
    ...(body === undefined ? {} : { body }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown>, headers: res.headers };
}

/** Runs `fn` while a trigger makes the database refuse inserts into `table` where `when` holds. */
async function whileRefused(table: string, when: string, fn: () => Promise<void>): Promise<void> {
  const em = t.opened.orm.em.fork();
  await em.execute(`create function refuse_${table}() returns trigger language plpgsql as $$
    begin raise exception '${table} refused'; end $$`);
  await em.execute(`create trigger refuse_${table} before insert on ${table} for each row
    when (${when}) execute function refuse_${table}()`);
  try {
    await fn();
  } finally {
    await em.execute(`drop trigger refuse_${table} on ${table}`);
    await em.execute(`drop function refuse_${table}()`);
  }
}

async function invoiceCount(): Promise<number> {
  const { data } = await api.GET("/invoices", { params: { query: { limit: 1 } } });
  return data?.total ?? -1;
}

beforeAll(async () => {
  t = await startTestServer();
  ({ key } = await t.newStoreWithKey());
  api = createBtpayClient({ baseUrl: t.baseUrl, apiKey: key });
});
afterAll(async () => t?.close());

describe("create", () => {
  it("totals the reference example: subtotal 200.00, tax 20.00, total 220.00", async () => {
    const { data, error, response } = await api.POST("/invoices", { body: referenceExample });
    expect(error).toBeUndefined();
    expect(response.status).toBe(201);
    expect(data).toMatchObject({
      status: "draft",
      invoice_number: "INV-0001",
      currency: "USD",
      subtotal: "200.00",
      tax_rate: "10",
      tax_amount: "20.00",
      discount_amount: "0.00",
      total: "220.00",
      amount_paid: "0.00",
      amount_due: "220.00",
      btc_rate: null,
      btc_amount: null,
      customer_email: "alice@example.com",
      customer_name: "Alice",
      customer_company: "Acme Inc",
      notes: "Payment due within 30 days",
      payment_methods: ["onchain_btc"],
      metadata: {},
    });
    expect(data?.ref).toMatch(/^[0-9A-F]{8}-[0-9A-F]{8}$/);
    expect(data?.lines).toEqual([
      { description: "Consulting (1 hour)", quantity: "1", unit_price: "150.00", amount: "150.00" },
      { description: "Hardware wallet setup", quantity: "2", unit_price: "25.00", amount: "50.00" },
    ]);
    expect(Math.abs((data?.created_at ?? 0) - Date.now() / 1000)).toBeLessThan(60);
  });

  it("uses the currency's minor units (JPY 0, BHD 3) and keeps extra unit-price precision", async () => {
    const jpy = await api.POST("/invoices", {
      body: { currency: "jpy", lines: [{ description: "a", quantity: "3", unit_price: "0.5" }] },
    });
    expect(jpy.data).toMatchObject({ currency: "JPY", subtotal: "2", total: "2" });
    const bhd = await api.POST("/invoices", {
      body: { currency: "BHD", tax_rate: "5", lines: [{ description: "b", quantity: "1.5", unit_price: "0.125" }] },
    });
    expect(bhd.data).toMatchObject({ subtotal: "0.188", tax_amount: "0.009", total: "0.197" });
    expect(bhd.data?.lines[0]).toMatchObject({ quantity: "1.5", unit_price: "0.125", amount: "0.188" });
  });

  it("subtracts a discount and stores metadata", async () => {
    const { data } = await api.POST("/invoices", {
      body: {
        lines: [{ description: "x", quantity: 1, unit_price: "100" }],
        discount_amount: "15.50",
        metadata: { order_id: "A-17", nested: { ok: true } },
        payment_methods: ["onchain_btc", "wire"],
      },
    });
    expect(data).toMatchObject({ total: "84.50", discount_amount: "15.50", payment_methods: ["onchain_btc", "wire"] });
    const again = await api.GET("/invoices/{ref}", { params: { path: { ref: data?.ref ?? "" } } });
    expect(again.data?.metadata).toEqual({ order_id: "A-17", nested: { ok: true } });
  });
});

describe("bad input is a 400 naming the field, and writes nothing", () => {
  const bad: [string, string, RegExp][] = [
    ["missing lines", JSON.stringify({ currency: "USD" }), /lines/],
    ["empty lines", JSON.stringify({ lines: [] }), /lines/],
    [
      "non-numeric quantity",
      JSON.stringify({ lines: [{ description: "a", quantity: "abc", unit_price: "1" }] }),
      /lines\[0\]\.quantity/,
    ],
    [
      "negative quantity",
      JSON.stringify({ lines: [{ description: "a", quantity: -1, unit_price: "1" }] }),
      /lines\[0\]\.quantity/,
    ],
    [
      "zero quantity",
      JSON.stringify({ lines: [{ description: "a", quantity: 0, unit_price: "1" }] }),
      /lines\[0\]\.quantity/,
    ],
    [
      "negative price",
      JSON.stringify({ lines: [{ description: "a", quantity: 1, unit_price: "-5" }] }),
      /lines\[0\]\.unit_price/,
    ],
    [
      "price of the wrong type",
      JSON.stringify({ lines: [{ description: "a", quantity: 1, unit_price: true }] }),
      /lines\[0\]\.unit_price/,
    ],
    [
      "negative tax",
      JSON.stringify({ tax_rate: -1, lines: [{ description: "a", quantity: 1, unit_price: "1" }] }),
      /tax_rate/,
    ],
    [
      "negative discount",
      JSON.stringify({ discount_amount: "-1", lines: [{ description: "a", quantity: 1, unit_price: "1" }] }),
      /discount_amount/,
    ],
    [
      "discount above total",
      JSON.stringify({ discount_amount: "2", lines: [{ description: "a", quantity: 1, unit_price: "1" }] }),
      /discount_amount/,
    ],
    [
      "unknown currency",
      JSON.stringify({ currency: "XYZ", lines: [{ description: "a", quantity: 1, unit_price: "1" }] }),
      /currency/,
    ],
    [
      "a number that would lose digits",
      // Written as text: the point is a JSON number with more digits than a double holds.
      '{"lines":[{"description":"a","quantity":1,"unit_price":12345678901234567}]}',
      /unit_price/,
    ],
    ["missing description", JSON.stringify({ lines: [{ quantity: 1, unit_price: "1" }] }), /description/],
    [
      "unknown field",
      JSON.stringify({ lines: [{ description: "a", quantity: 1, unit_price: "1" }], colour: "red" }),
      /colour/,
    ],
    [
      "wrong type for notes",
      JSON.stringify({ notes: 5, lines: [{ description: "a", quantity: 1, unit_price: "1" }] }),
      /notes/,
    ],
    [
      "bad email",
      JSON.stringify({ customer_email: "nope", lines: [{ description: "a", quantity: 1, unit_price: "1" }] }),
      /customer_email/,
    ],
    ["not JSON", "{lines: oops", /JSON/],
    ["a JSON string instead of an object", JSON.stringify("hello"), /JSON|object/],
  ];
  for (const [name, body, field] of bad) {
    it(name, async () => {
      const before = await invoiceCount();
      const res = await raw("POST", "/invoices", body);
      expect(res.status).toBe(400);
      expect(typeof res.body.error).toBe("string");
      expect(res.body.error).toMatch(field);
      expect(await invoiceCount()).toBe(before);
    });
  }

  it("a rejected request consumes no invoice number", async () => {
    const first = await api.POST("/invoices", {
      body: { lines: [{ description: "a", quantity: 1, unit_price: "1" }] },
    });
    await raw(
      "POST",
      "/invoices",
      JSON.stringify({ discount_amount: "9", lines: [{ description: "a", quantity: 1, unit_price: "1" }] }),
    );
    const second = await api.POST("/invoices", {
      body: { lines: [{ description: "a", quantity: 1, unit_price: "1" }] },
    });
    const n = (s: string | undefined) => Number(s?.replace("INV-", ""));
    expect(n(second.data?.invoice_number)).toBe(n(first.data?.invoice_number) + 1);
  });

  it("a body without Content-Type: application/json is refused", async () => {
    const res = await fetch(`${t.apiUrl}/invoices`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "text/plain" },
      body: "lines=1",
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toMatch(/application\/json/);
  });
});

describe("get, status, list", () => {
  it("finds an invoice by ref, invoice number and numeric id", async () => {
    const { data: created } = await api.POST("/invoices", { body: referenceExample });
    for (const ref of [created?.ref, created?.invoice_number, String(created?.id), created?.ref.toLowerCase()]) {
      const { data } = await api.GET("/invoices/{ref}", { params: { path: { ref: ref ?? "" } } });
      expect(data?.ref).toBe(created?.ref);
    }
    const status = await api.GET("/invoices/{ref}/status", { params: { path: { ref: created?.ref ?? "" } } });
    expect(status.data).toEqual({
      invoice_number: created?.invoice_number,
      status: "draft",
      total: "220.00",
      amount_paid: "0.00",
      amount_due: "220.00",
      currency: "USD",
      btc_paid: "0.00000000",
      flags: [],
    });
  });

  it("include_payments=true adds the (empty) payments array", async () => {
    const { data: created } = await api.POST("/invoices", { body: referenceExample });
    const plain = await api.GET("/invoices/{ref}", { params: { path: { ref: created?.ref ?? "" } } });
    expect(plain.data).not.toHaveProperty("payments");
    const { data } = await api.GET("/invoices/{ref}", {
      params: { path: { ref: created?.ref ?? "" }, query: { include_payments: true } },
    });
    expect(data?.payments).toEqual([]);
  });

  it("another store's invoice is a 404, by every kind of lookup", async () => {
    const { data: mine } = await api.POST("/invoices", { body: referenceExample });
    const other = await t.newStoreWithKey("full", "Other shop");
    const theirs = createBtpayClient({ baseUrl: t.baseUrl, apiKey: other.key });
    for (const ref of [mine?.ref, mine?.invoice_number, String(mine?.id)]) {
      const res = await theirs.GET("/invoices/{ref}", { params: { path: { ref: ref ?? "" } } });
      expect(res.response.status).toBe(404);
      expect(res.error).toMatchObject({ error: expect.any(String) });
    }
    const list = await theirs.GET("/invoices");
    expect(list.data).toEqual({ invoices: [], total: 0, limit: 50, offset: 0 });
  });

  it("lists newest first with total, limit, offset and a status filter", async () => {
    const store = await t.newStoreWithKey("full", "List shop");
    const client = createBtpayClient({ baseUrl: t.baseUrl, apiKey: store.key });
    const numbers: string[] = [];
    for (let i = 0; i < 7; i++) {
      const { data } = await client.POST("/invoices", {
        body: { lines: [{ description: `n${i}`, quantity: 1, unit_price: "1" }] },
      });
      numbers.push(data?.invoice_number ?? "");
    }
    await client.DELETE("/invoices/{ref}", { params: { path: { ref: numbers[0] ?? "" } } });
    const page = await client.GET("/invoices", { params: { query: { limit: 3, offset: 1 } } });
    expect(page.data?.total).toBe(7);
    expect(page.data?.limit).toBe(3);
    expect(page.data?.offset).toBe(1);
    expect(page.data?.invoices.map((i) => i.invoice_number)).toEqual([numbers[5], numbers[4], numbers[3]]);
    const cancelled = await client.GET("/invoices", { params: { query: { status: "cancelled" } } });
    expect(cancelled.data?.total).toBe(1);
    expect(cancelled.data?.invoices[0]?.invoice_number).toBe(numbers[0]);
    const drafts = await client.GET("/invoices", { params: { query: { status: "draft" } } });
    expect(drafts.data?.total).toBe(6);
  });

  it("a listed invoice shows every change at once, however it was made (renderings are kept by row version)", async () => {
    const store = await t.newStoreWithKey("full", "Changing shop");
    const client = createBtpayClient({ baseUrl: t.baseUrl, apiKey: store.key });
    const created = await client.POST("/invoices", {
      body: { lines: [{ description: "a", quantity: 1, unit_price: "1" }] },
    });
    const ref = created.data?.ref ?? "";
    const first = async () => (await client.GET("/invoices", {})).data?.invoices[0];
    expect(await first()).toMatchObject({ ref, status: "draft", notes: "" });
    expect(await first()).toMatchObject({ ref, status: "draft", notes: "" }); // now from what was rendered
    await client.DELETE("/invoices/{ref}", { params: { path: { ref } } });
    expect(await first()).toMatchObject({ ref, status: "cancelled" });
    // As another process (or the chain watcher) would: straight in the database.
    const em = t.opened.orm.em.fork();
    await em.execute("update invoice set notes = 'changed elsewhere' where ref = ?", [ref]);
    expect(await first()).toMatchObject({ ref, status: "cancelled", notes: "changed elsewhere" });
    // `checkout_url` is absolute for the host asked: a rendering for one host is not served to another.
    await em.execute(
      `update invoice set status = 'pending', btc_rate = 70000, btc_amount_sats = 1429, btc_rate_sources = '{test}',
         btc_rate_at = now(), payment_address = 'bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq', finalized_at = now(),
         expires_at = now() + interval '15 minutes' where ref = ?`,
      [ref],
    );
    for (const host of ["shop-a.example", "shop-b.example", "shop-a.example"]) {
      // node:http, not fetch: fetch will not send another Host.
      const body = await new Promise<string>((resolve, reject) => {
        const req = http.get(
          `${t.apiUrl}/invoices`,
          { headers: { authorization: `Bearer ${store.key}`, host } },
          (res) => {
            let text = "";
            res.on("data", (d) => (text += d));
            res.on("end", () => resolve(text));
          },
        );
        req.on("error", reject);
      });
      const page = JSON.parse(body) as { invoices: { checkout_url: string | null }[] };
      expect(page.invoices[0]?.checkout_url).toBe(`http://${host}/i/${ref}`);
    }
  });

  it("every page of a long list is the plain ordered read, near the top and deep (both ways a page is read)", async () => {
    const store = await t.newStoreWithKey("full", "Long shop");
    const client = createBtpayClient({ baseUrl: t.baseUrl, apiKey: store.key });
    const em = t.opened.orm.em.fork();
    // 720 invoices straight in the database (the API would take a while), statuses mixed.
    await em.execute(
      `insert into invoice (store_id, ref, invoice_number, status, currency, subtotal, tax_amount, discount_amount, total,
         payment_methods, metadata, notes)
       select ?, upper(substr(md5(? || g::text), 1, 16)), 'LONG-' || lpad(g::text, 4, '0'),
         (array['draft','pending','paid','confirmed','expired','cancelled'])[1 + g % 6], 'USD', 1, 0, 0, 1,
         '{onchain_btc}', '{}', ''
       from generate_series(1, 720) g`,
      [store.storeId, store.storeId],
    );
    const plain = async (status: string | null, limit: number, offset: number) =>
      (
        await em.execute<{ invoice_number: string }[]>(
          `select invoice_number from invoice where store_id = ? and (?::text is null or status = ?)
           order by id desc limit ? offset ?`,
          [store.storeId, status, status, limit, offset],
        )
      ).map((r) => r.invoice_number);
    // The page is read one way below offset 300 and another way from there (migration 20261121163000).
    for (const status of [null, "paid"] as const) {
      for (const offset of [0, 1, 119, 299, 300, 301, 500, 699, 719, 720, 800]) {
        for (const limit of [1, 50, 100]) {
          const query = { limit, offset, ...(status ? { status } : {}) };
          const { data } = await client.GET("/invoices", { params: { query } });
          expect(
            data?.invoices.map((i) => i.invoice_number),
            JSON.stringify(query),
          ).toEqual(await plain(status, limit, offset));
          expect(data?.total).toBe(status ? 120 : 720);
        }
      }
    }
  });

  it("a page past the end is empty and still counts the total", async () => {
    const store = await t.newStoreWithKey("full", "Short shop");
    const client = createBtpayClient({ baseUrl: t.baseUrl, apiKey: store.key });
    await client.POST("/invoices", { body: { lines: [{ description: "a", quantity: 1, unit_price: "1" }] } });
    const page = await client.GET("/invoices", { params: { query: { offset: 5 } } });
    expect(page.data).toEqual({ invoices: [], total: 1, limit: 50, offset: 5 });
    expect(page.response.headers.get("content-type")).toBe("application/json; charset=utf-8");
  });

  for (const q of [
    "status=unknown",
    "limit=0",
    "limit=101",
    "limit=abc",
    "limit=-1",
    "offset=-1",
    "offset=1.5",
    "limt=5",
  ]) {
    it(`refuses ?${q} with 400`, async () => {
      const res = await raw("GET", `/invoices?${q}`);
      expect(res.status).toBe(400);
      expect(res.body.error).toMatch(/query parameter/);
    });
  }
});

describe("cancel", () => {
  it("cancels a draft once; a second cancel is a 400", async () => {
    const { data } = await api.POST("/invoices", { body: referenceExample });
    const ref = data?.ref ?? "";
    const first = await api.DELETE("/invoices/{ref}", { params: { path: { ref } } });
    expect(first.data).toEqual({ ok: true, status: "cancelled" });
    const second = await raw("DELETE", `/invoices/${ref}`);
    expect(second.status).toBe(400);
    expect(second.body.error).toMatch(/cancelled/);
    const after = await api.GET("/invoices/{ref}", { params: { path: { ref } } });
    expect(after.data?.status).toBe("cancelled");
  });

  it("cancelling an unknown invoice is a 404", async () => {
    const res = await raw("DELETE", "/invoices/INV-99999");
    expect(res.status).toBe(404);
  });
});

describe("Idempotency-Key", () => {
  it("a retry with the same key and body returns the first response and creates nothing", async () => {
    const before = await invoiceCount();
    const headers = { "Idempotency-Key": "order-42-attempt" };
    const first = await raw("POST", "/invoices", JSON.stringify(referenceExample), headers);
    const again = await raw("POST", "/invoices", JSON.stringify(referenceExample), headers);
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(await invoiceCount()).toBe(before + 1);
  });

  it("the same key with another body is refused", async () => {
    const headers = { "Idempotency-Key": "order-43" };
    await raw("POST", "/invoices", JSON.stringify(referenceExample), headers);
    const other = await raw("POST", "/invoices", JSON.stringify({ ...referenceExample, notes: "changed" }), headers);
    expect(other.status).toBe(422);
    expect(other.body.error).toMatch(/Idempotency-Key/);
  });

  it("concurrent retries with one key create one invoice", async () => {
    const before = await invoiceCount();
    const headers = { "Idempotency-Key": "burst-1" };
    const results = await Promise.all(
      Array.from({ length: 8 }, () => raw("POST", "/invoices", JSON.stringify(referenceExample), headers)),
    );
    expect(new Set(results.map((r) => r.body.ref)).size).toBe(1);
    expect(await invoiceCount()).toBe(before + 1);
  });

  it("a burst of keyed creates, some retried at once and one key reused for another order, is each answered as if alone", async () => {
    const store = await t.newStoreWithKey("full", "Keyed burst");
    const post = async (idempotencyKey: string, order: number) => {
      const res = await fetch(`${t.apiUrl}/invoices`, {
        method: "POST",
        headers: {
          authorization: `Bearer ${store.key}`,
          "content-type": "application/json",
          "idempotency-key": idempotencyKey,
        },
        body: JSON.stringify({ notes: `order ${order}`, lines: [{ description: "a", quantity: 1, unit_price: "1" }] }),
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    // 30 orders; orders 0-9 are each sent three times in a row, and key k-5 once more with order 99.
    // While the first is written the rest queue, so copies of one key meet in one batch.
    const sends: [string, number][] = [];
    for (let i = 0; i < 30; i++) {
      sends.push([`k-${i}`, i]);
      if (i < 10) sends.push([`k-${i}`, i], [`k-${i}`, i]);
      if (i === 5) sends.push(["k-5", 99]);
    }
    const answers = await Promise.all(sends.map(([k, order]) => post(k, order)));

    // Requests race to the server: under each key, whichever request arrived first made the invoice.
    // Every copy of that request gets its answer; the other request under k-5 gets 422.
    const tries = new Map<string, { order: number; status: number; body: Record<string, unknown> }[]>();
    sends.forEach(([k, order], i) => {
      const a = answers[i] as { status: number; body: Record<string, unknown> };
      tries.set(k, [...(tries.get(k) ?? []), { order, ...a }]);
    });
    const byKey = new Map<string, Record<string, unknown>>();
    for (const [k, all] of tries) {
      const won = all.filter((x) => x.status === 201);
      const lost = all.filter((x) => x.status !== 201);
      const winner = won[0];
      if (!winner) throw new Error(`no request under ${k} made an invoice`);
      expect(winner.body.notes, k).toBe(`order ${winner.order}`);
      for (const x of won)
        expect({ order: x.order, body: x.body }, k).toEqual({ order: winner.order, body: winner.body });
      for (const x of lost) {
        expect({ status: x.status, other: x.order !== winner.order }, k).toEqual({ status: 422, other: true });
        expect(x.body.error).toMatch(/Idempotency-Key/);
      }
      expect(lost.length, k).toBe(k === "k-5" ? all.filter((x) => x.order !== winner.order).length : 0);
      byKey.set(k, winner.body);
    }
    expect(tries.get("k-5")?.filter((x) => x.status === 422).length).toBeGreaterThan(0);
    const numbers = [...byKey.values()].map((b) => b.invoice_number).sort();
    expect(numbers).toEqual(Array.from({ length: 30 }, (_, i) => `INV-${String(i + 1).padStart(4, "0")}`));
    // Later retries replay the stored answers verbatim.
    for (const k of ["k-0", "k-29"]) {
      const again = await post(k, Number(k.slice(2)));
      expect(again).toEqual({ status: 201, body: byKey.get(k) });
    }
    const client = createBtpayClient({ baseUrl: t.baseUrl, apiKey: store.key });
    expect((await client.GET("/invoices", { params: { query: { limit: 1 } } })).data?.total).toBe(30);
  });

  it("a failed request does not burn the key", async () => {
    const headers = { "Idempotency-Key": "fix-and-retry" };
    const bad = await raw(
      "POST",
      "/invoices",
      JSON.stringify({ lines: [{ description: "a", quantity: 1, unit_price: "1" }], discount_amount: "5" }),
      headers,
    );
    expect(bad.status).toBe(400);
    const good = await raw("POST", "/invoices", JSON.stringify(referenceExample), headers);
    expect(good.status).toBe(201);
  });
});

describe("concurrency", () => {
  it("50 concurrent creates get 50 distinct, gapless invoice numbers", async () => {
    const store = await t.newStoreWithKey("full", "Busy shop");
    const client = createBtpayClient({ baseUrl: t.baseUrl, apiKey: store.key });
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        client.POST("/invoices", { body: { lines: [{ description: `item ${i}`, quantity: 1, unit_price: "1" }] } }),
      ),
    );
    const numbers = results.map((r) => r.data?.invoice_number).sort();
    expect(new Set(numbers).size).toBe(50);
    expect(numbers).toEqual(Array.from({ length: 50 }, (_, i) => `INV-${String(i + 1).padStart(4, "0")}`));
    expect(new Set(results.map((r) => r.data?.ref)).size).toBe(50);
  });

  /** `n` creates at once with plain fetch (no Idempotency-Key: the path that is batched). */
  async function createAtOnce(storeKey: string, notes: (i: number) => string, n: number) {
    return Promise.all(
      Array.from({ length: n }, async (_, i) => {
        const res = await fetch(`${t.apiUrl}/invoices`, {
          method: "POST",
          headers: { authorization: `Bearer ${storeKey}`, "content-type": "application/json" },
          body: JSON.stringify({
            notes: notes(i),
            lines: [
              { description: `item ${i}`, quantity: 1, unit_price: "1" },
              { description: "second line", quantity: 2, unit_price: "0.50" },
            ],
          }),
        });
        return { status: res.status, body: (await res.json()) as { invoice_number: string; ref: string } };
      }),
    );
  }

  it("concurrent creates without a key leave together, each whole: its number, its lines and its event", async () => {
    const store = await t.newStoreWithKey("full", "Batched shop");
    // Warms the key's auth cache, so the creates below need the database for nothing else.
    await fetch(`${t.apiUrl}/invoices?limit=1`, { headers: { authorization: `Bearer ${store.key}` } });
    // Hold the store's number row so the first create waits on it and the rest queue behind it:
    // however the requests trickle in, they meet in the lane (not left to timing).
    const lock = t.opened.orm.em.fork();
    await lock.begin();
    await lock.execute("select id from store where id = ? for update", [store.storeId]);
    const sent = createAtOnce(store.key, (i) => `order ${i}`, 40);
    await new Promise((r) => setTimeout(r, 300));
    await lock.commit();
    const results = await sent;
    expect(results.map((r) => r.status)).toEqual(Array(40).fill(201));
    const numbers = results.map((r) => r.body.invoice_number).sort();
    expect(numbers).toEqual(Array.from({ length: 40 }, (_, i) => `INV-${String(i + 1).padStart(4, "0")}`));
    const em = t.opened.orm.em.fork();
    const stored = await em.execute<
      { ref: string; invoice_number: string; notes: string; lines: string; tx: string }[]
    >(
      `select i.ref, i.invoice_number, i.notes, i.created_at::text as tx,
         (select string_agg(l.description || '=' || l.amount::text, ',' order by l.position)
          from invoice_line l where l.invoice_id = i.id) as lines
       from invoice i where i.store_id = ? order by i.id`,
      [store.storeId],
    );
    // Numbers follow the ids: a batch takes its numbers in the order it inserts.
    expect(stored.map((s) => s.invoice_number)).toEqual(numbers);
    for (const s of stored) expect(s.lines).toBe(`item ${s.notes.slice(6)}=1.00000000,second line=1.00000000`);
    // One statement is one transaction, whose now() all its rows share: the first create went
    // alone, and the 39 that queued behind it went together (at most 64 per statement).
    expect(new Set(stored.map((s) => s.tx)).size).toBe(2);
    const events = await em.execute<{ ref: string; invoice_number: string }[]>(
      `select data->>'ref' as ref, data->>'invoice_number' as invoice_number from outbox_event
       where store_id = ? and type = 'invoice.created' order by id`,
      [store.storeId],
    );
    expect(events).toEqual(stored.map((s) => ({ ref: s.ref, invoice_number: s.invoice_number })));
  });

  it("reads asked at once by ref, number and id, from two stores, each get their own store's invoice or 404", async () => {
    const a = await t.newStoreWithKey("full", "Store A");
    const b = await t.newStoreWithKey("full", "Store B");
    const made = {
      a: (await createAtOnce(a.key, (i) => `a ${i}`, 6)).map((r) => r.body as unknown as Record<string, unknown>),
      b: (await createAtOnce(b.key, (i) => `b ${i}`, 6)).map((r) => r.body as unknown as Record<string, unknown>),
    };
    const get = async (storeKey: string, lookup: unknown) => {
      const res = await fetch(`${t.apiUrl}/invoices/${lookup}`, { headers: { authorization: `Bearer ${storeKey}` } });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    const asks: { key: string; lookup: unknown; expected: Record<string, unknown> | null }[] = [];
    for (const [mine, other, invoices] of [
      [a.key, b.key, made.a],
      [b.key, a.key, made.b],
    ] as const) {
      for (const inv of invoices) {
        for (const lookup of [inv.ref, inv.invoice_number, inv.id, String(inv.ref).toLowerCase()]) {
          asks.push({ key: mine, lookup, expected: inv });
          // Both stores have an INV-0001: the other store's key gets its own, never this one.
          if (lookup !== inv.invoice_number) asks.push({ key: other, lookup, expected: null });
        }
      }
    }
    const answers = await Promise.all(asks.map((ask) => get(ask.key, ask.lookup)));
    asks.forEach((ask, i) => {
      const answer = answers[i];
      if (ask.expected === null) expect(answer?.status, `${ask.lookup} from the other store`).toBe(404);
      else expect(answer, String(ask.lookup)).toEqual({ status: 200, body: ask.expected });
    });
  });

  it("list pages asked at once by two stores, with different filters, are each their own page", async () => {
    const a = await t.newStoreWithKey("full", "Lists A");
    const b = await t.newStoreWithKey("full", "Lists B");
    await createAtOnce(a.key, (i) => `a ${i}`, 12);
    await createAtOnce(b.key, (i) => `b ${i}`, 7);
    const list = async (storeKey: string, query: string) => {
      const res = await fetch(`${t.apiUrl}/invoices?${query}`, { headers: { authorization: `Bearer ${storeKey}` } });
      return (await res.json()) as { invoices: { notes: string }[]; total: number; limit: number; offset: number };
    };
    const asks = [
      [a.key, "limit=5"],
      [a.key, "limit=5&offset=5"],
      [a.key, "status=draft&limit=3&offset=10"],
      [a.key, "status=paid"],
      [b.key, "limit=5"],
      [b.key, "offset=6"],
      [b.key, "status=draft&limit=100"],
    ] as const;
    const one = [];
    for (const [k, q] of asks) one.push(await list(k, q));
    const together = await Promise.all([...asks, ...asks].map(([k, q]) => list(k, q)));
    expect(together).toEqual([...one, ...one]);
    expect(one.map((p) => [p.total, p.invoices.length])).toEqual([
      [12, 5],
      [12, 5],
      [12, 2],
      [0, 0],
      [7, 5],
      [7, 1],
      [7, 7],
    ]);
    expect(one[0]?.invoices.every((i) => i.notes.startsWith("a "))).toBe(true);
    expect(one[4]?.invoices.every((i) => i.notes.startsWith("b "))).toBe(true);
  });

  it("one create the database refuses fails alone: its neighbours in the batch are written, with no gap", async () => {
    const store = await t.newStoreWithKey("full", "One bad apple");
    const em = t.opened.orm.em.fork();
    await whileRefused("invoice", "new.notes = 'refuse me'", async () => {
      const results = await createAtOnce(store.key, (i) => (i === 7 ? "refuse me" : `order ${i}`), 20);
      expect(results.filter((r) => r.status === 500)).toHaveLength(1);
      expect(results[7]?.status).toBe(500);
      const numbers = results.filter((r) => r.status === 201).map((r) => r.body.invoice_number);
      expect(numbers.sort()).toEqual(Array.from({ length: 19 }, (_, i) => `INV-${String(i + 1).padStart(4, "0")}`));
    });
    const events = await em.execute<{ n: string }[]>(
      "select count(*)::text as n from outbox_event where store_id = ?",
      [store.storeId],
    );
    expect(events[0]?.n).toBe("19");
  });
});

describe("atomic create", () => {
  it("an invoice is never kept without its invoice.created event: when the event cannot be written, nothing is", async () => {
    const store = await t.newStoreWithKey("full", "Event-less shop");
    const client = createBtpayClient({ baseUrl: t.baseUrl, apiKey: store.key });
    const em = t.opened.orm.em.fork();
    // Make the outbox refuse this store's events, as a crash between two statements would lose one.
    await whileRefused("outbox_event", `new.store_id = '${store.storeId}'`, async () => {
      // Plain fetch: no Idempotency-Key (the SDK adds one on retries, which wraps a transaction round it).
      const refused = await fetch(`${t.apiUrl}/invoices`, {
        method: "POST",
        headers: { authorization: `Bearer ${store.key}`, "content-type": "application/json" },
        body: JSON.stringify({ lines: [{ description: "a", quantity: 1, unit_price: "1" }] }),
      });
      expect(refused.status).toBe(500);
    });
    const listed = await client.GET("/invoices", {});
    expect(listed.data?.total).toBe(0);
    expect(listed.data?.invoices).toEqual([]);
    const created = await client.POST("/invoices", {
      body: { lines: [{ description: "a", quantity: 1, unit_price: "1" }] },
    });
    expect(created.data?.invoice_number).toBe("INV-0001");
    const events = await em.execute<{ type: string; data: { invoice_number: string; ref: string } }[]>(
      "select type, data from outbox_event where store_id = ? order by id",
      [store.storeId],
    );
    expect(events).toEqual([
      {
        type: "invoice.created",
        data: expect.objectContaining({ invoice_number: "INV-0001", ref: created.data?.ref }),
      },
    ]);
  });
});
