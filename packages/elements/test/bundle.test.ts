import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { launchBrowser, openPage } from "./helpers/browser.js";
import { type FixtureServer, startFixtureServer } from "./helpers/fixture-server.js";
import { invoiceFixture, waitForState } from "./helpers/invoices.js";

let browser: Browser;
let server: FixtureServer;

beforeAll(async () => {
  [browser, server] = await Promise.all([launchBrowser(), startFixtureServer()]);
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe.concurrent("loading", () => {
  test("the bundles loaded several times over (a CMS plugin plus the theme) define each tag once, no error", async () => {
    const invoice = invoiceFixture("pending");
    server.setInvoice(invoice);
    // Distinct URLs are distinct module instances: each one runs its define() calls.
    const head = ["/btpay-invoice.js", "/btpay-elements.js", "/btpay-elements.js?again", "/btpay-invoice.js?again"]
      .map((src) => `<script type="module" src="${src}"></script>`)
      .join("");
    const body = `<btpay-invoice ref="${invoice.ref}" server="${server.apiOrigin}"></btpay-invoice><btpay-button slug="x"></btpay-button>`;
    const { page, errors, close } = await openPage(browser, server.page(body, { head }));
    try {
      await waitForState(page, "pending");
      expect(
        await page.evaluate(() => [!!customElements.get("btpay-invoice"), !!customElements.get("btpay-button")]),
      ).toEqual([true, true]);
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });

  test('`import "@btpay/elements"` in plain Node (server rendering) does not throw', async () => {
    const script = `
      const elements = await import("@btpay/elements");
      await import("@btpay/elements/invoice");
      console.log(JSON.stringify({
        exports: Object.keys(elements).sort(),
        defined: ["btpay-invoice", "btpay-button"].map((tag) => customElements.get(tag) !== undefined),
      }));`;
    const cwd = fileURLToPath(new URL("..", import.meta.url));
    const { stdout } = await promisify(execFile)(process.execPath, ["--input-type=module", "-e", script], { cwd });
    expect(JSON.parse(stdout)).toEqual({ exports: ["BtpayButton", "BtpayInvoice"], defined: [true, true] });
  });
});
