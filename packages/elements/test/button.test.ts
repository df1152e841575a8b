import { readFileSync } from "node:fs";
import type { PublicPaymentLink } from "@btpay/sdk/public";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { axeViolations, launchBrowser, openPage, until } from "./helpers/browser.js";
import { type FixtureServer, startFixtureServer } from "./helpers/fixture-server.js";
import { waitForState } from "./helpers/invoices.js";

let browser: Browser;
let server: FixtureServer;
const LINKS: Record<string, PublicPaymentLink> = JSON.parse(
  readFileSync(new URL("fixtures/payment-links.json", import.meta.url), "utf8"),
).links;

beforeAll(async () => {
  [browser, server] = await Promise.all([launchBrowser(), startFixtureServer()]);
  for (const link of Object.values(LINKS)) server.setLink(link);
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const button = (slug: string, attributes = "") =>
  `<p>Support us:</p><btpay-button slug="${slug}" server="${server.apiOrigin}" ${attributes}></btpay-button>`;
const dialogOpen = (page: Page) =>
  page.locator("btpay-button [part=dialog]").evaluate((d) => (d as HTMLDialogElement).open);
const postsFor = (slug: string) =>
  server.requests.filter((r) => r.method === "POST" && r.path === `/api/v1/public/payment-links/${slug}/invoices`);

describe.concurrent("<btpay-button>", () => {
  test("a fixed-amount link opens a modal dialog that shows the new invoice", async () => {
    const { page, events, errors, close } = await openPage(browser, server.page(button("coffee")));
    try {
      const pay = page.locator("btpay-button [part=button]");
      expect((await pay.textContent())?.trim()).toBe("Pay with Bitcoin");
      expect(await axeViolations(page, "btpay-button")).toEqual([]);
      const posts = postsFor("coffee").length;
      await pay.click();
      await waitForState(page, "pending");
      expect(await dialogOpen(page)).toBe(true);
      // showModal(): the rest of the page is inert, the dialog is named by the link's title.
      const dialog = page.locator("btpay-button [part=dialog]");
      expect(await dialog.getAttribute("aria-labelledby")).toBe("title");
      expect(await page.locator("btpay-button #title").textContent()).toBe("A coffee");
      expect(await page.evaluate(() => document.querySelector("btpay-button")!.matches(":modal"))).toBe(false);
      expect(await dialog.evaluate((d) => d.matches(":modal"))).toBe(true);
      expect(postsFor("coffee").slice(posts)).toEqual([expect.objectContaining({ status: 201, body: "" })]);
      expect((await page.locator("btpay-invoice [part=amount]").textContent())?.replace(/\s+/g, " ")).toContain(
        "€4.50",
      );
      expect(await axeViolations(page, "btpay-button")).toEqual([]);
      // The inner invoice's events come out of the button.
      await until(async () => (await events()).some((e) => e.type === "btpay-status-change"), 5_000, "status event");
      const recorded = await events();
      expect(recorded[0]).toMatchObject({ type: "btpay-open", target: "btpay-button", detail: { slug: "coffee" } });
      expect(recorded.find((e) => e.type === "btpay-status-change")).toMatchObject({
        target: "btpay-button",
        detail: { status: "pending", previous: null },
      });
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });

  test("an open-amount link asks for the amount first, validates it, and posts it (dark theme, German)", async () => {
    const { page, close } = await openPage(browser, server.page(button("donate", 'lang="de" label="Spenden"')), {
      colorScheme: "dark",
    });
    try {
      const pay = page.locator("btpay-button [part=button]");
      expect((await pay.textContent())?.trim()).toBe("Spenden");
      await pay.click();
      const input = page.locator("btpay-button input");
      await input.waitFor();
      expect(await page.locator("btpay-button label[for=amount]").textContent()).toBe("Betrag (USD)");
      // Focus moves into the form once it is there.
      expect(await page.evaluate(() => document.querySelector("btpay-button")!.shadowRoot!.activeElement?.id)).toBe(
        "amount",
      );
      expect(await axeViolations(page, "btpay-button")).toEqual([]);

      await page.keyboard.type("0");
      await page.keyboard.press("Enter");
      expect(await input.getAttribute("aria-invalid")).toBe("true");
      expect(await page.locator("btpay-button #amount-error").textContent()).toBe(
        "Bitte einen Betrag größer als null eingeben",
      );
      expect(await axeViolations(page, "btpay-button")).toEqual([]);
      expect(postsFor("donate").some((r) => r.body === '{"amount":"0"}')).toBe(false);

      await input.fill("25,50"); // a comma is a decimal mark here
      await page.keyboard.press("Enter");
      await waitForState(page, "pending");
      expect(postsFor("donate").map((r) => r.body)).toContain('{"amount":"25.50"}');
      expect(await page.locator("btpay-invoice").getAttribute("lang")).toBe("de");
      expect((await page.locator("btpay-invoice [part=amount]").textContent())?.replace(/\s+/g, " ")).toContain(
        "25,50 $",
      );
    } finally {
      await close();
    }
  });

  test("Esc and the close button close the dialog, focus returns to the button, polling stops", async () => {
    server.setLink({ ...LINKS.coffee!, slug: "tea", title: "A tea" }); // its own link: tests run concurrently
    const { page, events, close } = await openPage(browser, server.page(button("tea")));
    const focusedPart = () =>
      page.evaluate(() => {
        const host = document.activeElement;
        return `${host?.localName} ${host?.shadowRoot?.activeElement?.getAttribute("part")}`;
      });
    try {
      await page.locator("btpay-button [part=button]").focus();
      await page.keyboard.press("Enter");
      await waitForState(page, "pending");
      await page.keyboard.press("Escape");
      await until(async () => !(await dialogOpen(page)), 5_000, "the dialog to close");
      expect(await focusedPart()).toBe("btpay-button button");
      expect(await page.locator("btpay-invoice").count()).toBe(0);
      expect((await events()).filter((e) => e.type === "btpay-close")).toHaveLength(1);

      // Reopening shows the same invoice again (no second invoice), the close button closes too.
      const posts = postsFor("tea").length;
      await page.keyboard.press("Enter");
      await waitForState(page, "pending");
      expect(postsFor("tea")).toHaveLength(posts);
      await page.locator("btpay-button button.close").click();
      await until(async () => !(await dialogOpen(page)), 5_000, "the dialog to close");
      expect(await focusedPart()).toBe("btpay-button button");
    } finally {
      await close();
    }
  });

  test("an unknown link says it is not available", async () => {
    const { page, close } = await openPage(browser, server.page(button("no-such-link", 'lang="fr"')));
    try {
      await page.locator("btpay-button [part=button]").click();
      await page.locator("btpay-button [role=alert]").waitFor();
      expect(await page.locator("btpay-button [role=alert]").textContent()).toBe(
        "Ce lien de paiement n’est pas disponible",
      );
      expect(await axeViolations(page, "btpay-button")).toEqual([]);
    } finally {
      await close();
    }
  });
});
