import { describe, expect, it } from "vitest";
import { NaturalBatch, refusedByDatabase } from "../../src/services/natural-batch.js";

/** A statement we finish by hand: every call's lane and items are recorded. */
function controlled(answer: (item: number) => string = (i) => `#${i}`) {
  const calls: { lane: string; items: number[]; finish: () => void; fail: (e: Error) => void }[] = [];
  const run = (lane: string, items: number[]) =>
    new Promise<string[]>((resolve, reject) => {
      calls.push({
        lane,
        items,
        finish: () => {
          try {
            resolve(items.map(answer));
          } catch (e) {
            reject(e);
          }
        },
        fail: reject,
      });
    });
  return { calls, run };
}

const tick = () => new Promise((r) => setImmediate(r));

describe("natural batching", () => {
  it("an idle lane starts at once; what arrives meanwhile leaves together as one statement", async () => {
    const { calls, run } = controlled();
    const batch = new NaturalBatch(run, { maxItems: 10, inFlight: 1 });
    const first = batch.submit("s", 1);
    expect(calls.map((c) => c.items)).toEqual([[1]]);
    const rest = [2, 3, 4].map((i) => batch.submit("s", i));
    expect(calls).toHaveLength(1);
    calls[0]?.finish();
    expect(await first).toBe("#1");
    await tick();
    expect(calls.map((c) => c.items)).toEqual([[1], [2, 3, 4]]);
    calls[1]?.finish();
    expect(await Promise.all(rest)).toEqual(["#2", "#3", "#4"]);
    await tick();
    expect(batch.activeLanes).toBe(0);
  });

  it("lanes do not wait for each other, and one statement carries at most maxItems", async () => {
    const { calls, run } = controlled();
    const batch = new NaturalBatch(run, { maxItems: 2, inFlight: 1 });
    const a = batch.submit("a", 1);
    const b = batch.submit("b", 2);
    expect(calls.map((c) => [c.lane, c.items])).toEqual([
      ["a", [1]],
      ["b", [2]],
    ]);
    const more = [3, 4, 5].map((i) => batch.submit("a", i));
    calls[0]?.finish();
    await a;
    await tick();
    expect(calls.map((c) => c.items)).toEqual([[1], [2], [3, 4]]);
    calls[2]?.finish();
    await tick();
    expect(calls.map((c) => c.items)).toEqual([[1], [2], [3, 4], [5]]);
    calls[3]?.finish();
    calls[1]?.finish();
    expect(await Promise.all([b, ...more])).toEqual(["#2", "#3", "#4", "#5"]);
  });

  it("runs up to inFlight statements of one lane at once", async () => {
    const { calls, run } = controlled();
    const batch = new NaturalBatch(run, { maxItems: 10, inFlight: 2 });
    const all = [1, 2, 3, 4].map((i) => batch.submit("s", i));
    expect(calls.map((c) => c.items)).toEqual([[1], [2]]);
    calls[0]?.finish();
    await tick();
    expect(calls.map((c) => c.items)).toEqual([[1], [2], [3, 4]]);
    calls[1]?.finish();
    calls[2]?.finish();
    expect(await Promise.all(all)).toEqual(["#1", "#2", "#3", "#4"]);
  });

  it("when a batch fails, each item runs again alone: only the bad one fails", async () => {
    const { calls, run } = controlled((i) => {
      if (i === 3) throw new Error("item 3 refused");
      return `#${i}`;
    });
    const batch = new NaturalBatch(run, { maxItems: 10, inFlight: 1 });
    const first = batch.submit("s", 1);
    const rest = [2, 3, 4].map((i) => batch.submit("s", i).catch((e: Error) => e.message));
    calls[0]?.finish();
    await first;
    await tick();
    calls[1]?.finish(); // [2, 3, 4] together: fails as a whole
    await tick();
    expect(calls.map((c) => c.items)).toEqual([[1], [2, 3, 4], [2], [3], [4]]);
    for (const c of calls.slice(2)) c.finish();
    expect(await Promise.all(rest)).toEqual(["#2", "item 3 refused", "#4"]);
    await tick();
    expect(batch.activeLanes).toBe(0);
  });

  it("with retryAlone, only a failure the database reported (the statement rolled back) runs items again", async () => {
    const failures = [Object.assign(new Error("duplicate key"), { code: "23505" }), new Error("Connection terminated")];
    const outcomes = [];
    for (const failure of failures) {
      const calls: number[][] = [];
      let fail = true;
      const batch = new NaturalBatch(
        async (_lane, items: number[]) => {
          calls.push(items);
          if (fail && items.length > 1) throw failure;
          return items.map((i) => `#${i}`);
        },
        { maxItems: 10, inFlight: 1, retryAlone: refusedByDatabase },
      );
      const first = batch.submit("s", 0);
      const rest = [1, 2].map((i) => batch.submit("s", i).catch((e: Error) => e.message));
      await first;
      outcomes.push({ answers: await Promise.all(rest), calls });
      fail = false;
    }
    expect(outcomes).toEqual([
      { answers: ["#1", "#2"], calls: [[0], [1, 2], [1], [2]] },
      { answers: ["Connection terminated", "Connection terminated"], calls: [[0], [1, 2]] },
    ]);
    expect(refusedByDatabase(Object.assign(new Error("x"), { code: "08006" }))).toBe(false);
    expect(refusedByDatabase(Object.assign(new Error("x"), { code: "P0001" }))).toBe(true);
  });

  it("with sameAs, the same question twice in one batch is asked once and both get its answer", async () => {
    const { calls, run } = controlled((i) => `#${i % 10}`);
    const batch = new NaturalBatch(run, { maxItems: 10, inFlight: 1, sameAs: (i: number) => String(i % 10) });
    const first = batch.submit("s", 0);
    const rest = [1, 11, 2, 12, 1].map((i) => batch.submit("s", i));
    calls[0]?.finish();
    await first;
    await tick();
    expect(calls.map((c) => c.items)).toEqual([[0], [1, 2]]);
    calls[1]?.finish();
    expect(await Promise.all(rest)).toEqual(["#1", "#1", "#2", "#2", "#1"]);
  });

  it("a statement that answers fewer items than it was given fails them rather than answering undefined", async () => {
    const batch = new NaturalBatch(async (_lane, items: number[]) => items.slice(1), { maxItems: 10, inFlight: 1 });
    await expect(batch.submit("s", 1)).rejects.toThrow("a batch of 1 got 0 answers");
  });
});
