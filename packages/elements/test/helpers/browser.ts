import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { Browser, BrowserContextOptions, Page } from "playwright-core";

// Debian's Chromium with the flags that keep it off the network: one launcher for every browser test.
export { launchBrowser } from "../../../server/test/helpers/browser.js";

export interface RecordedEvent {
  type: string;
  detail: Record<string, unknown> & { invoice?: Record<string, unknown> };
  /** The target as seen from `document`: the outermost shadow host the event was retargeted to. */
  target: string;
  bubbles: boolean;
  composed: boolean;
}

/**
 * Records every `btpay-*` event that reaches `document` into `window.btpayEvents`. A classic script
 * in <head>: it runs before the (deferred) module bundle, so not even the first event is missed.
 */
export const EVENT_RECORDER = `<script>
  window.btpayEvents = [];
  for (const type of ["btpay-status-change", "btpay-paid", "btpay-confirmed", "btpay-expired", "btpay-redirect",
    "btpay-error", "btpay-open", "btpay-close"]) {
    document.addEventListener(type, (e) => btpayEvents.push({ type, detail: e.detail, target: e.target.localName,
      bubbles: e.bubbles, composed: e.composed }));
  }
</script>`;

export interface OpenedPage {
  page: Page;
  /** Uncaught page errors and console errors (a CORS failure shows up here). */
  errors: string[];
  events(): Promise<RecordedEvent[]>;
  close(): Promise<void>;
}

export async function openPage(
  browser: Browser,
  url: string,
  options: BrowserContextOptions = {},
): Promise<OpenedPage> {
  const context = await browser.newContext({ locale: "en-US", ...options });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(`pageerror: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(`console: ${message.text()}`);
  });
  await page.goto(url);
  return {
    page,
    errors,
    events: () => page.evaluate(() => (window as unknown as { btpayEvents: RecordedEvent[] }).btpayEvents),
    close: () => context.close(),
  };
}

const AXE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

/**
 * axe-core's WCAG 2.x A/AA and best-practice rules on one element (axe walks into open shadow
 * roots). Returns one line per violation, empty when clean.
 */
export async function axeViolations(page: Page, selector: string): Promise<string[]> {
  await page.addScriptTag({ content: AXE });
  return page.evaluate(async (include) => {
    const axe = (window as unknown as { axe: { run: (...args: unknown[]) => Promise<AxeResults> } }).axe;
    const results = await axe.run(include, {
      runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"] },
    });
    return results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" > ")).join("; ")})`);
  }, selector);
}

interface AxeResults {
  violations: { id: string; help: string; nodes: { target: string[] }[] }[];
}

/** Resolves once `check` returns true (polled every 25 ms), or fails after `timeoutMs`. */
export async function until(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 5_000,
  what = "condition",
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
