/**
 * Which webhook URLs and addresses btpay may contact. Webhook URLs are typed in by merchants, so
 * without these checks a POST from btpay could reach the database, the cloud metadata service or a
 * router on the server's own network (SSRF). Pure functions, no I/O: the URL is checked when it is
 * saved and again before each delivery, and `resolve-target.ts` applies `isForbiddenAddress` to what
 * the name resolves to. `allowPrivate` is for self-hosters whose shop runs on the same machine or LAN.
 */
import { isIPv4, isIPv6 } from "node:net";

export type UrlCheck = { ok: true; url: URL } | { ok: false; reason: string };

/** Names that never leave the local network, whatever a resolver answers for them. */
const LOCAL_NAMES: { name: string; what: string }[] = [
  { name: "localhost", what: "refers to this machine" },
  { name: "metadata.google.internal", what: "is a cloud metadata service" },
  { name: "local", what: "is a local network (mDNS) name" },
  { name: "internal", what: "is a private network name" },
  { name: "home.arpa", what: "is a private network name" },
  { name: "lan", what: "is a private network name" },
];

export function checkWebhookUrl(raw: string, opts: { allowPrivate: boolean }): UrlCheck {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, reason: "webhook URL is not a valid absolute URL" };
  }
  if (url.protocol !== "https:" && !(opts.allowPrivate && url.protocol === "http:")) {
    return {
      ok: false,
      reason: opts.allowPrivate ? "webhook URLs must use http or https" : "webhook URLs must use https",
    };
  }
  // Credentials would be sent to the receiver and stored in plain text in our delivery log.
  if (url.username !== "" || url.password !== "") {
    return { ok: false, reason: "webhook URLs must not contain a user name or password" };
  }
  if (url.hostname === "") return { ok: false, reason: "webhook URL has no host" };
  if (opts.allowPrivate) return { ok: true, url };

  const host = url.hostname;
  // WHATWG URL has already turned 2130706433, 0x7f000001, 0177.0.0.1 and 127.1 into 127.0.0.1.
  const literal = host.startsWith("[") ? host.slice(1, -1) : isIPv4(host) ? host : null;
  if (literal !== null) {
    const label = isForbiddenAddress(literal);
    return label === null
      ? { ok: true, url }
      : { ok: false, reason: `webhook URL host ${host} is ${describeRange(label)}` };
  }
  // "localhost." is the same name as "localhost" to a resolver.
  const name = host.replace(/\.+$/, "");
  for (const { name: local, what } of LOCAL_NAMES) {
    if (name === local || name.endsWith(`.${local}`)) {
      return { ok: false, reason: `webhook URL host ${host} ${what}` };
    }
  }
  return { ok: true, url };
}

/** For reasons: "private" -> "a private address", "unspecified" -> "an unspecified address". */
export function describeRange(label: string): string {
  return `${/^[aeiou]/i.test(label) ? "an" : "a"} ${label} address`;
}

interface Range {
  base: bigint;
  bits: number;
  label: string;
}

// Checked in order, most specific first, so 169.254.169.254 is named "cloud metadata", not "link-local".
const IPV4_RANGES = ranges(32, [
  ["0.0.0.0/8", "unspecified"],
  ["10.0.0.0/8", "private"],
  ["100.64.0.0/10", "shared (CGNAT)"],
  ["127.0.0.0/8", "loopback"],
  ["169.254.169.254/32", "cloud metadata"],
  ["169.254.0.0/16", "link-local"],
  ["172.16.0.0/12", "private"],
  ["192.0.0.0/24", "special-purpose"],
  ["192.0.2.0/24", "documentation"],
  ["192.88.99.0/24", "6to4 relay anycast"],
  ["192.168.0.0/16", "private"],
  ["198.18.0.0/15", "benchmarking"],
  ["198.51.100.0/24", "documentation"],
  ["203.0.113.0/24", "documentation"],
  // A public address, but it is Azure's host agent and DNS endpoint as seen from inside every Azure VM.
  ["168.63.129.16/32", "cloud metadata"],
  ["224.0.0.0/4", "multicast"],
  ["255.255.255.255/32", "broadcast"],
  ["240.0.0.0/4", "reserved"],
]);

