import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { UserService } from "../../server/src/services/users.js";
import { startTestServer, type TestServer } from "../../server/test/helpers/test-server.js";

// The connect flow as the WooCommerce plugin drives it: the shop admin's browser is sent to
// /api-keys/authorize, signs in as the store owner, picks one store, and is sent back to the shop
// with a form POST carrying the new key. Here a tiny cookie-keeping client plays the browser.

const REQUIRED = [
  "btcpay.store.canviewinvoices",
  "btcpay.store.cancreateinvoice",
  "btcpay.store.canviewstoresettings",
  "btcpay.store.canmodifyinvoices",
];
const OPTIONAL = ["btcpay.store.cancreatenonapprovedpullpayments", "btcpay.store.webhooks.canmodifywebhooks"];
const SHOP = "http://shop.example/?btcpay-settings-callback";
const PASSWORD = "correct horse battery staple";

function authorizeQuery(permissions = [...REQUIRED, ...OPTIONAL], redirect = SHOP): string {
  const q = new URLSearchParams(permissions.map((p) => ["permissions", p]));
  q.set("applicationName", "WooCommerce");
  q.set("strict", "true");
  q.set("selectiveStores", "true");
  q.set("redirect", redirect);
  q.set("applicationIdentifier", "btcpay-woocommerce");
  return `/api-keys/authorize?${q}`;
}

/** A browser in miniature: keeps the one cookie, follows nothing. */
class Visitor {
  cookie = "";
  constructor(private readonly base: string) {}

  async request(path: string, form?: Record<string, string>) {
    const res = await fetch(`${this.base}${path}`, {
      method: form ? "POST" : "GET",
      redirect: "manual",
      headers: {
        ...(this.cookie ? { cookie: this.cookie } : {}),
        ...(form ? { "content-type": "application/x-www-form-urlencoded" } : {}),
      },
      ...(form ? { body: new URLSearchParams(form).toString() } : {}),
    });
    const setCookie = res.headers.getSetCookie();
    for (const c of setCookie) {
      const [pair = ""] = c.split(";");
      this.cookie = /Max-Age=0/.test(c) ? "" : pair;
    }
    return { status: res.status, html: await res.text(), headers: res.headers, setCookie };
  }

  async csrf(path: string): Promise<string> {
    return csrfOf((await this.request(path)).html);
  }

  /** Signs in from a fresh sign-in form; answers the POST's response. */
  async signIn(path: string, email: string, password = PASSWORD) {
    const csrf = await this.csrf(path);
    return this.request(path, { step: "login", csrf, email, password });
  }
}

const csrfOf = (html: string) => /name="csrf" value="([^"]+)"/.exec(html)?.[1] ?? "";

/** The auto-submitting form's action and fields, in order. */
function postedForm(html: string): { action: string; fields: [string, string][] } {
  const unesc = (s: string) => s.replaceAll("&amp;", "&").replaceAll("&quot;", '"');
  const action = unesc(/<form id="send" method="post" action="([^"]+)"/.exec(html)?.[1] ?? "");
  const fields = [...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map(
    (m): [string, string] => [unesc(m[1] ?? ""), unesc(m[2] ?? "")],
  );
  return { action, fields };
}

let t: TestServer;
let offsetMs = 0;
let owner: { id: string; email: string };
let storeA: string;
let storeB: string;
let foreignStore: string;

/**
 * Moves the server's clock to just after the start of the next one-minute rate-limit window, so
 * each test has the whole sign-in budget of 10 per minute from this client address, and the window
 * does not end in the middle of a test.
 */
function nextWindow(): void {
  const now = Date.now() + offsetMs;
  offsetMs += 60_000 - (now % 60_000) + 500;
}

const keyCount = async (storeId: string) => (await t.keys.list(storeId)).length;

beforeAll(async () => {
  t = await startTestServer({ clock: { now: () => new Date(Date.now() + offsetMs) } });
  const users = new UserService(t.opened.db);
  owner = await users.create({ email: "Owner@Shop.example", password: PASSWORD });
  const other = await users.create({ email: "other@shop.example", password: PASSWORD });
  storeA = (await t.stores.create({ name: "Mug & Co" })).id;
  storeB = (await t.stores.create({ name: "Second shop" })).id;
  foreignStore = (await t.stores.create({ name: "Not yours" })).id;
  await users.setStoreOwner(storeA, owner.email);
  await users.setStoreOwner(storeB, owner.email);
  await users.setStoreOwner(foreignStore, other.email);
});
afterAll(async () => t?.close());
beforeEach(nextWindow);

