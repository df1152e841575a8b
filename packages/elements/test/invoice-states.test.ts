import type { Browser } from "playwright-core";
import { create } from "qrcode";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { axeViolations, launchBrowser, openPage } from "./helpers/browser.js";
import { type FixtureServer, startFixtureServer } from "./helpers/fixture-server.js";
import { INVOICES, invoiceFixture, statusOf, waitForState } from "./helpers/invoices.js";
import { decodeQr } from "./helpers/qr-decode.js";
import { gridFromPath } from "./helpers/qr-grid.js";

let browser: Browser;
let server: FixtureServer;

beforeAll(async () => {
  [browser, server] = await Promise.all([launchBrowser(), startFixtureServer()]);
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** What each fixture must look like: status line, and which parts are there. */
const EXPECTED: Record<string, { state: string; text: string; qr: boolean; redirect: boolean; amount: string }> = {
  pending: {
    state: "pending",
    text: "Waiting for payment",
    qr: true,
    redirect: false,
    amount: "Amount due$25.000.00035280 BTC",
  },
  partial: {
    state: "partial",
    text: "Partly paid",
    qr: true,
    redirect: false,
    amount: "Still due$12.500.00017640 BTC",
  },
  paid: {
    state: "paid",
    text: "Payment received. 1 of 2 confirmations",
    qr: false,
    redirect: true,
    amount: "Total$25.000.00035280 BTC",
  },
  confirmed: {
    state: "confirmed",
    text: "Payment confirmed",
    qr: false,
    redirect: true,
    amount: "Total$25.000.00035280 BTC",
  },
  expired: {
    state: "expired",
    text: "This invoice has expired",
    qr: false,
    redirect: false,
    amount: "Total$25.000.00035280 BTC",
  },
  cancelled: {
    state: "cancelled",
    text: "This invoice was cancelled",
    qr: false,
    redirect: false,
    amount: "Total$25.000.00035280 BTC",
  },
  paid_late: {
    state: "paid-late",
    text: "Paid after the invoice expired",
    qr: false,
    redirect: false,
    amount: "Total$25.000.00035280 BTC",
  },
};

/** The invoice element of a page, cross-origin to the fixture server's API like an embedded checkout. */
const element = (ref: string, attributes = "") =>
  `<btpay-invoice ref="${ref}" server="${server.apiOrigin}" ${attributes}></btpay-invoice>`;

describe.concurrent("<btpay-invoice> renders each state", () => {
  for (const [name, vector] of Object.entries(INVOICES)) {
    test(`${name}: ${vector.description}`, async () => {
      const expected = EXPECTED[name]!;
      const invoice = invoiceFixture(name);
      server.setInvoice(invoice);
      const { page, errors, events, close } = await openPage(browser, server.page(element(invoice.ref)));
      try {
        await waitForState(page, expected.state);
        expect((await statusOf(page)).text).toBe(expected.text);
        const text = async (part: string) =>
          (await page.locator(`btpay-invoice [part=${part}]`).textContent())?.replace(/\s+/g, "");
        expect(await text("header")).toBe("DemostoreINV-0007");
        expect((await text("amount"))?.startsWith(expected.amount.replace(/\s+/g, ""))).toBe(true);
        expect(await page.locator("btpay-invoice [part=qr]").count()).toBe(expected.qr ? 1 : 0);
        expect(await page.locator("btpay-invoice [part=wallet-link]").count()).toBe(expected.qr ? 1 : 0);
        expect(await page.locator("btpay-invoice [part=countdown]").count()).toBe(expected.qr ? 1 : 0);
        if (expected.qr) {
          expect(await page.locator("btpay-invoice [part=wallet-link]").getAttribute("href")).toBe(invoice.payment_uri);
          expect(await text("address")).toContain(invoice.payment_address);
        }
        const redirect = page.locator("btpay-invoice [part=redirect]");
        expect(await redirect.count()).toBe(expected.redirect ? 1 : 0);
        if (expected.redirect) {
          expect(await redirect.getAttribute("href")).toBe(invoice.redirect_url);
          expect(await redirect.textContent()).toBe("Return to the merchant");
        }
        const first = (await events()).find((e) => e.type === "btpay-status-change");
        expect(first?.detail).toMatchObject({ ref: invoice.ref, status: invoice.status, previous: null });
        const types = (await events()).map((e) => e.type);
        expect(types.includes("btpay-paid")).toBe(invoice.status === "paid" || invoice.status === "confirmed");
        expect(types.includes("btpay-expired")).toBe(invoice.status === "expired");
        expect(await axeViolations(page, "btpay-invoice")).toEqual([]);
        expect(errors).toEqual([]);
      } finally {
        await close();
      }
    });
  }

  test("not found: a 404 says so, fires btpay-error and stops polling", async () => {
    const { page, events, close } = await openPage(browser, server.page(element("DEADBEEF-00000000")));
    try {
      await waitForState(page, "not-found");
      expect((await statusOf(page)).text).toBe("Invoice not found");
      expect((await events()).find((e) => e.type === "btpay-error")?.detail).toMatchObject({
        ref: "DEADBEEF-00000000",
        status: 404,
      });
      expect(await axeViolations(page, "btpay-invoice")).toEqual([]);
    } finally {
      await close();
    }
  });
});

describe.concurrent("<btpay-invoice> QR code", () => {
  for (const name of ["pending", "partial"]) {
    test(`${name}: the rendered SVG decodes to the BIP21 URI with the address uppercased`, async () => {
      const invoice = invoiceFixture(name);
      server.setInvoice(invoice);
      const { page, close } = await openPage(browser, server.page(element(invoice.ref)));
      try {
        await waitForState(page, name);
        const qr = page.locator("btpay-invoice svg[part=qr]");
        expect(await qr.getAttribute("role")).toBe("img");
        expect(await qr.getAttribute("aria-label")).toBe("QR code of the payment request");
        const viewBox = (await qr.getAttribute("viewBox"))!.split(" ").map(Number);
        const size = viewBox[2]! - 8; // a 4-module quiet zone on each side
        expect(viewBox).toEqual([-4, -4, size + 8, size + 8]);
        const grid = gridFromPath((await qr.locator("path").getAttribute("d"))!, size);

        const [scheme, query] = invoice.payment_uri.split("?");
        const decoded = decodeQr(grid);
        expect(decoded.text).toBe(`${scheme!.toUpperCase()}?${query}`);
        expect(decoded.text).toContain(invoice.payment_address.toUpperCase());
        expect(decoded.segments).toEqual([
          { mode: "alphanumeric", text: scheme!.toUpperCase() },
          { mode: "byte", text: `?${query}` },
        ]);
        // The bundle's trimmed qrcode draws exactly what the full package computes for the same segments.
        const reference = create(
          [
            { data: scheme!.toUpperCase(), mode: "alphanumeric" },
            { data: new TextEncoder().encode(`?${query}`), mode: "byte" },
          ],
          { errorCorrectionLevel: "M" },
        );
        expect(decoded.version).toBe(reference.version);
        expect(decoded.mask).toBe(reference.maskPattern);
        expect(grid.flat().map(Number)).toEqual(Array.from(reference.modules.data));
      } finally {
        await close();
      }
    });
  }
});
