// The gzip budget of the browser bundles (level 9, what a CDN would serve at best). Fails the build
// when the invoice bundle or what the button adds on top of it grows past its budget.
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";

const BUDGET = { invoice: 18 * 1024, buttonDelta: 4 * 1024 };

const gzipped = (file) => gzipSync(readFileSync(new URL(`../dist/${file}`, import.meta.url)), { level: 9 }).length;

const invoice = gzipped("btpay-invoice.js");
const elements = gzipped("btpay-elements.js");
const delta = elements - invoice;
const rows = [
  ["btpay-invoice.js", invoice, BUDGET.invoice],
  ["btpay-elements.js", elements, null],
  ["btpay-elements.js - btpay-invoice.js", delta, BUDGET.buttonDelta],
];
let failed = false;
for (const [what, bytes, budget] of rows) {
  const over = budget !== null && bytes > budget;
  failed ||= over;
  const limit = budget === null ? "" : ` / ${budget} budget${over ? "  OVER" : ""}`;
  console.log(`${what.padEnd(38)} ${String(bytes).padStart(6)} B gzip${limit}`);
}
if (failed) {
  console.error("Bundle size budget exceeded.");
  process.exit(1);
}
