import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { Decimal } from "../../src/domain/decimal.js";
import { aggregateQuotes, median } from "../../src/rates/aggregate.js";
import type { SourceQuote } from "../../src/rates/rate-source.js";

interface WireQuote {
  source: string;
  currency: string;
  rate: string;
  at: string;
}

interface Vector {
  description: string;
  configuredSources: number;
  now?: string;
  maxAgeSeconds?: number;
  outlierPercent?: number;
  minSources?: number;
  quotes: WireQuote[];
  expected: {
    rates: { currency: string; rate: string; sources: string[]; at: string }[];
    rejected: { source: string; currency: string; kind: string }[];
  };
}

const fixture = JSON.parse(readFileSync(new URL("../fixtures/rate-aggregation.json", import.meta.url), "utf8")) as {
  defaults: { now: string; maxAgeSeconds: number; outlierPercent: number; minSources: number };
  vectors: Vector[];
};

const toQuote = (q: WireQuote): SourceQuote => ({ ...q, rate: Decimal.parse(q.rate), at: new Date(q.at) });
const byKey = <T extends { currency: string; source: string; kind: string }>(a: T, b: T) =>
  `${a.currency}/${a.source}/${a.kind}`.localeCompare(`${b.currency}/${b.source}/${b.kind}`);

describe("rate aggregation vectors", () => {
  for (const v of fixture.vectors) {
    it(v.description, () => {
      const d = fixture.defaults;
      const result = aggregateQuotes(v.quotes.map(toQuote), {
        now: new Date(v.now ?? d.now),
        maxAgeSeconds: v.maxAgeSeconds ?? d.maxAgeSeconds,
        outlierPercent: v.outlierPercent ?? d.outlierPercent,
        minSources: v.minSources ?? d.minSources,
        configuredSources: v.configuredSources,
      });
      expect(
        result.rates.map((r) => ({ ...r, rate: r.rate.toString(), at: r.at.toISOString().replace(".000", "") })),
      ).toEqual(v.expected.rates);
      expect(result.rejected.map(({ source, currency, kind }) => ({ source, currency, kind })).sort(byKey)).toEqual(
        [...v.expected.rejected].sort(byKey),
      );
      // Every input quote is accounted for exactly once: in a rate, or rejected.
      const used = result.rates.reduce((n, r) => n + r.sources.length, 0);
      expect(used + result.rejected.length).toBe(v.quotes.length);
      for (const r of result.rejected) expect(r.reason).not.toBe("");
    });
  }
});

describe("aggregateQuotes", () => {
  const quote = (source: string, rate: string): SourceQuote => ({
    source,
    currency: "USD",
    rate: Decimal.parse(rate),
    at: new Date("2025-01-01T00:09:00Z"),
  });
  const now = new Date("2025-01-01T00:10:00Z");

  it("defaults to a 2% outlier limit and two agreeing sources", () => {
    const result = aggregateQuotes([quote("kraken", "100"), quote("coinbase", "100"), quote("bitstamp", "103")], {
      now,
      maxAgeSeconds: 600,
      configuredSources: 3,
    });
    expect(result.rates.map((r) => r.rate.toString())).toEqual(["100"]);
    expect(result.rejected).toEqual([
      { source: "bitstamp", currency: "USD", kind: "outlier", reason: "rate 103 is 3.00% from the median 100" },
    ]);
  });

  it("explains stale and insufficient rejections with the numbers", () => {
    const stale = { ...quote("bitstamp", "100"), at: new Date("2025-01-01T00:00:00Z") };
    const { rejected } = aggregateQuotes([quote("kraken", "100"), stale], {
      now,
      maxAgeSeconds: 60,
      configuredSources: 2,
    });
    expect(rejected.map((r) => r.reason)).toEqual([
      "quote is 600 s old, the limit is 60 s",
      "1 of the 2 agreeing sources required for USD",
    ]);
  });

  it("refuses nonsensical options", () => {
    const opts = { now, maxAgeSeconds: 60, configuredSources: 2 };
    expect(() => aggregateQuotes([], { ...opts, minSources: 0 })).toThrow(RangeError);
    expect(() => aggregateQuotes([], { ...opts, outlierPercent: -1 })).toThrow(RangeError);
  });

  it("median sorts by value, not by input order", () => {
    expect(median(["3", "1", "2"].map((s) => Decimal.parse(s))).toString()).toBe("2");
    expect(median(["10", "2"].map((s) => Decimal.parse(s))).toString()).toBe("6");
  });
});
