import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHROMIUM_PATH, launchBrowser } from "../helpers/browser.js";
import { type DevHarness, startDevHarness } from "./dev-harness.js";

// The playground in a real browser, served by dev mode with the element bundle btpay serves:
// create an invoice, watch <btpay-invoice> go paid and confirmed as the simulate buttons move
// devchain, and the webhook sink's verified events show up in the list.

const root = fileURLToPath(new URL("../../../../", import.meta.url));
const BUNDLE = `${root}packages/elements/dist/btpay-elements.js`;
const ready = existsSync(CHROMIUM_PATH) && existsSync(BUNDLE);

let h: DevHarness;
let browser: Browser;

beforeAll(async () => {
  if (!ready) return;
  // What `npm start` does before starting the server (`npm run build -w @btpay/playground`).
  execFileSync(process.execPath, [`${root}node_modules/vite/bin/vite.js`, "build", "--logLevel", "warn"], {
    cwd: `${root}playground`,
    stdio: "inherit",
  });
  [h, browser] = await Promise.all([startDevHarness(), launchBrowser()]);
});

afterAll(async () => {
  await browser?.close();
  await h?.close();
});

describe("playground (browser)", () => {
  it.skipIf(!ready)(
    "create -> <btpay-invoice> pending -> Pay full -> paid -> Mine 1 block -> confirmed; webhook events listed verified",
    async () => {
      const page = await browser.newPage();
      const problems: string[] = [];
      page.on("pageerror", (err) => problems.push(`pageerror: ${err.message}`));
      page.on("console", (m) => {
        if (m.type() === "error") problems.push(`console: ${m.text()}`);
      });
      page.on("response", (r) => {
        if (r.status() >= 400) problems.push(`${r.status()} ${r.url()}`);
      });

      // / sends the developer to the playground.
      await page.goto(`${h.url}/`);
      expect(page.url()).toBe(`${h.url}/playground/`);
      await expect.poll(() => page.locator("#session").textContent()).toContain("network regtest");
      await expect.poll(() => page.locator("btpay-button").count()).toBe(2);

      await page.getByRole("button", { name: "Create invoice", exact: true }).click();
      const status = page.locator("btpay-invoice [part=status]");
      await status.waitFor({ state: "visible", timeout: 15_000 });
      await expect.poll(() => status.getAttribute("data-state"), { timeout: 15_000 }).toBe("pending");
      const ref = await page.locator("#target").textContent();
      expect(ref).toMatch(/^[A-Z0-9]+-[A-Z0-9]+$/);

      await page.getByRole("button", { name: "Pay full" }).click();
      await expect.poll(() => page.locator("#simulate-result").textContent()).toMatch(/^Sent \d+ sats/);
      await expect.poll(() => status.getAttribute("data-state"), { timeout: 15_000 }).toBe("paid");

      await page.getByRole("button", { name: "Mine 1 block" }).click();
      await expect.poll(() => status.getAttribute("data-state"), { timeout: 15_000 }).toBe("confirmed");

      const listed = (event: string) => page.locator(`#event-list li[data-event="${event}"][data-verified="true"]`);
      await expect.poll(() => listed("invoice.paid").count(), { timeout: 10_000 }).toBe(1);
      await expect.poll(() => listed("invoice.confirmed").count(), { timeout: 10_000 }).toBe(1);
      await expect.poll(() => page.locator("#invoice-json").getAttribute("data-status")).toBe("confirmed");
      expect(await page.locator('#event-list li[data-verified="false"]').count()).toBe(0);
      expect(problems).toEqual([]);
      // `npm run screenshots` keeps a picture of the playground for the README.
      if (process.env.BTPAY_SCREENSHOTS === "1") {
        await page.setViewportSize({ width: 1280, height: 900 });
        await page.screenshot({ path: `${root}docs/screenshots/playground.png`, fullPage: false });
      }
    },
  );
});
