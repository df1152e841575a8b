import type { GreenfieldBackend, GreenfieldWebhook, GreenfieldWebhookInput } from "@btpay/woocommerce-bridge";
import { ValidationError } from "../domain/errors.js";
import type { WebhookRecord } from "../ports.js";
import type { GreenfieldDeps } from "./deps.js";

/**
 * Greenfield webhooks are btpay webhooks with `format = 'greenfield'`: the same table, URL policy,
 * sealed secret, outbox fan-out and dispatcher. Their Greenfield settings ride in `greenfield`; their
 * `events` are the btpay event types those settings need. A Greenfield id is the btpay id as a
 * string; anything else (or a btpay-format hook's id) is not found.
 */
export function webhooksBackend(deps: GreenfieldDeps): GreenfieldBackend["webhooks"] {
  const { webhooks } = deps;

  async function live(storeId: string, id: string): Promise<WebhookRecord | null> {
    const n = parseId(id);
    if (n === null) return null;
    const found = await webhooks.find(storeId, n);
    return found?.format === "greenfield" ? found : null;
  }

  return {
    async create(storeId, input) {
      return refusedUrl(async () => {
        const { webhook, secret } = await webhooks.createFor(storeId, {
          url: input.url,
          events: input.outboxTypes,
          description: "Greenfield webhook (BTCPay-compatible)",
          format: "greenfield",
          greenfield: { ...input.settings },
          secret: input.secret,
        });
        return { webhook: toGreenfield(webhook), secret };
      });
    },
    async list(storeId) {
      const all = await webhooks.listFor(storeId);
      return all.filter((w) => w.format === "greenfield" && w.isActive).map(toGreenfield);
    },
    async get(storeId, id) {
      const found = await live(storeId, id);
      return found ? toGreenfield(found) : null;
    },
    async update(storeId, id, input) {
      const found = await live(storeId, id);
      if (!found) return null;
      return refusedUrl(async () => {
        const updated = await webhooks.update(storeId, found.id, {
          url: input.url,
          events: input.outboxTypes,
          greenfield: { ...input.settings },
          secret: input.secret,
          cancelPending: !input.settings.enabled,
        });
        return updated ? toGreenfield(updated) : null;
      });
    },
    async delete(storeId, id) {
      const found = await live(storeId, id);
      return found ? webhooks.deactivate(storeId, found.id) : false;
    },
  };
}

const parseId = (id: string): number | null =>
  /^[1-9]\d{0,9}$/.test(id) && Number(id) <= 2_147_483_647 ? Number(id) : null;

/** btpay's URL policy says no: the Greenfield API answers 422 on `url` with its reason. */
async function refusedUrl<T>(fn: () => Promise<T>): Promise<T | { refused: string }> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof ValidationError && err.field === "url") return { refused: err.reason };
    throw err;
  }
}

function toGreenfield(w: WebhookRecord): GreenfieldWebhook {
  const s = (w.greenfield ?? {}) as Partial<GreenfieldWebhookInput["settings"]>;
  return {
    id: String(w.id),
    url: w.url,
    enabled: s.enabled ?? true,
    automaticRedelivery: s.automaticRedelivery ?? true,
    authorizedEvents: {
      everything: s.authorizedEvents?.everything ?? true,
      specificEvents: s.authorizedEvents?.specificEvents ?? [],
    },
  };
}
