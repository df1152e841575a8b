/**
 * Words for what went wrong talking to someone else's HTTP server (bitcoind, Esplora, exchanges):
 * shared so every outbound client reports failures, bodies and Retry-After the same way.
 */

/** Retry-After is delta-seconds or an HTTP date (RFC 9110 10.2.3); undefined if absent or unreadable. */
export function retryAfterMs(header: string | null): number | undefined {
  if (header === null || header.trim() === "") return undefined;
  if (/^\s*\d+\s*$/.test(header)) return Number(header) * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

/** An error's message, with its cause: fetch (undici) hides the useful part (ECONNREFUSED...) there. */
export function errorDetail(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? ` (${error.cause.message})` : "";
  return `${error.message}${cause}`;
}

/** The first bytes of a body for a message: one line, bounded; "" for an empty body. */
export function bodySnippet(text: string, max = 120): string {
  const flat = text.replace(/\s+/g, " ").trim();
  if (flat === "") return "";
  return `: ${flat.length > max ? `${flat.slice(0, max)}...` : flat}`;
}
