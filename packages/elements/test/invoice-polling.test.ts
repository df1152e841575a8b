import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { launchBrowser, openPage, sleep, until } from "./helpers/browser.js";
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

const requestsFor = (ref: string) => server.requests.filter((r) => r.path.endsWith(`/invoices/${ref}`));
const element = (ref: string) => `<btpay-invoice ref="${ref}" server="${server.apiOrigin}"></btpay-invoice>`;

// A page element with its own (open) shadow root around the invoice: events must get out of it.
const SHELL = `<script>
  customElements.define("x-shell", class extends HTMLElement {
    connectedCallback() { this.shadowRoot ?? (this.attachShadow({ mode: "open" }).innerHTML = this.getAttribute("inner")); }
  });
</script>`;

describe.concurrent("<btpay-invoice> polling", () => {
  test("picks up status changes without a reload, using 304s in between; events bubble out of shadow roots", async () => {
    const pending = invoiceFixture("pending");
    const { ref } = pending;
    server.setInvoice(pending);
    const inner = element(ref).replaceAll('"', "&quot;");
    const { page, events, errors, close } = await openPage(
      browser,
      server.page(`${SHELL}<x-shell inner="${inner}"></x-shell>`),
    );
    try {
      await waitForState(page, "pending");
      await until(() => requestsFor(ref).some((r) => r.status === 304), 5_000, "a 304");
      server.setInvoice(invoiceFixture("paid", { ref }));
      await waitForState(page, "paid", 5_000);
      server.setInvoice(invoiceFixture("confirmed", { ref }));
      await waitForState(page, "confirmed", 5_000);

      const requests = requestsFor(ref);
      expect(requests[0]).toMatchObject({ status: 200 });
      expect(requests[0]!.ifNoneMatch).toBeUndefined();
      // Every later poll sends the ETag it last saw back; unchanged answers come back bodiless.
      expect(requests.slice(1).every((r) => r.ifNoneMatch?.startsWith('W/"'))).toBe(true);
      expect(requests.map((r) => r.status)).toContain(304);
      expect(requests.filter((r) => r.status === 200)).toHaveLength(3);

      const recorded = await events();
      expect(recorded.every((e) => e.target === "x-shell" && e.bubbles && e.composed)).toBe(true);
      expect(recorded.map((e) => [e.type, e.detail.previous, e.detail.status])).toEqual([
        ["btpay-status-change", null, "pending"],
        ["btpay-status-change", "pending", "paid"],
        ["btpay-paid", "pending", "paid"],
        ["btpay-status-change", "paid", "confirmed"],
        ["btpay-confirmed", "paid", "confirmed"],
      ]);
      expect(recorded[2]!.detail).toMatchObject({ ref, invoice: { ref, status: "paid", confirmations: 1 } });

      // Confirmed is (almost) final: asked again only once a minute, in case a reorg takes it back.
      const count = requestsFor(ref).length;
      await sleep(3_500);
      expect(requestsFor(ref)).toHaveLength(count);
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });

  test("pauses while the tab is hidden and catches up as soon as it is visible again", async () => {
    const invoice = invoiceFixture("pending");
    server.setInvoice(invoice);
    const { page, close } = await openPage(browser, server.page(element(invoice.ref)));
    const setHidden = (hidden: boolean) =>
      page.evaluate((value) => {
        Object.defineProperty(document, "hidden", { configurable: true, get: () => value });
        Object.defineProperty(document, "visibilityState", {
          configurable: true,
          get: () => (value ? "hidden" : "visible"),
        });
        document.dispatchEvent(new Event("visibilitychange"));
      }, hidden);
    try {
      await waitForState(page, "pending");
      await setHidden(true);
      const count = requestsFor(invoice.ref).length;
      await sleep(4_000); // more than one 3 s polling interval
      expect(requestsFor(invoice.ref)).toHaveLength(count);
      const shown = Date.now();
      await setHidden(false);
      await until(() => requestsFor(invoice.ref).length > count, 3_000, "a poll once visible");
      expect(requestsFor(invoice.ref)[count]!.at - shown).toBeLessThan(1_000); // not the 3 s interval
    } finally {
      await close();
    }
  });

  test("waits out Retry-After on 429 and reports it as btpay-error", async () => {
    const invoice = invoiceFixture("pending");
    server.setInvoice(invoice);
    const { page, events, close } = await openPage(browser, server.page(element(invoice.ref)));
    try {
      await waitForState(page, "pending");
      server.failNext(invoice.ref, 429, { retryAfter: 4 });
      await until(() => requestsFor(invoice.ref).some((r) => r.status === 429), 5_000, "the 429");
      const limited = requestsFor(invoice.ref).findIndex((r) => r.status === 429);
      await until(() => requestsFor(invoice.ref).length > limited + 1, 6_000, "the retry");
      const gap = requestsFor(invoice.ref)[limited + 1]!.at - requestsFor(invoice.ref)[limited]!.at;
      expect(gap).toBeGreaterThanOrEqual(3_950); // the own backoff after one failure would be 1 s
      expect((await events()).find((e) => e.type === "btpay-error")?.detail).toMatchObject({
        ref: invoice.ref,
        status: 429,
      });
      // The invoice stays on screen through a transient failure.
      expect((await page.locator("btpay-invoice [part=status]").getAttribute("data-state")) === "pending").toBe(true);
    } finally {
      await close();
    }
  });

  test("backs off exponentially while the server keeps failing", async () => {
    const invoice = invoiceFixture("pending");
    server.setInvoice(invoice);
    server.failNext(invoice.ref, 503, { times: 3 });
    const { page, close } = await openPage(browser, server.page(element(invoice.ref)));
    try {
      // Nothing shown yet: the element says it cannot reach the server, and keeps trying.
      await waitForState(page, "failed");
      await waitForState(page, "pending", 10_000);
      const at = requestsFor(invoice.ref).map((r) => r.at);
      const gaps = [at[1]! - at[0]!, at[2]! - at[1]!, at[3]! - at[2]!];
      expect(gaps[0]).toBeGreaterThanOrEqual(950);
      expect(gaps[1]).toBeGreaterThanOrEqual(1_950);
      expect(gaps[2]).toBeGreaterThanOrEqual(3_950);
    } finally {
      await close();
    }
  });

  test("stops polling once removed from the page, and resumes when put back", async () => {
    const invoice = invoiceFixture("pending");
    server.setInvoice(invoice);
    const { page, close } = await openPage(browser, server.page(element(invoice.ref)));
    try {
      await waitForState(page, "pending");
      await page.evaluate(() => {
        const invoiceElement = document.querySelector("btpay-invoice")!;
        (window as unknown as { parked: Element }).parked = invoiceElement;
        invoiceElement.remove();
      });
      const count = requestsFor(invoice.ref).length;
      await sleep(4_000);
      expect(requestsFor(invoice.ref)).toHaveLength(count);
      await page.evaluate(() => document.body.append((window as unknown as { parked: Element }).parked));
      await until(() => requestsFor(invoice.ref).length > count, 3_000, "a poll once reconnected");
    } finally {
      await close();
    }
  });

  test("polls an expired invoice slowly, and a cancelled or unknown one not at all", async () => {
    const expired = invoiceFixture("expired");
    const cancelled = invoiceFixture("cancelled");
    server.setInvoice(expired);
    server.setInvoice(cancelled);
    const html = [expired.ref, cancelled.ref, "DEADBEEF-0000FFFF"].map(element).join("");
    const { page, close } = await openPage(browser, server.page(html));
    try {
      await waitForState(page, "cancelled");
      await sleep(4_000);
      expect(requestsFor(expired.ref)).toHaveLength(1);
      expect(requestsFor(cancelled.ref)).toHaveLength(1);
      expect(requestsFor("DEADBEEF-0000FFFF")).toHaveLength(1);
    } finally {
      await close();
    }
  });
});