const IPV6_RANGES = ranges(128, [
  ["::/128", "unspecified"],
  ["::1/128", "loopback"],
  ["fd00:ec2::254/128", "cloud metadata"],
  ["fc00::/7", "private"],
  ["fe80::/10", "link-local"],
  ["fec0::/10", "site-local"],
  ["ff00::/8", "multicast"],
  ["100::/64", "discard-only"],
  ["64:ff9b:1::/48", "local-use NAT64"],
  // Teredo tunnels to an obfuscated IPv4 address we could not check reliably: refuse all of it.
  ["2001::/32", "Teredo"],
  ["2001:2::/48", "benchmarking"],
  ["2001:10::/28", "ORCHID"],
  ["2001:20::/28", "ORCHID"],
  ["2001:db8::/32", "documentation"],
  // The rest of 2001::/23 is IETF protocol space (anycast services), never allocated to a network.
  ["2001::/23", "special-purpose"],
  ["3fff::/20", "documentation"],
]);

/** Forms that carry an IPv4 address inside: the IPv4 part decides. `shift` locates it in the 128 bits. */
const EMBEDDED_V4 = [
  { prefix: cidr(128, "::ffff:0:0/96", "IPv4-mapped"), shift: 0n },
  { prefix: cidr(128, "::ffff:0:0:0/96", "IPv4-translated"), shift: 0n },
  { prefix: cidr(128, "::/96", "IPv4-compatible"), shift: 0n },
  { prefix: cidr(128, "64:ff9b::/96", "NAT64"), shift: 0n },
  { prefix: cidr(128, "2002::/16", "6to4"), shift: 80n },
];

const GLOBAL_UNICAST = cidr(128, "2000::/3", "global unicast");

/**
 * A short label naming the range when `ip` must not be contacted ("loopback", "IPv4-mapped private"),
 * or null for an ordinary public address. Anything that is not a plain IPv4/IPv6 address (octal
 * forms, garbage) is refused as "invalid": this guards connections, so it fails closed.
 */
export function isForbiddenAddress(ip: string): string | null {
  // A resolver may append a zone to link-local results ("fe80::1%eth0"); the address decides.
  const bare = ip.replace(/%.*$/, "");
  if (isIPv4(bare)) return match(IPV4_RANGES, 32, parseIPv4(bare));
  if (!isIPv6(bare)) return "invalid";
  const value = parseIPv6(bare);
  const special = match(IPV6_RANGES.slice(0, 2), 128, value); // :: and ::1 sit inside ::/96
  if (special !== null) return special;
  for (const { prefix, shift } of EMBEDDED_V4) {
    if (inRange(prefix, 128, value)) {
      const inner = match(IPV4_RANGES, 32, (value >> shift) & 0xffffffffn);
      return inner === null ? null : `${prefix.label} ${inner}`;
    }
  }
  const named = match(IPV6_RANGES, 128, value);
  if (named !== null) return named;
  // Everything outside 2000::/3 is unassigned or special; no legitimate receiver lives there.
  return inRange(GLOBAL_UNICAST, 128, value) ? null : "reserved";
}

function match(list: Range[], width: number, value: bigint): string | null {
  return list.find((range) => inRange(range, width, value))?.label ?? null;
}

function inRange(range: Range, width: number, value: bigint): boolean {
  const shift = BigInt(width - range.bits);
  return value >> shift === range.base >> shift;
}

function ranges(width: 32 | 128, table: [text: string, label: string][]): Range[] {
  return table.map(([text, label]) => cidr(width, text, label));
}

function cidr(width: 32 | 128, text: string, label: string): Range {
  const [address = "", bits = ""] = text.split("/");
  return { base: width === 32 ? parseIPv4(address) : parseIPv6(address), bits: Number(bits), label };
}

/** Expects a string `isIPv4` accepted. */
function parseIPv4(ip: string): bigint {
  return ip.split(".").reduce((acc, octet) => (acc << 8n) | BigInt(octet), 0n);
}

/** Expects a string `isIPv6` accepted: expands "::" and a trailing dotted quad into 8 groups. */
function parseIPv6(ip: string): bigint {
  let text = ip;
  const lastColon = text.lastIndexOf(":");
  const tail = text.slice(lastColon + 1);
  if (tail.includes(".")) {
    const v4 = parseIPv4(tail);
    text = `${text.slice(0, lastColon + 1)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const [head = "", rest] = text.split("::");
  const left = head === "" ? [] : head.split(":");
  const right = rest === undefined || rest === "" ? [] : rest.split(":");
  const groups = [...left, ...Array<string>(8 - left.length - right.length).fill("0"), ...right];
  return groups.reduce((acc, group) => (acc << 16n) | BigInt(`0x${group}`), 0n);
}
