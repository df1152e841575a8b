import { describe, expect, test } from "vitest";
import { btcToSats, formatBitcoin, formatCountdown, formatFiat } from "../src/invoice/format.js";

describe("btcToSats: string arithmetic, exact at every magnitude", () => {
  const vectors: [string, bigint][] = [
    ["0.00035280", 35_280n],
    ["0.00000001", 1n],
    ["1", 100_000_000n],
    ["1.5", 150_000_000n],
    ["20999999.97690000", 2_099_999_997_690_000n], // the supply cap: past Number.MAX_SAFE_INTEGER
    ["0.1", 10_000_000n], // 0.1 * 1e8 is 10000000.000000002 in floating point
  ];
  for (const [btc, sats] of vectors) test(`${btc} BTC = ${sats} sats`, () => expect(btcToSats(btc)).toBe(sats));
});

describe("formatting", () => {
  test("fiat: the decimal string as given, in the locale's style", () => {
    expect(formatFiat("25.00", "USD", "en")).toBe("$25.00");
    expect(formatFiat("1234567.89", "EUR", "de")).toBe("1.234.567,89\u00a0€");
    // 2^53 + 1 cents would lose its last digit through a number
    expect(formatFiat("90071992547409.93", "USD", "en")).toBe("$90,071,992,547,409.93");
  });

  test("bitcoin: every decimal the server sent, or sats", () => {
    expect(formatBitcoin("0.00035280", "btc", "en")).toBe("0.00035280 BTC");
    expect(formatBitcoin("0.00035280", "btc", "fr")).toBe("0,00035280 BTC");
    expect(formatBitcoin("0.00035280", "sats", "en")).toBe("35,280 sats");
    expect(formatBitcoin("20999999.97690000", "sats", "de")).toBe("2.099.999.997.690.000 sats");
  });

  test("a bad language tag or currency falls back instead of breaking the checkout", () => {
    expect(formatFiat("25.00", "USD", "not a tag!")).toBe("$25.00");
    expect(formatFiat("25.00", "usd$", "en")).toBe("25.00 usd$");
    expect(formatBitcoin("0.5", "btc", "??")).toBe("0.5 BTC");
  });

  test("countdown: mm:ss, minutes keep counting, never negative", () => {
    expect(formatCountdown(899_500)).toBe("15:00");
    expect(formatCountdown(61_000)).toBe("01:01");
    expect(formatCountdown(7_200_000)).toBe("120:00");
    expect(formatCountdown(-5_000)).toBe("00:00");
  });
});
