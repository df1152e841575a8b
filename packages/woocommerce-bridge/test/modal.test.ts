import { createServer, type Server } from "node:http";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser } from "../../server/test/helpers/browser.js";
import { startTestServer, type TestServer } from "../../server/test/helpers/test-server.js";

// The modal checkout as the WooCommerce plugin uses it: a shop page on its own origin loads
// {server}/modal/btcpay.js, calls setApiUrlPrefix + showInvoice + onModalReceiveMessage, and the
// btpay page framed in it reports 'loaded', the invoice's status, and 'close'.

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

/** A real finalized invoice: $12 at the fixed 100,000 USD rate. */
async function invoice(): Promise<string> {
  const made = await api("POST", "/invoices", { lines: [{ description: "Mug", quantity: 1, unit_price: "12" }] });
  expect(made.status, JSON.stringify(made.body)).toBe(201);
  const ref = made.body.ref as string;
  expect((await api("POST", `/invoices/${ref}/finalize`)).status).toBe(200);
  return ref;
}

beforeAll(async () => {
  t = await startTestServer({ env: { BTPAY_RATES_FIXED: "USD:100000" } });
  ({ key } = await t.newStoreWithKey("full", "Mug & Co"));
  expect((await api("PUT", "/wallet", { xpub: ZPUB })).status).toBe(200);
});
afterAll(async () => t?.close());

