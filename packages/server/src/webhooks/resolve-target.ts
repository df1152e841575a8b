/**
 * Turns a webhook URL's host into the one address the delivery will connect to. Checking the URL
 * text is not enough: any public name can resolve to 127.0.0.1 or 169.254.169.254. So every address
 * the name resolves to is checked, and the sender connects to the returned address instead of
 * resolving again; a DNS answer that changes between check and connect (DNS rebinding) cannot
 * redirect the request. Run `checkWebhookUrl` first: this looks at addresses, not at names or schemes.
 */
import { lookup as dnsLookup } from "node:dns/promises";
import { isIP } from "node:net";
import { describeRange, isForbiddenAddress } from "./url-policy.js";

export type WebhookLookup = (hostname: string) => Promise<{ address: string; family: number }[]>;

export type ResolvedTarget = { ok: true; address: string; family: 4 | 6 } | { ok: false; reason: string };

/** getaddrinfo cannot be cancelled, but a delivery need not wait for it longer than this. */
const DEFAULT_TIMEOUT_MS = 5_000;

// verbatim: keep the resolver's order, so "first allowed" means the address the system prefers.
const systemLookup: WebhookLookup = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

export async function resolveWebhookTarget(
  url: URL,
  opts: { allowPrivate: boolean; lookup?: WebhookLookup; timeoutMs?: number },
): Promise<ResolvedTarget> {
  const host = url.hostname;
  const literal = host.startsWith("[") ? host.slice(1, -1) : host;
  if (isIP(literal) !== 0) {
    const label = opts.allowPrivate ? null : isForbiddenAddress(literal);
    if (label !== null) return { ok: false, reason: `webhook URL host ${host} is ${describeRange(label)}` };
    return { ok: true, address: literal, family: isIP(literal) as 4 | 6 };
  }

  let addresses: string[];
  try {
    const answers = await withTimeout((opts.lookup ?? systemLookup)(host), opts.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    addresses = answers.map((answer) => answer.address);
  } catch (error) {
    return { ok: false, reason: `could not resolve webhook URL host ${host}: ${describeLookupError(error)}` };
  }
  if (addresses.length === 0) return { ok: false, reason: `webhook URL host ${host} resolves to no address` };
  return check(host, addresses, opts.allowPrivate);
}

function check(host: string, addresses: string[], allowPrivate: boolean): ResolvedTarget {
  if (!allowPrivate) {
    // One bad answer refuses the whole name: an attacker controlling the zone could otherwise list
    // a public address next to 10.0.0.1 and hope the connection lands on the private one.
    for (const address of addresses) {
      const label = isForbiddenAddress(address);
      if (label !== null) {
        return { ok: false, reason: `webhook URL host ${host} resolves to ${address}, ${describeRange(label)}` };
      }
    }
  }
  const address = addresses[0]!;
  const family = isIP(address);
  if (family !== 4 && family !== 6) {
    return { ok: false, reason: `webhook URL host ${host} resolves to ${address}, which is not an IP address` };
  }
  return { ok: true, address, family };
}

function withTimeout<T>(promise: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** ENOTFOUND and friends are what an operator searches for; keep the code, drop the noise. */
function describeLookupError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code !== undefined && !error.message.includes(code) ? `${code} (${error.message})` : error.message;
  }
  return String(error);
}
