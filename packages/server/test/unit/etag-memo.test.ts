import { describe, expect, it } from "vitest";
import { EtagMemo } from "../../src/http/etag-memo.js";

describe("EtagMemo", () => {
  it("is fresh only for the same ETag, within its time", () => {
    let now = 0;
    const memo = new EtagMemo(1_000, 10, () => now);
    expect(memo.fresh("a", 'W/"1"')).toBe(false);
    memo.remember("a", 'W/"1"');
    expect(memo.fresh("a", 'W/"1"')).toBe(true);
    expect(memo.fresh("a", 'W/"2"')).toBe(false);
    expect(memo.fresh("a", undefined)).toBe(false);
    expect(memo.fresh("b", 'W/"1"')).toBe(false);
    now = 999;
    expect(memo.fresh("a", 'W/"1"')).toBe(true);
    now = 1_000;
    expect(memo.fresh("a", 'W/"1"')).toBe(false);
  });

  it("a new ETag replaces the old one", () => {
    const memo = new EtagMemo(1_000, 10, () => 0);
    memo.remember("a", 'W/"1"');
    memo.remember("a", 'W/"2"');
    expect(memo.fresh("a", 'W/"1"')).toBe(false);
    expect(memo.fresh("a", 'W/"2"')).toBe(true);
  });

  it("keeps at most `max` entries, dropping the oldest", () => {
    const memo = new EtagMemo(1_000, 2, () => 0);
    memo.remember("a", "1");
    memo.remember("b", "2");
    memo.remember("c", "3");
    expect(memo.fresh("a", "1")).toBe(false);
    expect(memo.fresh("b", "2")).toBe(true);
    expect(memo.fresh("c", "3")).toBe(true);
  });
});
