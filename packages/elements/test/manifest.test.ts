import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

// `custom-elements.json` is generated from the source's JSDoc by `npm run build:elements` (the
// analyzer); editors and framework tooling read it. It must describe the public surface.
interface Declaration {
  tagName?: string;
  attributes?: { name: string }[];
  events?: { name: string }[];
  cssParts?: { name: string }[];
  cssProperties?: { name: string }[];
}
const manifest = JSON.parse(readFileSync(new URL("../custom-elements.json", import.meta.url), "utf8")) as {
  modules: { declarations?: Declaration[] }[];
};
const tags = new Map(
  manifest.modules
    .flatMap((m) => m.declarations ?? [])
    .filter((d) => d.tagName)
    .map((d) => [d.tagName, d]),
);
const names = (list: { name: string }[] | undefined) => (list ?? []).map((x) => x.name);

describe("custom-elements.json", () => {
  it("describes <btpay-invoice>: attributes, events, parts and custom properties", () => {
    const inv = tags.get("btpay-invoice");
    expect(names(inv?.attributes)).toEqual(
      expect.arrayContaining(["ref", "server", "lang", "unit", "auto-redirect", "theme"]),
    );
    expect(names(inv?.events)).toEqual(
      expect.arrayContaining(["btpay-status-change", "btpay-paid", "btpay-confirmed", "btpay-expired"]),
    );
    expect(names(inv?.cssParts)).toEqual(expect.arrayContaining(["base", "qr", "address", "status", "countdown"]));
    expect(names(inv?.cssProperties).every((p) => p.startsWith("--btpay-"))).toBe(true);
    expect(names(inv?.cssProperties).length).toBeGreaterThan(3);
  });

  it("describes <btpay-button>", () => {
    const button = tags.get("btpay-button");
    expect(names(button?.attributes)).toEqual(expect.arrayContaining(["slug", "server", "label", "lang"]));
    expect(names(button?.events)).toEqual(expect.arrayContaining(["btpay-open", "btpay-close"]));
  });

  it("leaks no private state", () => {
    const text = JSON.stringify(manifest);
    expect(text).not.toMatch(/"name":\s*"_/);
    expect(text).not.toMatch(/"name":\s*"#/);
  });
});
