import { fileURLToPath } from "node:url";
import type { Browser, Page } from "playwright-core";
import { build } from "vite";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { axeViolations, launchBrowser, openPage } from "./helpers/browser.js";
import { type FixtureServer, startFixtureServer } from "./helpers/fixture-server.js";
import { invoiceFixture } from "./helpers/invoices.js";

// The elements inside React 19 and Vue 3 apps (bundled here with Vite, as an app would be), next to
// the plain-HTML pages of the other tests: attributes set by the framework, events reaching the
// framework's own listeners, a re-render switching the invoice.
let browser: Browser;
let server: FixtureServer;
let apps: string;

beforeAll(async () => {
  const built = await build({
    configFile: false,
    logLevel: "silent",
    root: fileURLToPath(new URL("..", import.meta.url)),
    define: { "process.env.NODE_ENV": '"production"' },
    build: {
      write: false,
      minify: false,
      lib: {
        entry: fileURLToPath(new URL("./frameworks/apps.ts", import.meta.url)),
        formats: ["es"],
        fileName: "apps",
      },
      rolldownOptions: { output: { inlineDynamicImports: true } },
    },
  });
  const output = (Array.isArray(built) ? built[0] : built) as { output: { type: string; code?: string }[] };
  apps = output.output
    .filter((o) => o.type === "chunk")
    .map((o) => o.code ?? "")
    .join("\n");
  [browser, server] = await Promise.all([launchBrowser(), startFixtureServer()]);
  server.script("/apps.js", apps);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const statusIn = (page: Page, index: number) =>
  page.locator("btpay-invoice").nth(index).locator("[part=status]").getAttribute("data-state");

for (const framework of ["React", "Vue"] as const) {
  test(`${framework}: renders the invoice, hears its events, follows a re-render to another invoice`, async () => {
    const first = invoiceFixture("pending");
    const second = invoiceFixture("paid");
    server.setInvoice(first);
    server.setInvoice(second);
    const head =
      '<script type="module" src="/btpay-elements.js"></script><script type="module" src="/apps.js"></script>';
    const { page, errors, close } = await openPage(browser, server.page('<div id="app"></div>', { head }));
    try {
      await page.waitForFunction(() => typeof window.mountReact === "function");
      const mountFn = framework === "React" ? "mountReact" : "mountVue";
      await page.evaluate(
        ([fn, ref, api]) => {
          (window as unknown as { mounted: unknown }).mounted = window[fn as "mountReact"](
            document.getElementById("app") as HTMLElement,
            ref,
            api,
          );
        },
        [mountFn, first.ref, server.apiOrigin] as const,
      );
      await expect.poll(() => statusIn(page, 0), { timeout: 10_000 }).toBe("pending");
      const seen = () => page.evaluate(() => (window as unknown as { mounted: { seen: string[] } }).mounted.seen);
      await expect.poll(seen).toEqual(["pending"]);
      expect(await axeViolations(page, "btpay-invoice")).toEqual([]);

      await page.evaluate(
        (ref) => (window as unknown as { mounted: { show(r: string): void } }).mounted.show(ref),
        second.ref,
      );
      await expect.poll(() => statusIn(page, 0), { timeout: 10_000 }).toBe("paid");
      await expect.poll(seen).toEqual(["pending", "paid"]);
      // One element, updated in place by the framework (not a second one mounted beside it).
      expect(await page.locator("btpay-invoice").count()).toBe(1);
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });
}

describe("ref and invoice-ref", () => {
  test("plain HTML may use either; ref wins when both are given", async () => {
    const a = invoiceFixture("pending");
    const b = invoiceFixture("confirmed");
    server.setInvoice(a);
    server.setInvoice(b);
    const { page, close } = await openPage(
      browser,
      server.page(
        `<btpay-invoice invoice-ref="${a.ref}"></btpay-invoice><btpay-invoice ref="${b.ref}" invoice-ref="${a.ref}"></btpay-invoice>`,
      ),
    );
    try {
      await expect.poll(() => statusIn(page, 0), { timeout: 10_000 }).toBe("pending");
      await expect.poll(() => statusIn(page, 1), { timeout: 10_000 }).toBe("confirmed");
    } finally {
      await close();
    }
  });
});
