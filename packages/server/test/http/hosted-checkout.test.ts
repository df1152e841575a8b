import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../helpers/test-server.js";

// BIP-84 test vector account (mainnet): finalize needs a wallet to hand out addresses from.
const ZPUB =
  "zpub6rFR7y4Q2AijBEqTUquhVz398htDFrtymD9xYYfG1m4wAcvPhXNfE3EfH1r1ADqtfSdVCToUG868RvUUkgDKf31mGDtKsAYz2oz2AGutZYs";

let t: TestServer;
let key: string;

async function api(method: string, path: string, body?: unknown) {
  const res = await fetch(`${t.apiUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function invoice(extra: Record<string, unknown> = {}, finalize = true): Promise<string> {
  const made = await api("POST", "/invoices", {
    lines: [{ description: "Mug", quantity: 1, unit_price: "12" }],
    ...extra,
  });
  expect(made.status, JSON.stringify(made.body)).toBe(201);
  const ref = made.body.ref as string;
  if (finalize) expect((await api("POST", `/invoices/${ref}/finalize`)).status).toBe(200);
  return ref;
}

const page = async (path: string, headers: Record<string, string> = {}) => {
  const res = await fetch(`${t.baseUrl}${path}`, { headers });
  return { status: res.status, html: await res.text(), headers: res.headers };
};

beforeAll(async () => {
  t = await startTestServer({ env: { BTPAY_RATES_FIXED: "USD:100000" } });
  ({ key } = await t.newStoreWithKey("full", "Mug & Co"));
  expect((await api("PUT", "/wallet", { xpub: ZPUB })).status).toBe(200);
});
afterAll(async () => t?.close());

describe("hosted checkout /i/{ref}", () => {
  it("is the <btpay-invoice> element under a CSP that allows only this server's script and API", async () => {
    const ref = await invoice({ redirect_url: "https://mug.example/thanks" });
    const res = await page(`/i/${ref}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    const csp = res.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain("unsafe-inline");
    expect(res.html).toContain(`<btpay-invoice ref="${ref}" auto-redirect></btpay-invoice>`);
    expect(res.html).toContain("<title>INV-0001 · Mug &amp; Co</title>");
    // The script is the versioned bundle, so browsers may cache it for good.
    const src = /<script type="module" src="([^"]+)"><\/script>/.exec(res.html)?.[1] ?? "";
    expect(src).toMatch(/^\/elements\/btpay-invoice\.js\?v=[0-9a-f]{16}$/);
    // No inline script anywhere: the CSP would refuse it.
    expect(res.html.match(/<script/g)).toHaveLength(1);
    // Without script, the page still says what to pay and refreshes itself.
    expect(res.html).toContain("0.00012000 BTC");
    expect(res.html).toContain('<noscript><meta http-equiv="refresh" content="5"></noscript>');
  });

  it("speaks the payer's language: ?lang= first, then Accept-Language, else English", async () => {
    const ref = await invoice();
    expect((await page(`/i/${ref}`)).html).toContain('<html lang="en">');
    expect((await page(`/i/${ref}`, { "accept-language": "de-DE,de;q=0.9,en;q=0.8" })).html).toContain(
      '<html lang="de">',
    );
    expect((await page(`/i/${ref}`, { "accept-language": "ja, pt-BR;q=0.5" })).html).toContain('<html lang="pt">');
    expect((await page(`/i/${ref}?lang=fr`, { "accept-language": "de" })).html).toContain('<html lang="fr">');
    expect((await page(`/i/${ref}?lang=xx`)).html).toContain('<html lang="en">');
  });

  it("drafts, unknown refs, numbers and ids are 404 pages", async () => {
    const draft = await invoice({}, false);
    for (const path of [`/i/${draft}`, "/i/00000000-00000000", "/i/INV-0001", "/i/1", "/i/"]) {
      const res = await page(path);
      expect(res.status, path).toBe(404);
      expect(res.headers.get("content-type"), path).toMatch(/^text\/html/);
    }
  });

  it("a cancelled invoice says so; the no-script copy says not to pay", async () => {
    const ref = await invoice();
    expect((await api("DELETE", `/invoices/${ref}`)).status).toBe(200);
    const res = await page(`/i/${ref}`);
    expect(res.status).toBe(200);
    expect(res.html).toContain("This invoice was cancelled.");
    expect(res.html).not.toContain("http-equiv");
  });

  it("refuses a redirect_url that is not http(s), and changes nothing", async () => {
    const before = await api("GET", "/invoices?limit=1");
    const res = await api("POST", "/invoices", {
      lines: [{ description: "x", quantity: 1, unit_price: "1" }],
      redirect_url: "javascript:alert(1)",
    });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(/redirect_url/);
    expect((await api("GET", "/invoices?limit=1")).body.total).toBe(before.body.total);
  });
});

describe("element bundles /elements/*", () => {
  it("serves the built bundle to any origin, gzipped, cacheable for good under its version", async () => {
    const plain = await fetch(`${t.baseUrl}/elements/btpay-invoice.js`, { headers: { "accept-encoding": "identity" } });
    expect(plain.status, "run `npm run build:elements` first").toBe(200);
    expect(plain.headers.get("content-type")).toMatch(/^text\/javascript/);
    expect(plain.headers.get("access-control-allow-origin")).toBe("*");
    expect(plain.headers.get("cross-origin-resource-policy")).toBe("cross-origin");
    expect(plain.headers.get("cache-control")).toBe("public, max-age=300");
    const body = Buffer.from(await plain.arrayBuffer());
    expect(body.toString("utf8")).toContain("btpay-invoice");

    const version = (plain.headers.get("etag") ?? "").replaceAll('"', "");
    const versioned = await fetch(`${t.baseUrl}/elements/btpay-invoice.js?v=${version}`, {
      headers: { "accept-encoding": "gzip" },
    });
    expect(versioned.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(versioned.headers.get("content-encoding")).toBe("gzip");
    // fetch() inflates transparently; the bytes are the same file either way.
    expect(Buffer.from(await versioned.arrayBuffer()).equals(body)).toBe(true);

    const again = await fetch(`${t.baseUrl}/elements/btpay-invoice.js`, {
      headers: { "if-none-match": `"${version}"` },
    });
    expect(again.status).toBe(304);
  });

  it("anything else under /elements is a JSON 404", async () => {
    const res = await fetch(`${t.baseUrl}/elements/..%2Fpackage.json`);
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: string }).error).toMatch(/no such file/);
  });
});
