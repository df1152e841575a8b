import { createHash } from "node:crypto";
import type { Response } from "express";

/** Escapes text for HTML element content and quoted attribute values. */
export function esc(value: unknown): string {
  return String(value ?? "").replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] as string,
  );
}

/** Only http(s) URLs ever become a link or a redirect (never `javascript:`, `data:` and the like). */
export function safeHttpUrl(value: string | null): string | null {
  if (!value || !URL.canParse(value)) return null;
  const { protocol } = new URL(value);
  return protocol === "http:" || protocol === "https:" ? value : null;
}

const STYLE = `
:root { color-scheme: light dark; --fg: #1b1b1f; --muted: #5f6070; --bg: #f6f6f8; --card: #fff; --accent: #f7931a; --ok: #1a7f37; --err: #b42318; }
@media (prefers-color-scheme: dark) { :root { --fg: #ececf1; --muted: #a0a0b0; --bg: #111114; --card: #1c1c21; --ok: #3fb950; --err: #f97066; } }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
main { max-width: 30rem; margin: 3rem auto; padding: 2rem; background: var(--card); border-radius: 12px; box-shadow: 0 1px 4px rgb(0 0 0 / 0.12); }
h1 { font-size: 1.5rem; margin: 0 0 0.25rem; }
.store, .muted { color: var(--muted); font-size: 0.9rem; }
.description { white-space: pre-line; }
.amount { font-size: 2rem; font-weight: 600; margin: 1rem 0; }
.btc { font-size: 1.5rem; font-weight: 600; margin: 1rem 0 0; }
form { margin-top: 1.5rem; }
label { display: block; font-weight: 600; margin-bottom: 0.25rem; }
input { width: 100%; font: inherit; padding: 0.6rem; border: 1px solid var(--muted); border-radius: 8px; background: transparent; color: inherit; }
button, .button { display: inline-block; margin-top: 1rem; width: 100%; padding: 0.8rem; border: 0; border-radius: 8px; background: var(--accent); color: #111; font: inherit; font-weight: 600; text-align: center; text-decoration: none; cursor: pointer; }
.address { display: block; padding: 0.6rem; margin: 0.5rem 0; border-radius: 8px; background: var(--bg); font-family: ui-monospace, monospace; word-break: break-all; }
.status { font-weight: 600; }
.paid { color: var(--ok); font-size: 1.5rem; }
.error { color: var(--err); font-weight: 600; }
`;

/**
 * No script, no external asset: the one inline style block is allowed by its hash, forms may only
 * post here, and nothing may frame the page.
 */
const STYLE_SRC = `style-src 'sha256-${createHash("sha256").update(STYLE).digest("base64")}'`;
export const PAGE_CSP = [
  "default-src 'none'",
  STYLE_SRC,
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join("; ");

/**
 * The hosted checkout: the same, plus this server's own scripts (the `<btpay-invoice>` bundle) and
 * its own API to poll. No inline script, no third party.
 */
export const CHECKOUT_CSP = [
  "default-src 'none'",
  STYLE_SRC,
  "script-src 'self'",
  "connect-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join("; ");

export interface PageParts {
  title: string;
  /** Already escaped HTML. */
  body: string;
  /** Extra `<head>` elements, already escaped (a meta refresh). */
  head?: string;
  /** The page's language (BCP 47, already validated). */
  lang?: string;
}

export function renderPage({ title, body, head = "", lang = "en" }: PageParts): string {
  return `<!doctype html>
<html lang="${esc(lang)}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>${head}<style>${STYLE}</style></head>
<body><main>${body}</main></body></html>`;
}

export function sendPage(res: Response, status: number, html: string, csp: string = PAGE_CSP): void {
  res.setHeader("Content-Security-Policy", csp);
  res.status(status).type("html").send(html);
}
