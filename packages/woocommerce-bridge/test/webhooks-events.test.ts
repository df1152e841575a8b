import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  type AuthorizedEvents,
  type DeliveryContext,
  greenfieldEvent,
  type OutboxEvent,
  outboxTypesFor,
} from "../src/webhooks/events.js";

// The btpay -> Greenfield webhook mapping table, one test per vector (fixtures/webhook-events.json).

interface Vectors {
  context: DeliveryContext;
  valid: { description: string; event: OutboxEvent; context?: Partial<DeliveryContext>; expected: unknown }[];
  skipped: { description: string; event: OutboxEvent; context?: Partial<DeliveryContext>; reason: string }[];
  subscriptions: {
    description: string;
    hook: { enabled: boolean; authorizedEvents: AuthorizedEvents };
    outboxTypes: string[];
  }[];
}

const vectors = JSON.parse(readFileSync(new URL("./fixtures/webhook-events.json", import.meta.url), "utf8")) as Vectors;

const context = (overrides: Partial<DeliveryContext> = {}): DeliveryContext => ({ ...vectors.context, ...overrides });

describe("Greenfield webhook events: sent", () => {
  for (const v of vectors.valid) {
    it(v.description, () => {
      const mapped = greenfieldEvent(v.event, context(v.context));
      expect(mapped).toEqual({ send: true, body: v.expected });
      // Exact JSON types: what the PHP client's strict getters read.
      if (mapped.send) expect(JSON.parse(JSON.stringify(mapped.body))).toStrictEqual(v.expected);
    });
  }
});

describe("Greenfield webhook events: not sent", () => {
  for (const v of vectors.skipped) {
    it(v.description, () => {
      const mapped = greenfieldEvent(v.event, context(v.context));
      expect(mapped.send).toBe(false);
      if (!mapped.send) expect(mapped.reason).toContain(v.reason);
    });
  }
});

describe("Greenfield webhook subscriptions -> btpay outbox event types", () => {
  for (const v of vectors.subscriptions) {
    it(v.description, () => {
      expect(outboxTypesFor(v.hook)).toEqual(v.outboxTypes);
    });
  }
});
