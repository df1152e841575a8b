import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  btc,
  btcTextToSats,
  formatMoney,
  JsonNumber,
  parseJsonExact,
  satsToBtcText,
  stringifyJsonExact,
} from "../../src/chain/json-exact.js";

const vectors = JSON.parse(readFileSync(new URL("../fixtures/json-exact-vectors.json", import.meta.url), "utf8")) as {
  btcText: Array<{ description: string; sats: string; text: string }>;
  parse: Array<{ description: string; text: string; sats: string | null }>;
  formatMoney: Array<{ description: string; sats: string; text: string }>;
};

describe("satsToBtcText", () => {
  for (const v of vectors.btcText) {
    it(v.description, () => {
      expect(satsToBtcText(BigInt(v.sats))).toBe(v.text);
      expect(btcTextToSats(v.text)).toBe(BigInt(v.sats));
    });
  }
});

describe("btcTextToSats", () => {
  for (const v of vectors.parse) {
    it(v.description, () => {
      expect(btcTextToSats(v.text)).toBe(v.sats === null ? undefined : BigInt(v.sats));
    });
  }
});

describe("formatMoney", () => {
  for (const v of vectors.formatMoney) {
    it(v.description, () => expect(formatMoney(BigInt(v.sats))).toBe(v.text));
  }
});

describe("stringifyJsonExact", () => {
  it("writes BtcAmount as an 8-decimal number, bigint as an integer, JsonNumber as written", () => {
    const text = stringifyJsonExact({
      value: btc(2_099_999_999_999_999n),
      tiny: btc(1n),
      list: [btc(-5n), 12n],
      n: new JsonNumber("1.50"),
      s: "0.1",
      nothing: null,
    });
    expect(text).toBe(
      '{"value":20999999.99999999,"tiny":0.00000001,"list":[-0.00000005,12],"n":1.50,"s":"0.1","nothing":null}',
    );
  });

  it("leaves strings that merely look like placeholders alone", () => {
    expect(stringifyJsonExact({ s: "\u0000exact-:1" })).toBe(JSON.stringify({ s: "\u0000exact-:1" }));
  });
});

describe("parseJsonExact", () => {
  it("keeps every numeric literal as its text", () => {
    const parsed = parseJsonExact('{"amount":20999999.99999999,"list":[1e-8,-0.5,0],"s":"1.5 \\" 2","t":true}') as {
      amount: JsonNumber;
      list: JsonNumber[];
      s: string;
      t: boolean;
    };
    expect(parsed.amount).toEqual(new JsonNumber("20999999.99999999"));
    expect(parsed.list.map((n) => n.text)).toEqual(["1e-8", "-0.5", "0"]);
    expect(parsed.s).toBe('1.5 " 2');
    expect(parsed.t).toBe(true);
  });

  it("round-trips through stringifyJsonExact byte for byte", () => {
    const text = '[{"id":7,"params":[0.00000001,21000000.00000000,"x"]}]';
    expect(stringifyJsonExact(parseJsonExact(text))).toBe(text);
  });

  it("refuses what JSON.parse refuses", () => {
    for (const bad of ["{", "01", "-", "1.", "[1,]", "{'a':1}"]) expect(() => parseJsonExact(bad), bad).toThrow();
  });
});
