import { createHash } from "node:crypto";
import type { Response } from "express";

/** Escapes text for HTML element content and quoted attribute values. */
export function esc(value: unknown): string {
  return String(value ?? "").replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] as string,
  );
}

export const sha256 = (text: string) => `'sha256-${createHash("sha256").update(text).digest("base64")}'`;

/**
 * btpay's hosted-page look (packages/server/src/http/pages/layout.ts: the bridge may not import the
 * server), plus what the consent page needs: a store picker, a permission list, a quiet button.
 */
const STYLE = `
:root { color-scheme: light dark; --fg: #1b1b1f; --muted: #5f6070; --bg: #f6f6f8; --card: #fff; --accent: #f7931a; --ok: #1a7f37; --err: #b42318; }
@media (prefers-color-scheme: dark) { :root { --fg: #ececf1; --muted: #a0a0b0; --bg: #111114; --card: #1c1c21; --ok: #3fb950; --err: #f97066; } }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
main { max-width: 30rem; margin: 3rem auto; padding: 2rem; background: var(--card); border-radius: 12px; box-shadow: 0 1px 4px rgb(0 0 0 / 0.12); }
h1 { font-size: 1.5rem; margin: 0 0 0.25rem; }
.muted { color: var(--muted); font-size: 0.9rem; }
form { margin-top: 1.5rem; }
label { display: block; font-weight: 600; margin: 0.75rem 0 0.25rem; }
input { width: 100%; font: inherit; padding: 0.6rem; border: 1px solid var(--muted); border-radius: 8px; background: transparent; color: inherit; }
fieldset { border: 1px solid var(--muted); border-radius: 8px; margin: 1rem 0 0; padding: 0.5rem 1rem; }
legend { font-weight: 600; padding: 0 0.25rem; }
fieldset label { display: flex; gap: 0.5rem; align-items: baseline; font-weight: 400; margin: 0.4rem 0; }
fieldset input { width: auto; }
ul.permissions { padding-left: 1.25rem; }
button, .button { display: inline-block; margin-top: 1rem; width: 100%; padding: 0.8rem; border: 0; border-radius: 8px; background: var(--accent); color: #111; font: inherit; font-weight: 600; text-align: center; text-decoration: none; cursor: pointer; }
button.quiet { background: transparent; color: var(--fg); border: 1px solid var(--muted); }
button.link { width: auto; margin: 0; padding: 0; background: none; color: var(--muted); text-decoration: underline; font-weight: 400; font-size: 0.9rem; }
.error { color: var(--err); font-weight: 600; }
code { font-family: ui-monospace, monospace; word-break: break-all; }
`;

export const STYLE_SRC = sha256(STYLE);

/** Consent and sign-in pages: no script at all, forms post only here, nothing may frame them. */
export const CONNECT_CSP = [
  "default-src 'none'",
  `style-src ${STYLE_SRC}`,
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join("; ");

export interface PageParts {
  title: string;
  /** Already escaped HTML. */
  body: string;
  /** Extra `<head>` elements, already escaped. */
  head?: string;
  /** Already validated language tag; omitted: the browser's. */
  lang?: string;
  /** Extra CSS appended to the shared style (it must be allowed by the page's CSP, e.g. by hash). */
  style?: string;
}

export function renderPage({ title, body, head = "", lang = "en", style = "" }: PageParts): string {
  return `<!doctype html>
<html lang="${esc(lang)}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>${esc(title)}</title>${head}<style>${STYLE}</style>${
    style ? `<style>${style}</style>` : ""
  }</head>
<body><main>${body}</main></body></html>`;
}

export function sendPage(res: Response, status: number, html: string, csp: string = CONNECT_CSP): void {
  res.setHeader("Content-Security-Policy", csp);
  res.status(status).type("html").send(html);
}

export function errorPage(title: string, message: string): string {
  return renderPage({ title, body: `<h1>${esc(title)}</h1><p class="error">${esc(message)}</p>` });
}
