import { createServer, type Server } from "node:http";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UserService } from "../../server/src/services/users.js";
import { launchBrowser } from "../../server/test/helpers/browser.js";
import { startTestServer, type TestServer } from "../../server/test/helpers/test-server.js";

// The connect flow in a real browser, under the pages' own CSPs: sign in, pick a store, Authorize,
// and the auto-submitting form (the one inline script, allowed by its hash) posts the key to the
// shop's callback on another origin, which then redirects on (as WordPress does).

const PERMISSIONS = [
  "btcpay.store.canviewinvoices",
  "btcpay.store.cancreateinvoice",
  "btcpay.store.canviewstoresettings",
  "btcpay.store.canmodifyinvoices",
  "btcpay.store.cancreatenonapprovedpullpayments",
  "btcpay.store.webhooks.canmodifywebhooks",
];

let t: TestServer;
let browser: Browser;
let shop: Server;
let shopUrl: string;
let storeId: string;
let userId: string;
const posted: string[] = [];

beforeAll(async () => {
  t = await startTestServer();
  const users = new UserService(t.opened.db);
  userId = (await users.create({ email: "owner@shop.example", password: "correct horse battery staple" })).id;
  storeId = (await t.stores.create({ name: "Mug & Co" })).id;
  await users.setStoreOwner(storeId, "owner@shop.example");
  browser = await launchBrowser();
  // The plugin's `?btcpay-settings-callback`: reads the form, then redirects to its settings page.
  shop = createServer((req, res) => {
    if (req.method === "POST") {
      let body = "";
      req.on("data", (d) => {
        body += d;
      });
      req.on("end", () => {
        posted.push(body);
        res.writeHead(303, { location: "/wp-admin/settings" }).end();
      });
      return;
    }
    res.setHeader("content-type", "text/html");
    res.end("<!doctype html><title>Settings</title><p>BTCPay settings saved</p>");
  });
  await new Promise<void>((resolve) => shop.listen(0, "127.0.0.1", resolve));
  const addr = shop.address();
  shopUrl = `http://127.0.0.1:${typeof addr === "object" && addr ? addr.port : 0}/?btcpay-settings-callback`;
});
afterAll(async () => {
  await browser?.close();
  await new Promise((r) => shop?.close(r));
  await t?.close();
});

describe("connect flow in a real browser", () => {
  it("sign in, Authorize, and the shop receives apiKey, userId and permissions[] by form POST", async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "error") errors.push(m.text());
    });
    const q = new URLSearchParams(PERMISSIONS.map((p) => ["permissions", p]));
    q.set("applicationName", "WooCommerce");
    q.set("strict", "true");
    q.set("selectiveStores", "true");
    q.set("redirect", shopUrl);
    await page.goto(`${t.baseUrl}/api-keys/authorize?${q}`);

    await page.fill("#email", "owner@shop.example");
    await page.fill("#password", "correct horse battery staple");
    await page.click("button[value=login]");
    await page.waitForSelector("text=Authorize WooCommerce");
    expect(await page.isChecked(`input[value="${storeId}"]`)).toBe(true);
    await page.click("button[value=authorize]");

    await page.waitForURL(/\/wp-admin\/settings$/);
    expect(await page.textContent("p")).toBe("BTCPay settings saved");
    expect(posted).toHaveLength(1);
    const form = new URLSearchParams(posted[0]);
    expect(form.get("apiKey")).toMatch(/^btpay_[A-Za-z0-9]{8}_[A-Za-z0-9]{32}$/);
    expect(form.get("userId")).toBe(userId);
    expect(form.getAll("permissions[]")).toEqual(PERMISSIONS.map((p) => `${p}:${storeId}`));
    expect(errors).toEqual([]);
    await page.close();
  });
});
