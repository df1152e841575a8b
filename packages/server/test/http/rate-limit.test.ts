import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../helpers/test-server.js";

let t: TestServer;

beforeAll(async () => {
  t = await startTestServer({ env: { BTPAY_RATE_LIMIT_PER_MINUTE: "5" } });
});
afterAll(async () => t?.close());

describe("rate limit per API key", () => {
  it("the request after the limit gets 429 JSON with Retry-After; another key is unaffected", async () => {
    const a = await t.newStoreWithKey();
    const b = await t.newStoreWithKey();
    const get = (key: string) => fetch(`${t.apiUrl}/invoices`, { headers: { authorization: `Bearer ${key}` } });
    // Stay clear of a minute boundary so all six land in one window.
    const secondsIntoMinute = new Date().getUTCSeconds();
    if (secondsIntoMinute > 55) await new Promise((r) => setTimeout(r, (61 - secondsIntoMinute) * 1000));
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await get(a.key)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200]);
    const limited = await get(a.key);
    expect(limited.status).toBe(429);
    const retryAfter = Number(limited.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(((await limited.json()) as { error: string }).error).toMatch(/rate limit/);
    expect((await get(b.key)).status).toBe(200);
  });
});