describe("modal checkout routes", () => {
  it("/modal/btcpay.js is a script any shop may load", async () => {
    const res = await fetch(`${t.baseUrl}/modal/btcpay.js`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/javascript/);
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    expect(res.headers.get("cross-origin-resource-policy")).toBe("cross-origin");
    expect(res.headers.get("cache-control")).toBe("public, max-age=300");
    const js = await res.text();
    for (const name of ["setApiUrlPrefix", "showInvoice", "onModalReceiveMessage", "onModalWillEnter", "hideFrame"]) {
      expect(js).toContain(`${name}:`);
    }
  });

  it("/invoice?id=&view=modal may be framed by any shop; its scripts are files of this server", async () => {
    const ref = await invoice();
    const res = await fetch(`${t.baseUrl}/invoice?id=${ref}&view=modal`);
    expect(res.status).toBe(200);
    expect(res.headers.get("x-frame-options")).toBeNull();
    const csp = res.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("frame-ancestors *");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain("unsafe-inline");
    const html = await res.text();
    expect(html).toContain(`<btpay-invoice ref="${ref}"></btpay-invoice>`);
    const scripts = [...html.matchAll(/<script type="module" src="([^"]+)"><\/script>/g)].map((m) => m[1]);
    expect(scripts).toHaveLength(2);
    expect(scripts[0]).toMatch(/^\/elements\/btpay-invoice\.js\?v=[0-9a-f]{16}$/);
    expect(scripts[1]).toMatch(/^\/modal\/invoice-frame\.js\?v=[0-9a-f]{16}$/);
    expect(html.match(/<script/g)).toHaveLength(2);
    const frameJs = await fetch(`${t.baseUrl}${scripts[1]}`);
    expect(frameJs.headers.get("content-type")).toMatch(/^text\/javascript/);
    expect(frameJs.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");

    // Every other page keeps refusing to be framed.
    expect((await fetch(`${t.baseUrl}/i/${ref}`)).headers.get("x-frame-options")).toBe("DENY");
  });

  it("/invoices/{id} (the plugin's admin link) and /invoice?id= without view=modal go to the hosted checkout", async () => {
    const get = (path: string) => fetch(`${t.baseUrl}${path}`, { redirect: "manual" });
    const admin = await get("/invoices/A1B2C3D4-E5F6A7B8");
    expect(admin.status).toBe(302);
    expect(admin.headers.get("location")).toBe("/i/A1B2C3D4-E5F6A7B8");
    const plain = await get("/invoice?id=A1B2C3D4-E5F6A7B8");
    expect(plain.status).toBe(302);
    expect(plain.headers.get("location")).toBe("/i/A1B2C3D4-E5F6A7B8");
    expect((await get("/invoice?view=modal")).status).toBe(404);
    expect((await get("/invoice?id=%3Cscript%3E&view=modal")).status).toBe(404);
  });
});

describe("modal checkout in a real browser, framed by a shop on another origin", () => {
  let browser: Browser;
  let shop: Server;
  let shopUrl: string;
  let ref: string;

  beforeAll(async () => {
    browser = await launchBrowser();
    ref = await invoice();
    // The shop's checkout page, as the plugin's modalCheckout.js drives btcpay.js.
    shop = createServer((_req, res) => {
      res.setHeader("content-type", "text/html");
      res.end(`<!doctype html><html><head><title>Shop</title>
<script src="${t.baseUrl}/modal/btcpay.js"></script></head>
<body><h1>Checkout</h1><script>
window.received = [];
window.entered = 0;
window.left = 0;
window.btcpay.setApiUrlPrefix(${JSON.stringify(`${t.baseUrl}/`)});
window.btcpay.onModalWillEnter(function () { window.entered++; });
window.btcpay.onModalWillLeave(function () { window.left++; });
window.btcpay.showInvoice(${JSON.stringify(ref)});
window.btcpay.onModalReceiveMessage(function (event) { window.received.push(event.data); });
</script></body></html>`);
    });
    await new Promise<void>((resolve) => shop.listen(0, "127.0.0.1", resolve));
    const addr = shop.address();
    shopUrl = `http://127.0.0.1:${typeof addr === "object" && addr ? addr.port : 0}/checkout`;
    expect(new URL(shopUrl).origin).not.toBe(new URL(t.baseUrl).origin);
  });
  afterAll(async () => {
    await browser?.close();
    await new Promise((r) => shop?.close(r));
  });

  const received = (page: Page) => page.evaluate(() => (window as unknown as { received: unknown[] }).received);
  const frameShown = (page: Page) =>
    page.evaluate(() => {
      const f = document.querySelector<HTMLIFrameElement>("iframe[name=btcpay]");
      return f ? f.style.display : "absent";
    });

  it("shows the invoice after 'loaded', passes {invoiceId, status} on, and hides when the buyer closes it", async () => {
    const page = await browser.newPage();
    // Console errors include CSP refusals, from the shop page and from the frame.
    const errors: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "error") errors.push(m.text());
    });
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.goto(shopUrl);

    // One full-screen frame, shown once the framed page said 'loaded'.
    await page.waitForFunction(
      () => document.querySelector<HTMLIFrameElement>("iframe[name=btcpay]")?.style.display === "block",
    );
    expect(await page.locator("iframe").count()).toBe(1);
    const src = await page.locator("iframe[name=btcpay]").getAttribute("src");
    expect(src).toBe(`${t.baseUrl}/invoice?id=${ref}&view=modal`);
    await page.waitForFunction(
      (id) => (window as unknown as { received: { invoiceId?: string }[] }).received.some((m) => m?.invoiceId === id),
      ref,
    );
    expect(await received(page)).toEqual(["loaded", { invoiceId: ref, status: "new" }]);
    expect(await page.evaluate(() => (window as unknown as { entered: number }).entered)).toBe(1);

    // The framed checkout is the real one: the address to pay, from this server's public API.
    const frame = page.frameLocator("iframe[name=btcpay]");
    await expect.poll(() => frame.locator("btpay-invoice [part=address] code").textContent()).toMatch(/^bc1q/);

    // Messages from anywhere but the frame are ignored: the shop page posting 'close' to itself.
    await page.evaluate(() => window.postMessage("close", "*"));
    await new Promise((r) => setTimeout(r, 200));
    expect(await frameShown(page)).toBe("block");
    expect(await received(page)).toHaveLength(2);

    // A status change reaches the shop: the merchant cancels, the element's next poll sees it.
    expect((await api("DELETE", `/invoices/${ref}`)).status).toBe(200);
    await page.waitForFunction(
      () => (window as unknown as { received: { status?: string }[] }).received.some((m) => m?.status === "invalid"),
      undefined,
      { timeout: 15_000 },
    );

    // The buyer closes it: 'close' reaches the shop's callback and the frame is gone.
    await frame.locator("#btpay-close").click();
    await page.waitForFunction(() => !document.querySelector("iframe[name=btcpay]"));
    expect(await received(page)).toEqual([
      "loaded",
      { invoiceId: ref, status: "new" },
      { invoiceId: ref, status: "invalid" },
      "close",
    ]);
    expect(await page.evaluate(() => (window as unknown as { left: number }).left)).toBe(1);
    expect(errors).toEqual([]);
    await page.close();
  });
});
