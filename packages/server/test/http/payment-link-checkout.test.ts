import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../helpers/test-server.js";

// BIP-84 test vector account (mainnet): finalize needs a wallet to hand out addresses from.
const ZPUB =
  "zpub6rFR7y4Q2AijBEqTUquhVz398htDFrtymD9xYYfG1m4wAcvPhXNfE3EfH1r1ADqtfSdVCToUG868RvUUkgDKf31mGDtKsAYz2oz2AGutZYs";
const RATE_LIMIT = 30;
const MAX_OPEN = 3;

let t: TestServer;
let key: string;
let noWalletKey: string;

// BTPAY_TRUST_PROXY lets each test be its own visitor (X-Forwarded-For), with its own rate budget.
let visitors = 0;
const visitor = () => `198.51.100.${++visitors}`;

interface Answer {
  status: number;
  body: Record<string, unknown>;
  headers: Headers;
}

async function api(method: string, path: string, body?: unknown, withKey = key): Promise<Answer> {
  const res = await fetch(`${t.apiUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${withKey}`, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown>, headers: res.headers };
}

/** A public request: no API key, from `ip`. */
async function pub(method: string, path: string, ip: string, body?: unknown): Promise<Answer> {
  const res = await fetch(`${t.apiUrl}/public${path}`, {
    method,
    headers: {
      "x-forwarded-for": ip,
      origin: "https://shop.example",
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {}, headers: res.headers };
}

const pay = (slug: string, ip: string, body?: unknown) => pub("POST", `/payment-links/${slug}/invoices`, ip, body);

async function link(body: Record<string, unknown>, withKey = key): Promise<string> {
  const res = await api("POST", "/payment-links", body, withKey);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.slug as string;
}

/** Addresses handed to an invoice so far (pre-derived ones waiting in the pool do not count). */
async function assignedAddresses(): Promise<number> {
  const rows = (await t.opened.orm.em
    .fork()
    .execute("select count(*)::int as n from address where invoice_id is not null")) as { n: number }[];
  return Number(rows[0]?.n);
}

beforeAll(async () => {
  t = await startTestServer({
    env: {
      BTPAY_RATES_FIXED: "USD:100000,EUR:90000",
      BTPAY_TRUST_PROXY: "true",
      BTPAY_PUBLIC_RATE_LIMIT_PER_MINUTE: String(RATE_LIMIT),
      BTPAY_PAYMENT_LINK_MAX_OPEN_INVOICES: String(MAX_OPEN),
    },
  });
  ({ key } = await t.newStoreWithKey("full", "Demo store"));
  ({ key: noWalletKey } = await t.newStoreWithKey("full", "No wallet"));
  expect((await api("PUT", "/wallet", { xpub: ZPUB })).status).toBe(200);
});
afterAll(async () => t?.close());

describe("public payment link", () => {
  it("is readable without a key, with CORS open to any origin", async () => {
    await link({ title: "Donate", slug: "donate", description: "Support our project" });
    const res = await pub("GET", "/payment-links/donate", visitor());
    expect(res.status).toBe(200);
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    expect(res.body).toEqual({
      slug: "donate",
      title: "Donate",
      description: "Support our project",
      amount: null,
      currency: "USD",
      store_name: "Demo store",
    });
  });

  it("answers a CORS preflight with 204", async () => {
    const res = await fetch(`${t.apiUrl}/public/payment-links/donate/invoices`, {
      method: "OPTIONS",
      headers: {
        origin: "https://shop.example",
        "access-control-request-method": "POST",
        "access-control-request-headers": "content-type",
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    expect(res.headers.get("access-control-allow-methods")).toContain("POST");
    expect(res.headers.get("access-control-allow-headers")?.toLowerCase()).toContain("content-type");
  });

  it("an unknown or deactivated slug is a JSON 404, for reading and for paying", async () => {
    await link({ title: "Retired", amount: "5" });
    expect((await api("DELETE", "/payment-links/retired")).status).toBe(200);
    const ip = visitor();
    for (const slug of ["retired", "no-such-link"]) {
      const read = await pub("GET", `/payment-links/${slug}`, ip);
      expect(read.status).toBe(404);
      expect(read.body.error).toMatch(/not found/);
      expect((await pay(slug, ip)).status).toBe(404);
    }
  });
});

describe("paying an open-amount link", () => {
  it("requires an amount, refuses a bad one with 400, and consumes no address doing so", async () => {
    const before = await assignedAddresses();
    const ip = visitor();
    const missing = await pay("donate", ip);
    expect(missing.status).toBe(400);
    expect(missing.body.error).toBe("amount: this payment link lets the payer choose: send the amount in USD");
    expect((await pay("donate", ip, {})).status).toBe(400);
    for (const amount of ["0", "-1", "12.345", "abc", 1e21]) {
      const res = await pay("donate", ip, { amount });
      expect(res.status, String(amount)).toBe(400);
      expect(String(res.body.error)).toMatch(/^amount/);
    }
    expect(await assignedAddresses()).toBe(before);
  });

  it("creates a finalized invoice with everything the payer needs (201)", async () => {
    await link({ title: "Tip jar", redirect_url: "https://shop.example/thanks", metadata: { campaign: "x" } });
    const res = await pay("tip-jar", visitor(), { amount: "25.00" });
    expect(res.status).toBe(201);
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    const ref = res.body.ref as string;
    expect(res.body).toEqual({
      ref: expect.stringMatching(/^[0-9A-F]{8}-[0-9A-F]{8}$/),
      invoice_number: expect.stringMatching(/^INV-\d{4}$/),
      store_name: "Demo store",
      status: "pending",
      flags: [],
      currency: "USD",
      total: "25.00",
      amount_paid: "0.00",
      amount_due: "25.00",
      btc_amount: "0.00025000",
      btc_paid: "0.00000000",
      btc_due: "0.00025000",
      payment_address: expect.stringMatching(/^bc1q/),
      payment_uri: expect.stringMatching(/^bitcoin:bc1q[a-z0-9]+\?amount=0\.00025&label=INV-\d{4}$/),
      expires_at: expect.any(Number),
      confirmations: null,
      required_confirmations: 1,
      payments: [],
      checkout_url: `${t.baseUrl}/i/${ref}`,
      redirect_url: "https://shop.example/thanks",
    });
    // The merchant sees an ordinary invoice: one line, the link in its metadata.
    const inv = await api("GET", `/invoices/${ref}`);
    expect(inv.body).toMatchObject({
      status: "pending",
      redirect_url: "https://shop.example/thanks",
      checkout_url: `${t.baseUrl}/i/${ref}`,
      lines: [{ description: "Tip jar", quantity: "1", unit_price: "25.00", amount: "25.00" }],
      metadata: { campaign: "x", payment_link: "tip-jar" },
    });
    // And the payer can poll it.
    const polled = await pub("GET", `/invoices/${ref}`, visitor());
    expect(polled.status).toBe(200);
    expect(polled.body).toEqual(res.body);
  });

  it("gives the same visitor their open invoice back (200) instead of a new address", async () => {
    await link({ title: "Same visitor" });
    const ip = visitor();
    const first = await pay("same-visitor", ip, { amount: "10" });
    expect(first.status).toBe(201);
    const before = await assignedAddresses();
    const again = await pay("same-visitor", ip, { amount: "10.00" });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    expect(await assignedAddresses()).toBe(before);
    // Another amount, or another visitor, is another invoice.
    const other = await pay("same-visitor", ip, { amount: "11" });
    expect(other.status).toBe(201);
    expect(other.body.payment_address).not.toBe(first.body.payment_address);
    expect((await pay("same-visitor", visitor(), { amount: "10" })).status).toBe(201);
    expect(await assignedAddresses()).toBe(before + 2);
  });
});

describe("paying a fixed-amount link", () => {
  it("uses the link's amount and refuses one from the payer", async () => {
    await link({ title: "Sticker", amount: "4.50", currency: "EUR" });
    const ip = visitor();
    const refused = await pay("sticker", ip, { amount: "1.00" });
    expect(refused.status).toBe(400);
    expect(refused.body.error).toBe("amount: this payment link has a fixed amount; do not send one");
    const res = await pay("sticker", ip);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ currency: "EUR", total: "4.50", btc_amount: "0.00005000" });
    expect((await pay("sticker", ip, {})).status).toBe(200);
  });

  it("caps open invoices per link: 429 beyond it, no address consumed, a freed slot is reused", async () => {
    await link({ title: "Limited", amount: "1" });
    const made: string[] = [];
    for (let i = 0; i < MAX_OPEN; i++) {
      const res = await pay("limited", visitor());
      expect(res.status).toBe(201);
      made.push(res.body.ref as string);
    }
    const before = await assignedAddresses();
    const refused = await pay("limited", visitor());
    expect(refused.status).toBe(429);
    expect(refused.body.error).toBe("this payment link has too many open invoices, try again in a few minutes");
    const retryAfter = Number(refused.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(30 * 60);
    expect(await assignedAddresses()).toBe(before);

    // The merchant cancels one: its slot is free again.
    expect((await api("DELETE", `/invoices/${made[0]}`)).status).toBe(200);
    expect((await pay("limited", visitor())).status).toBe(201);
    expect((await pay("limited", visitor())).status).toBe(429);
  });

  it("holds the cap under a burst of concurrent visitors", async () => {
    await link({ title: "Burst", amount: "2" });
    const before = await assignedAddresses();
    const answers = await Promise.all(Array.from({ length: 10 }, () => pay("burst", visitor())));
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses).toEqual([...Array(MAX_OPEN).fill(201), ...Array(10 - MAX_OPEN).fill(429)]);
    expect(await assignedAddresses()).toBe(before + MAX_OPEN);
  });

  it("answers finalize's 400 when the store has no wallet, and leaves no draft behind", async () => {
    await link({ title: "Walletless", amount: "3" }, noWalletKey);
    const res = await pay("walletless", visitor());
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(/no wallet/);
    const invoices = await api("GET", "/invoices", undefined, noWalletKey);
    expect((invoices.body.invoices as { status: string }[]).map((i) => i.status)).toEqual(["cancelled"]);
  });
});

describe("polling an invoice", () => {
  it("only by ref, only once finalized, and without the merchant's private fields", async () => {
    const ip = visitor();
    expect((await pub("GET", "/invoices/INV-0001", ip)).status).toBe(400);
    expect((await pub("GET", "/invoices/1", ip)).status).toBe(400);
    expect((await pub("GET", "/invoices/00000000-00000000", ip)).status).toBe(404);
    // An invoice made through the API has a public checkout once finalized, not while a draft.
    const draft = await api("POST", "/invoices", {
      lines: [{ description: "secret line", quantity: 1, unit_price: "1" }],
      customer_email: "alice@example.com",
      notes: "private note",
      metadata: { order: "private-42" },
      redirect_url: "https://shop.example/order/42",
    });
    const ref = draft.body.ref as string;
    expect(draft.body.checkout_url).toBeNull();
    expect((await pub("GET", `/invoices/${ref}`, ip)).status).toBe(404);
    const finalized = await api("POST", `/invoices/${ref}/finalize`);
    expect(finalized.status).toBe(200);
    expect(finalized.body.checkout_url).toBe(`${t.baseUrl}/i/${ref}`);
    const polled = await pub("GET", `/invoices/${ref}`, ip);
    expect(polled.status).toBe(200);
    expect(polled.body).toMatchObject({ ref, status: "pending", redirect_url: "https://shop.example/order/42" });
    const text = JSON.stringify(polled.body);
    for (const secret of ["alice@example.com", "private note", "private-42", "secret line"]) {
      expect(text).not.toContain(secret);
    }
  });

  it("answers an unchanged invoice with a bodiless 304 for its ETag", async () => {
    const ip = visitor();
    const slug = await link({ title: "ETag coffee", amount: "3.50", currency: "USD" });
    const created = await pay(slug, ip);
    const ref = created.body.ref as string;
    const first = await fetch(`${t.apiUrl}/public/invoices/${ref}`, { headers: { "x-forwarded-for": ip } });
    expect(first.status).toBe(200);
    const etag = first.headers.get("etag");
    expect(etag).toMatch(/^W\/".+"$/);
    expect(first.headers.get("cache-control")).toBe("no-cache");
    const again = await fetch(`${t.apiUrl}/public/invoices/${ref}`, {
      headers: { "x-forwarded-for": ip, "if-none-match": etag ?? "" },
    });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe("");
    expect(again.headers.get("access-control-allow-origin")).toBe("*");
    const stale = await fetch(`${t.apiUrl}/public/invoices/${ref}`, {
      headers: { "x-forwarded-for": ip, "if-none-match": 'W/"something-else"' },
    });
    expect(stale.status).toBe(200);
    expect(((await stale.json()) as { ref: string }).ref).toBe(ref);
  });
});

describe("per-address rate limit", () => {
  it("refuses a client address past its budget with 429 and Retry-After, on the JSON and the pages", async () => {
    const ip = visitor();
    let refused: Answer | undefined;
    // The budget is per one-minute window; allow for a window boundary during the loop.
    for (let i = 0; i < 2 * RATE_LIMIT + 1 && !refused; i++) {
      const res = await pub("GET", "/payment-links/donate", ip);
      if (res.status === 429) refused = res;
      else expect(res.status).toBe(200);
    }
    expect(refused?.body.error).toMatch(/rate limit/);
    expect(Number(refused?.headers.get("retry-after"))).toBeGreaterThan(0);
    const page = await fetch(`${t.baseUrl}/pay/donate`, { headers: { "x-forwarded-for": ip } });
    expect(page.status).toBe(429);
    expect(page.headers.get("content-type")).toMatch(/text\/html/);
    expect(page.headers.get("retry-after")).not.toBeNull();
    // Another client address is not affected.
    expect((await pub("GET", "/payment-links/donate", visitor())).status).toBe(200);
  });
});

describe("pages", () => {
  const page = async (path: string, init: RequestInit = {}) => {
    const res = await fetch(`${t.baseUrl}${path}`, {
      redirect: "manual",
      ...init,
      headers: { "x-forwarded-for": visitor(), ...(init.headers as Record<string, string>) },
    });
    return { status: res.status, html: await res.text(), headers: res.headers };
  };
  const form = (amount?: string): RequestInit => ({
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: amount === undefined ? "" : new URLSearchParams({ amount }).toString(),
  });

  it("the link page shows the link, escaped, under a CSP without scripts", async () => {
    await link({ title: "<script>alert(1)</script> Fund", description: 'Say "hi" & <b>thanks</b>' });
    const res = await page("/pay/script-alert-1-script-fund");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/text\/html/);
    expect(res.html).not.toContain("<script");
    expect(res.html).toContain("&lt;script&gt;alert(1)&lt;/script&gt; Fund");
    expect(res.html).toContain("Say &quot;hi&quot; &amp; &lt;b&gt;thanks&lt;/b&gt;");
    expect(res.html).toContain('name="amount"');
    expect(res.html).toContain("Pay with Bitcoin");
    const csp = res.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain("script-src");
    expect(csp).toContain("form-action 'self'");
  });

  it("unknown and deactivated slugs are 404 pages", async () => {
    for (const path of ["/pay/no-such-link", "/pay/retired", "/pay/donate/00000000-00000000", "/pay/a/b/c"]) {
      const res = await page(path);
      expect(res.status, path).toBe(404);
      expect(res.headers.get("content-type")).toMatch(/text\/html/);
    }
    expect((await page("/pay/retired", form())).status).toBe(404);
  });

  it("posting the form makes the invoice and redirects (303) to its checkout page", async () => {
    const res = await page("/pay/donate", form("7.50"));
    expect(res.status).toBe(303);
    const location = res.headers.get("location") ?? "";
    expect(location).toMatch(/^\/i\/[0-9A-F]{8}-[0-9A-F]{8}$/);
    const ref = location.slice(3);
    const checkout = await page(location);
    expect(checkout.status).toBe(200);
    // The hosted checkout is the element, with a no-script copy of what to pay.
    expect(checkout.html).toContain(`<btpay-invoice ref="${ref}" auto-redirect>`);
    expect(checkout.html).toMatch(/<script type="module" src="\/elements\/btpay-invoice\.js(\?v=[0-9a-f]+)?">/);
    expect(checkout.html).toContain("0.00007500 BTC");
    expect(checkout.html).toContain("7.50 USD");
    expect(checkout.html).toMatch(/bc1q[a-z0-9]+/);
    expect(checkout.html).toContain('href="bitcoin:bc1q');
    expect(checkout.html).toContain('<noscript><meta http-equiv="refresh" content="5"></noscript>');
    expect(checkout.html).toContain("Waiting for your payment");
    // The old address of a link's checkout forwards there; under another link's slug it does not exist.
    const old = await fetch(`${t.baseUrl}/pay/donate/${ref}`, { redirect: "manual" });
    expect(old.status).toBe(301);
    expect(old.headers.get("location")).toBe(location);
    expect((await page(`/pay/tip-jar/${ref}`)).status).toBe(404);
  });

  it("a bad amount is a 400 page that says what is wrong", async () => {
    for (const amount of [undefined, "", "abc", "0", "1.234"]) {
      const res = await page("/pay/donate", form(amount));
      expect(res.status, String(amount)).toBe(400);
      expect(res.html).toContain("amount");
      expect(res.html).toContain('href="/pay/donate"');
    }
    expect((await page("/pay/sticker", form("3"))).status).toBe(400);
  });
});
