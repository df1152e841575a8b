import { lookup } from "node:dns/promises";
import { hostname } from "node:os";
import { describe, expect, it } from "vitest";
import { resolveWebhookTarget, type WebhookLookup } from "../../src/webhooks/resolve-target.js";
import { isForbiddenAddress } from "../../src/webhooks/url-policy.js";

const answers =
  (...addresses: string[]): WebhookLookup =>
  async () =>
    addresses.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));

const noDns: WebhookLookup = () => {
  throw new Error("an IP-literal host must not be looked up");
};

describe("resolveWebhookTarget with the system resolver", () => {
  it("refuses this machine's own hostname, which resolves to a loopback address", async () => {
    const name = hostname();
    // The premise of the test, checked rather than assumed: /etc/hosts maps the hostname locally.
    const [first] = await lookup(name, { all: true, verbatim: true });
    expect(first).toBeDefined();
    expect(isForbiddenAddress(first!.address)).not.toBeNull();

    const result = await resolveWebhookTarget(new URL(`https://${name}/hook`), { allowPrivate: false });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(new RegExp(`^webhook URL host ${name.toLowerCase()} resolves to `));
  });

  it("allows this machine's hostname with allowPrivate and returns the resolved address", async () => {
    const [first] = await lookup(hostname(), { all: true, verbatim: true });
    const result = await resolveWebhookTarget(new URL(`http://${hostname()}:8080/hook`), { allowPrivate: true });
    expect(result).toEqual({ ok: true, address: first!.address, family: first!.family });
  });

  it("refuses localhost", async () => {
    const result = await resolveWebhookTarget(new URL("https://localhost/hook"), { allowPrivate: false });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(/^webhook URL host localhost resolves to .*, a loopback address$/);
  });

  it("reports a name that does not resolve", async () => {
    // .invalid is reserved never to exist (RFC 6761), with or without network access.
    const result = await resolveWebhookTarget(new URL("https://no-such-host.invalid/hook"), { allowPrivate: false });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(/^could not resolve webhook URL host no-such-host\.invalid: /);
  });
});

describe("resolveWebhookTarget with an injected lookup", () => {
  const url = new URL("https://hooks.example.com/btpay");

  it("refuses a name resolving to a public and a private address", async () => {
    const result = await resolveWebhookTarget(url, {
      allowPrivate: false,
      lookup: answers("93.184.216.34", "10.0.0.1"),
    });
    expect(result).toEqual({
      ok: false,
      reason: "webhook URL host hooks.example.com resolves to 10.0.0.1, a private address",
    });
  });

  it("refuses a name whose IPv6 answer is IPv4-mapped loopback", async () => {
    const result = await resolveWebhookTarget(url, {
      allowPrivate: false,
      lookup: answers("2606:4700::1111", "::ffff:127.0.0.1"),
    });
    expect(result).toEqual({
      ok: false,
      reason: "webhook URL host hooks.example.com resolves to ::ffff:127.0.0.1, an IPv4-mapped loopback address",
    });
  });

  it("returns the first address when all are public", async () => {
    const result = await resolveWebhookTarget(url, {
      allowPrivate: false,
      lookup: answers("93.184.216.34", "2606:4700::1111"),
    });
    expect(result).toEqual({ ok: true, address: "93.184.216.34", family: 4 });
  });

  it("returns an IPv6 address with family 6", async () => {
    const result = await resolveWebhookTarget(url, { allowPrivate: false, lookup: answers("2606:4700::1111") });
    expect(result).toEqual({ ok: true, address: "2606:4700::1111", family: 6 });
  });

  it("allows private answers with allowPrivate", async () => {
    const result = await resolveWebhookTarget(url, { allowPrivate: true, lookup: answers("10.0.0.1", "8.8.8.8") });
    expect(result).toEqual({ ok: true, address: "10.0.0.1", family: 4 });
  });

  it("turns a lookup failure into a reason naming the host and the code", async () => {
    const failing: WebhookLookup = async () => {
      throw Object.assign(new Error("getaddrinfo ENOTFOUND hooks.example.com"), { code: "ENOTFOUND" });
    };
    const result = await resolveWebhookTarget(url, { allowPrivate: false, lookup: failing });
    expect(result).toEqual({
      ok: false,
      reason: "could not resolve webhook URL host hooks.example.com: getaddrinfo ENOTFOUND hooks.example.com",
    });
  });

  it("refuses an empty answer", async () => {
    const result = await resolveWebhookTarget(url, { allowPrivate: false, lookup: answers() });
    expect(result).toEqual({ ok: false, reason: "webhook URL host hooks.example.com resolves to no address" });
  });

  it("refuses an answer that is not an IP address", async () => {
    const result = await resolveWebhookTarget(url, { allowPrivate: false, lookup: answers("0177.0.0.1") });
    expect(result).toEqual({
      ok: false,
      reason: "webhook URL host hooks.example.com resolves to 0177.0.0.1, an invalid address",
    });
  });

  it("gives up on a lookup that never answers", async () => {
    const started = Date.now();
    const result = await resolveWebhookTarget(url, {
      allowPrivate: false,
      lookup: () => new Promise(() => {}),
      timeoutMs: 100,
    });
    expect(result).toEqual({
      ok: false,
      reason: "could not resolve webhook URL host hooks.example.com: timed out after 100 ms",
    });
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});

describe("resolveWebhookTarget with IP-literal hosts", () => {
  it("skips DNS for a public IPv4 literal", async () => {
    const result = await resolveWebhookTarget(new URL("https://93.184.216.34/x"), {
      allowPrivate: false,
      lookup: noDns,
    });
    expect(result).toEqual({ ok: true, address: "93.184.216.34", family: 4 });
  });

  it("skips DNS for a public IPv6 literal and drops the brackets", async () => {
    const result = await resolveWebhookTarget(new URL("https://[2606:4700::1111]/x"), {
      allowPrivate: false,
      lookup: noDns,
    });
    expect(result).toEqual({ ok: true, address: "2606:4700::1111", family: 6 });
  });

  it("refuses a loopback literal without asking DNS", async () => {
    const result = await resolveWebhookTarget(new URL("https://[::1]/x"), { allowPrivate: false, lookup: noDns });
    expect(result).toEqual({ ok: false, reason: "webhook URL host [::1] is a loopback address" });
  });

  it("allows a loopback literal with allowPrivate", async () => {
    const result = await resolveWebhookTarget(new URL("http://127.0.0.1:1234"), { allowPrivate: true, lookup: noDns });
    expect(result).toEqual({ ok: true, address: "127.0.0.1", family: 4 });
  });
});
