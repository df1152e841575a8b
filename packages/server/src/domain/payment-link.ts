import { minorUnits } from "./currency.js";
import { Decimal } from "./decimal.js";
import { ValidationError } from "./errors.js";
import type { PaymentMethod } from "./invoice.js";

/** A payment link as the services see it: plain data, no ORM entity. */
export interface PaymentLinkRecord {
  id: number;
  storeId: string;
  ref: string;
  /** Unique across the server: `/pay/{slug}` names no store. */
  slug: string;
  title: string;
  description: string | null;
  /** Fixed amount (exact decimal string), or null when the payer chooses. */
  amount: string | null;
  currency: string;
  paymentMethods: PaymentMethod[];
  /** http(s) only; where the payer goes once paid. */
  redirectUrl: string | null;
  metadata: Record<string, unknown>;
  isActive: boolean;
  createdAt: Date;
}

export type NewPaymentLink = Omit<PaymentLinkRecord, "id" | "storeId" | "ref" | "slug" | "isActive" | "createdAt">;

export const SLUG_MAX_LENGTH = 64;
const FALLBACK_SLUG = "link";

// Latin letters that Unicode does not decompose into a base letter plus a mark.
const LETTERS: Record<string, string> = { ß: "ss", æ: "ae", œ: "oe", ø: "o", đ: "d", ð: "d", ł: "l", þ: "th", ı: "i" };

const trimDashes = (s: string): string => s.replace(/^-+|-+$/g, "");

/**
 * A title as a URL slug: lower-case ASCII letters and digits separated by single dashes, diacritics
 * stripped ("Café Crème" -> "cafe-creme"), at most 64 characters, never empty ("link" when nothing
 * of the title survives, e.g. a title in Japanese).
 */
export function slugify(title: string): string {
  const ascii = title
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .replace(/[^ -~]/g, (c) => LETTERS[c] ?? "-");
  const slug = trimDashes(trimDashes(ascii.replace(/[^a-z0-9]+/g, "-")).slice(0, SLUG_MAX_LENGTH));
  return slug || FALLBACK_SLUG;
}

/**
 * The n-th candidate for a generated slug: `base` itself, then `base-2`, `base-3`, ..., the base cut
 * short when the suffix would pass the maximum length.
 */
export function slugCandidate(base: string, n: number): string {
  if (n <= 1) return base;
  const suffix = `-${n}`;
  return `${trimDashes(base.slice(0, SLUG_MAX_LENGTH - suffix.length))}${suffix}`;
}

/**
 * What every candidate up to `base-9999999` starts with, so one prefix query finds all slugs that
 * could collide with them.
 */
export function slugStem(base: string): string {
  return trimDashes(base.slice(0, SLUG_MAX_LENGTH - 8));
}

const LIMIT = Decimal.fromUnits(10n ** 15n, 0);

/**
 * A fiat amount for a payment link (its fixed amount, or what a payer chose): positive, with no more
 * decimals than the currency has, below 10^15. Returns it formatted to the currency's minor units.
 */
export function parseLinkAmount(value: unknown, currency: string, field = "amount"): string {
  const amount = Decimal.from(value, field);
  const m = minorUnits(currency);
  if (!amount.isPositive()) throw new ValidationError("must be greater than 0", field);
  if (amount.decimalPlaces() > m) {
    throw new ValidationError(`${currency} has ${m} decimal places, got "${amount.toString()}"`, field);
  }
  if (amount.compare(LIMIT) >= 0) throw new ValidationError("is too large", field);
  return amount.format(m);
}
