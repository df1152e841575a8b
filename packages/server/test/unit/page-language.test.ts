import { describe, expect, it } from "vitest";
import { pageLanguage } from "../../src/http/pages/page-language.js";

describe("pageLanguage", () => {
  const cases: [string, unknown, string | undefined, string][] = [
    ["no hints: English", undefined, undefined, "en"],
    ["?lang= wins over the header", "es", "de", "es"],
    ["?lang= by primary subtag", "pt-BR", undefined, "pt"],
    ["an unknown ?lang= falls through to the header", "xx", "fr-CA", "fr"],
    ["the first supported tag in the header", undefined, "ja, it;q=0.9, de;q=0.8, fr;q=0.7", "de"],
    ["q-values order the header", undefined, "fr;q=0.5, es;q=0.9", "es"],
    ["q=0 means not acceptable", undefined, "de;q=0, pt;q=0.1", "pt"],
    ["nothing supported: English", undefined, "ja, zh-CN", "en"],
    ["garbage is ignored", ["de"], ";;;,q=,", "en"],
  ];
  for (const [name, query, header, expected] of cases) {
    it(name, () => expect(pageLanguage(query, header)).toBe(expected));
  }
});