describe("GET /api-keys/authorize", () => {
  it("without a session is a sign-in form: no script, a strict CSP, a nonce cookie that is HttpOnly and Lax", async () => {
    const v = new Visitor(t.baseUrl);
    const res = await v.request(authorizeQuery());
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    const csp = res.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("form-action 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain("script-src");
    expect(res.html).not.toContain("<script");
    expect(res.html).toContain("<strong>WooCommerce</strong> asks for access");
    expect(res.html).toContain('name="password" type="password"');
    expect(res.setCookie).toHaveLength(1);
    expect(res.setCookie[0]).toMatch(
      /^btpay_connect=[A-Za-z0-9_.-]+; Path=\/api-keys\/authorize; Max-Age=900; HttpOnly; SameSite=Lax$/,
    );
    expect(csrfOf(res.html)).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it("refuses a redirect that is not http(s), and requests with nothing btpay can grant", async () => {
    const v = new Visitor(t.baseUrl);
    for (const path of [
      authorizeQuery(REQUIRED, "javascript:alert(1)"),
      authorizeQuery(REQUIRED, "/relative"),
      authorizeQuery(["btcpay.server.canmodifyserversettings", "unrestricted"]),
      "/api-keys/authorize?permissions=btcpay.store.canviewinvoices",
    ]) {
      const res = await v.request(path);
      expect(res.status, path).toBe(400);
      expect(res.html, path).toContain("Cannot authorize");
    }
  });
});

describe("signing in", () => {
  it("a wrong password answers the sign-in page with an error, sets no session and creates nothing", async () => {
    const before = await keyCount(storeA);
    const v = new Visitor(t.baseUrl);
    const path = authorizeQuery();
    const res = await v.signIn(path, owner.email, "wrong password, clearly");
    expect(res.status).toBe(401);
    expect(res.html).toContain("Wrong email or password.");
    expect(res.html).not.toContain("wrong password, clearly");
    // Still the sign-in form, not the consent page.
    expect((await v.request(path)).html).toContain('name="password"');
    const unknown = await v.signIn(path, "nobody@shop.example");
    expect(unknown.status).toBe(401);
    expect(unknown.html).toContain("Wrong email or password.");
    expect(await keyCount(storeA)).toBe(before);
  });

  it("a sign-in posted without the form's nonce cookie (from another site) is refused before any password check", async () => {
    const v = new Visitor(t.baseUrl);
    const path = authorizeQuery();
    const csrf = await v.csrf(path);
    v.cookie = "";
    const res = await v.request(path, { step: "login", csrf, email: owner.email, password: PASSWORD });
    expect(res.status).toBe(403);
    expect(res.html).toContain("This sign-in form expired");
    expect(res.html).not.toContain("Authorize WooCommerce");
  });
});

describe("authorizing", () => {
  it("the owner signs in, picks one of their stores and is sent back with apiKey, userId and permissions[] exactly as asked", async () => {
    const v = new Visitor(t.baseUrl);
    const path = authorizeQuery();
    const signedIn = await v.signIn(path, "  OWNER@shop.example ");
    expect(signedIn.status).toBe(303);
    expect(signedIn.headers.get("location")).toBe(path);
    expect(signedIn.setCookie[0]).toMatch(/HttpOnly; SameSite=Lax$/);

    const consent = await v.request(path);
    expect(consent.status).toBe(200);
    expect(consent.html).toContain("Authorize WooCommerce");
    expect(consent.html).toContain("View invoices");
    expect(consent.html).toContain("btcpay.store.webhooks.canmodifywebhooks");
    expect(consent.html).toContain("<code>http://shop.example</code>");
    // Only the owner's stores are offered, one to choose.
    expect(consent.html).toContain(`value="${storeA}"`);
    expect(consent.html).toContain(`value="${storeB}"`);
    expect(consent.html).not.toContain(foreignStore);
    expect(consent.html).toContain("Mug &amp; Co");
    expect(consent.html.match(/type="radio"/g)).toHaveLength(2);

    const before = await keyCount(storeB);
    const answer = await v.request(path, { step: "authorize", csrf: csrfOf(consent.html), storeId: storeB });
    expect(answer.status).toBe(200);
    const { action, fields } = postedForm(answer.html);
    expect(action).toBe(SHOP);
    const [apiKey, userId, ...permissions] = fields;
    expect(apiKey?.[0]).toBe("apiKey");
    expect(apiKey?.[1]).toMatch(/^btpay_[A-Za-z0-9]{8}_[A-Za-z0-9]{32}$/);
    expect(userId).toEqual(["userId", owner.id]);
    expect(permissions).toEqual([...REQUIRED, ...OPTIONAL].map((p) => ["permissions[]", `${p}:${storeB}`]));
    // The one inline script, allowed by its hash; the form may leave for the shop (and its redirects).
    const csp = answer.headers.get("content-security-policy") ?? "";
    expect(csp).toMatch(/script-src 'sha256-[A-Za-z0-9+/=]+'/);
    expect(csp).toContain("form-action http: https:");
    expect(answer.html).toContain('<button type="submit">Continue</button>');

    // One key, on that store only, named after the app, never full access.
    const keys = await t.keys.list(storeB);
    expect(keys).toHaveLength(before + 1);
    const key = keys.at(-1);
    expect(key?.name).toBe("WooCommerce");
    expect(key?.access).toBe("read_only");
    const stored = (await t.opened.orm.em
      .fork()
      .execute("select permissions, user_id from api_key where prefix = ?", [key?.prefix])) as {
      permissions: string[];
      user_id: string;
    }[];
    expect(stored[0]).toEqual({ permissions: [...REQUIRED, ...OPTIONAL], user_id: owner.id });

    // The key works on the Greenfield API the plugin calls next.
    const current = await fetch(`${t.apiUrl}/api-keys/current`, {
      headers: { authorization: `token ${apiKey?.[1]}` },
    });
    expect(current.status).toBe(200);
    const body = (await current.json()) as { apiKey: string; permissions: string[] };
    expect(body.apiKey).toBe(apiKey?.[1]);
    expect([...body.permissions].sort()).toEqual([...REQUIRED, ...OPTIONAL].map((p) => `${p}:${storeB}`).sort());
  });

  it("grants exactly what was asked: without the optional permissions, only the four required ones", async () => {
    const v = new Visitor(t.baseUrl);
    const path = authorizeQuery([...REQUIRED, "btcpay.server.canmodifyserversettings"]);
    await v.signIn(path, owner.email);
    const consent = await v.request(path);
    expect(consent.html).toContain("Not granted (btpay does not offer them): btcpay.server.canmodifyserversettings");
    const answer = await v.request(path, { step: "authorize", csrf: csrfOf(consent.html), storeId: storeA });
    const { fields } = postedForm(answer.html);
    expect(fields.slice(2)).toEqual(REQUIRED.map((p) => ["permissions[]", `${p}:${storeA}`]));
  });

  it("a store the user does not own (or that does not exist) cannot be picked", async () => {
    const v = new Visitor(t.baseUrl);
    const path = authorizeQuery();
    await v.signIn(path, owner.email);
    const csrf = csrfOf((await v.request(path)).html);
    for (const storeId of [foreignStore, "NoSuchStore", ""]) {
      const res = await v.request(path, { step: "authorize", csrf, storeId });
      expect(res.status, storeId).toBe(403);
      expect(res.html).toContain("Choose one of the stores you own.");
      expect(res.html).not.toContain('id="send"');
    }
    expect(await keyCount(foreignStore)).toBe(0);
  });

  it("authorize needs the session and its CSRF token: without either, nothing is created", async () => {
    const before = (await keyCount(storeA)) + (await keyCount(storeB));
    const v = new Visitor(t.baseUrl);
    const path = authorizeQuery();
    await v.signIn(path, owner.email);
    const csrf = csrfOf((await v.request(path)).html);

    const wrongToken = await v.request(path, { step: "authorize", csrf: `${csrf.slice(0, -2)}AA`, storeId: storeA });
    expect(wrongToken.status).toBe(403);
    const noToken = await v.request(path, { step: "authorize", storeId: storeA });
    expect(noToken.status).toBe(403);

    // Another browser (no cookie) with a valid token: not signed in.
    const stranger = new Visitor(t.baseUrl);
    const noSession = await stranger.request(path, { step: "authorize", csrf, storeId: storeA });
    expect(noSession.status).toBe(401);
    expect(noSession.html).toContain("Please sign in first.");

    // A forged cookie is no session either.
    stranger.cookie = "btpay_connect=v1.AAAA.BBBB.CCCC";
    expect((await stranger.request(path, { step: "authorize", csrf, storeId: storeA })).status).toBe(401);
    expect((await keyCount(storeA)) + (await keyCount(storeB))).toBe(before);
  });

  it("Cancel goes back to the app without a key; Sign out ends the session", async () => {
    const before = await keyCount(storeA);
    const v = new Visitor(t.baseUrl);
    const path = authorizeQuery();
    await v.signIn(path, owner.email);
    const csrf = csrfOf((await v.request(path)).html);
    const cancel = await v.request(path, { step: "cancel", csrf });
    expect(cancel.status).toBe(303);
    expect(cancel.headers.get("location")).toBe(SHOP);
    expect(await keyCount(storeA)).toBe(before);

    const out = await v.request(path, { step: "logout" });
    expect(out.status).toBe(303);
    expect(out.setCookie[0]).toMatch(/^btpay_connect=; .*Max-Age=0/);
    expect((await v.request(path)).html).toContain('name="password"');
  });

  it("a session ends after 15 minutes", async () => {
    const v = new Visitor(t.baseUrl);
    const path = authorizeQuery();
    await v.signIn(path, owner.email);
    const csrf = csrfOf((await v.request(path)).html);
    offsetMs += 16 * 60_000;
    const res = await v.request(path, { step: "authorize", csrf, storeId: storeA });
    expect(res.status).toBe(401);
  });
});

describe("sign-in rate limit", () => {
  it("after 10 attempts a minute the sign-in answers 429 with Retry-After, even with the right password; a minute later it works", async () => {
    const v = new Visitor(t.baseUrl);
    const path = authorizeQuery();
    for (let i = 0; i < 10; i++) expect((await v.signIn(path, owner.email, `guess number ${i}`)).status).toBe(401);
    const limited = await v.signIn(path, owner.email);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(limited.html).toContain("Too many sign-in attempts");
    nextWindow();
    expect((await v.signIn(path, owner.email)).status).toBe(303);
  });
});
