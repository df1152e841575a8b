import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { axeViolations, launchBrowser, openPage, sleep, until } from "./helpers/browser.js";
import { type FixtureServer, startFixtureServer } from "./helpers/fixture-server.js";
import { invoiceFixture, statusOf, waitForState } from "./helpers/invoices.js";

let browser: Browser;
let server: FixtureServer;

beforeAll(async () => {
  [browser, server] = await Promise.all([launchBrowser(), startFixtureServer()]);
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const element = (ref: string, attributes = "") =>
  `<btpay-invoice ref="${ref}" server="${server.apiOrigin}" ${attributes}></btpay-invoice>`;
const part = (page: Page, name: string) => page.locator(`btpay-invoice [part~=${name}]`).first();
const text = async (page: Page, name: string) => (await part(page, name).textContent())?.replace(/\s+/g, " ").trim();

describe.concurrent("<btpay-invoice> interaction and presentation", () => {
  test("copies the address and the amount, with visible and announced feedback", async () => {
    const invoice = invoiceFixture("pending");
    server.setInvoice(invoice);
    const { page, errors, close } = await openPage(browser, server.page(element(invoice.ref)), {
      permissions: ["clipboard-read", "clipboard-write"],
    });
    const clipboard = () => page.evaluate(() => navigator.clipboard.readText());
    const announced = () => page.locator("btpay-invoice .sr[role=status]").textContent();
    try {
      await waitForState(page, "pending");
      const addressCopy = page.locator("btpay-invoice [part=address] [part=copy-button]");
      expect(await addressCopy.getAttribute("aria-describedby")).toBe("address-label");
      await addressCopy.focus();
      await page.keyboard.press("Enter"); // keyboard reachable, not just clickable
      await page.waitForFunction(
        () => document.querySelector("btpay-invoice")?.shadowRoot?.querySelector(".sr")?.textContent,
      );
      expect(await clipboard()).toBe(invoice.payment_address);
      expect((await addressCopy.textContent())?.trim()).toBe("Copied");
      expect(await announced()).toBe("Copied");

      const amountCopy = page.locator("btpay-invoice [part=amount] [part=copy-button]");
      await amountCopy.click();
      await page.waitForFunction(() => navigator.clipboard.readText().then((t) => t === "0.00035280"));
      expect((await amountCopy.textContent())?.trim()).toBe("Copied");
      expect((await addressCopy.textContent())?.trim()).toBe("Copy");

      // In sats, the amount copied is sats too.
      await part(page, "unit-button").click();
      await amountCopy.click();
      await page.waitForFunction(() => navigator.clipboard.readText().then((t) => t === "35280"));
      expect(await axeViolations(page, "btpay-invoice")).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });

  test('unit="sats" shows sats (BigInt from the BTC string); the toggle switches and reflects', async () => {
    const invoice = invoiceFixture("pending", { btc_amount: "1.23456789", btc_due: "1.23456789" });
    server.setInvoice(invoice);
    const { page, close } = await openPage(browser, server.page(element(invoice.ref, 'unit="sats"')));
    try {
      await waitForState(page, "pending");
      expect(await text(page, "amount")).toContain("123,456,789 sats");
      expect(await text(page, "unit-button")).toBe("Show in BTC");
      await part(page, "unit-button").click();
      expect(await text(page, "amount")).toContain("1.23456789 BTC");
      expect(await page.locator("btpay-invoice").getAttribute("unit")).toBe("btc");
    } finally {
      await close();
    }
  });

  test("the countdown uses the server's clock (Date header), not the browser's", async () => {
    const invoice = invoiceFixture("pending");
    server.setInvoice(invoice); // expires 15 minutes from now
    server.skewClock(invoice.ref, 10 * 60_000); // ...but the server's clock is 10 minutes ahead
    const { page, close } = await openPage(browser, server.page(element(invoice.ref)));
    try {
      await waitForState(page, "pending");
      const first = await part(page, "countdown").locator("time").textContent();
      expect(first).toMatch(/^0[45]:[0-5]\d$/);
      expect(await text(page, "countdown")).toMatch(/^Expires in 0[45]:[0-5]\d$/);
      await sleep(1_100);
      expect(await part(page, "countdown").locator("time").textContent()).not.toBe(first);
    } finally {
      await close();
    }
  });

  test("follows prefers-color-scheme, and theme= overrides it; axe passes in the dark theme", async () => {
    const invoice = invoiceFixture("pending");
    server.setInvoice(invoice);
    const html = `${element(invoice.ref)}${element(invoice.ref, 'theme="light"')}`;
    const { page, close } = await openPage(browser, server.page(html), { colorScheme: "dark" });
    const colours = (index: number) =>
      page
        .locator("btpay-invoice [part=base]")
        .nth(index)
        .evaluate((base) => {
          const style = getComputedStyle(base);
          return [style.backgroundColor, style.color];
        });
    try {
      await waitForState(page, "pending");
      const dark = await colours(0);
      const forcedLight = await colours(1);
      expect(dark).toEqual(["rgb(23, 25, 30)", "rgb(236, 238, 241)"]);
      expect(forcedLight).toEqual(["rgb(255, 255, 255)", "rgb(27, 30, 35)"]);
      await page.emulateMedia({ colorScheme: "light" });
      expect(await colours(0)).toEqual(forcedLight);
      await page.emulateMedia({ colorScheme: "dark" });
      expect(await axeViolations(page, "btpay-invoice")).toEqual([]);
    } finally {
      await close();
    }
  });

  test("speaks the element's lang, else the nearest ancestor's, else the browser's", async () => {
    const invoices = [0, 1, 2].map(() => invoiceFixture("pending"));
    for (const invoice of invoices) server.setInvoice(invoice);
    const html = `${element(invoices[0]!.ref, 'lang="de"')}<div lang="fr-CA">${element(invoices[1]!.ref)}</div>`;
    const { page, close } = await openPage(browser, server.page(html, { lang: null }), { locale: "es-ES" });
    const say = (index: number, name: string) => page.locator(`btpay-invoice [part=${name}]`).nth(index).textContent();
    try {
      await waitForState(page, "pending");
      await page.locator("btpay-invoice [part=status]").nth(1).waitFor();
      expect(await say(0, "status")).toBe("Warte auf Zahlung");
      expect((await say(0, "amount"))?.replace(/\s+/g, " ")).toContain("25,00 $ 0,00035280 BTC");
      expect((await say(0, "wallet-link"))?.trim()).toBe("In Wallet öffnen");
      expect(await say(1, "status")).toBe("En attente du paiement");
      expect(await axeViolations(page, "btpay-invoice")).toEqual([]);

      // No lang anywhere: navigator.language (the context's locale) decides.
      await page.evaluate((ref) => {
        document.querySelector("main")!.insertAdjacentHTML("beforeend", `<btpay-invoice ref="${ref}"></btpay-invoice>`);
      }, invoices[2]!.ref);
      await page.locator("btpay-invoice [part=status][data-state=pending]").nth(2).waitFor();
      expect(await say(2, "status")).toBe("Esperando el pago");
    } finally {
      await close();
    }
  });

  test("auto-redirect goes to redirect_url 5 s after payment, unless btpay-redirect is cancelled", async () => {
    const paid = invoiceFixture("paid", { redirect_url: `${server.origin}/thanks` });
    const held = invoiceFixture("paid", { redirect_url: `${server.origin}/thanks` });
    server.setInvoice(paid);
    server.setInvoice(held);
    const cancel = `<script>document.addEventListener("btpay-redirect", (e) => e.preventDefault())</script>`;
    const going = await openPage(browser, server.page(element(paid.ref, "auto-redirect")));
    const staying = await openPage(browser, server.page(cancel + element(held.ref, "auto-redirect")));
    try {
      await going.page.waitForURL(`${server.origin}/thanks`, { timeout: 8_000 });
      // Not before 5 s after the paid answer (which came after its request).
      const asked = server.requests.find((r) => r.path.endsWith(paid.ref))!.at;
      expect(Date.now() - asked).toBeGreaterThanOrEqual(5_000);
      const redirectEvent = async () => (await staying.events()).find((e) => e.type === "btpay-redirect");
      // The second page opened a little later and fires on its own 5 s timer: allow for a loaded machine.
      await until(async () => (await redirectEvent()) !== undefined, 8_000, "btpay-redirect on the other page");
      expect((await redirectEvent())?.detail).toEqual({ ref: held.ref, url: `${server.origin}/thanks` });
      await sleep(300);
      expect(staying.page.url()).not.toContain("/thanks");
      expect((await statusOf(staying.page)).state).toBe("paid");
    } finally {
      await going.close();
      await staying.close();
    }
  });

  test("without server= it asks the page's own origin", async () => {
    const invoice = invoiceFixture("confirmed");
    server.setInvoice(invoice);
    const { page, errors, close } = await openPage(
      browser,
      server.page(`<btpay-invoice ref="${invoice.ref}"></btpay-invoice>`),
    );
    try {
      await waitForState(page, "confirmed");
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });
});
