import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { checkWebhookUrl, isForbiddenAddress } from "../../src/webhooks/url-policy.js";

const vectors = JSON.parse(readFileSync(new URL("../fixtures/webhook-ssrf-vectors.json", import.meta.url), "utf8")) as {
  refused: { description: string; url: string; reasonMatches: string; allowPrivate?: boolean }[];
  allowed: { description: string; url: string; allowPrivate?: boolean }[];
  addresses: { description: string; ip: string; label: string | null }[];
};

describe("checkWebhookUrl refuses", () => {
  for (const v of vectors.refused) {
    it(`${v.description}: ${v.url}`, () => {
      const result = checkWebhookUrl(v.url, { allowPrivate: v.allowPrivate ?? false });
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.reason).toMatch(new RegExp(v.reasonMatches));
    });
  }
});

describe("checkWebhookUrl allows", () => {
  for (const v of vectors.allowed) {
    it(`${v.description}: ${v.url}`, () => {
      const result = checkWebhookUrl(v.url, { allowPrivate: v.allowPrivate ?? false });
      expect(result).toEqual({ ok: true, url: new URL(v.url) });
    });
  }

  it("refuses the same loopback URL without allowPrivate", () => {
    expect(checkWebhookUrl("http://127.0.0.1:1234", { allowPrivate: false })).toEqual({
      ok: false,
      reason: "webhook URLs must use https",
    });
    expect(checkWebhookUrl("https://127.0.0.1:1234", { allowPrivate: false })).toEqual({
      ok: false,
      reason: "webhook URL host 127.0.0.1 is a loopback address",
    });
  });
});

describe("isForbiddenAddress", () => {
  for (const v of vectors.addresses) {
    it(`${v.description}: ${JSON.stringify(v.ip)} -> ${v.label ?? "allowed"}`, () => {
      expect(isForbiddenAddress(v.ip)).toBe(v.label);
    });
  }
});
