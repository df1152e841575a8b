import { readFileSync } from "node:fs";
import type { CheckoutInvoice } from "@btpay/sdk/public";
import type { Page } from "playwright-core";

type Vector = { description: string; invoice: CheckoutInvoice };

/** The JSON vectors of test/fixtures/checkout-invoices.json, by name (pending, partial, paid, ...). */
export const INVOICES: Record<string, Vector> = JSON.parse(
  readFileSync(new URL("../fixtures/checkout-invoices.json", import.meta.url), "utf8"),
).invoices;

let next = 0;

/**
 * A copy of a fixture invoice under a ref no other test uses (tests run concurrently against one
 * server), expiring 15 minutes from now unless `overrides` say otherwise.
 */
export function invoiceFixture(name: string, overrides: Partial<CheckoutInvoice> = {}): CheckoutInvoice {
  const vector = INVOICES[name];
  if (!vector) throw new Error(`no invoice fixture "${name}"`);
  const ref = `A1B2C3D4-${(++next).toString(16).toUpperCase().padStart(8, "0")}`;
  return { ...structuredClone(vector.invoice), ref, expires_at: Math.floor(Date.now() / 1000) + 900, ...overrides };
}

/** `data-state` and text of the status line of the (first) invoice on the page, shadow roots pierced. */
export async function statusOf(page: Page): Promise<{ state: string | null; text: string }> {
  const status = page.locator("btpay-invoice [part=status]").first();
  return { state: await status.getAttribute("data-state"), text: (await status.textContent())?.trim() ?? "" };
}

/** Waits until the invoice's status line shows `state` (playwright's CSS engine pierces open shadow roots). */
export async function waitForState(page: Page, state: string, timeout = 5_000): Promise<void> {
  await page.locator(`btpay-invoice [part=status][data-state="${state}"]`).first().waitFor({ timeout });
}
