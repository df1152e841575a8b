import { type Request, Router } from "express";
import { requireStorePermission } from "../auth/context.js";
import { GreenfieldValidationError, notFound } from "../errors.js";
import type { GreenfieldBackend } from "../ports.js";
import type { GreenfieldWebhook, UrlRefused } from "./backend.js";
import { parseWebhookBody } from "./body.js";

/** BTCPay asks for this one policy on every webhook endpoint, reads included. */
const PERMISSION = "btcpay.store.webhooks.canmodifywebhooks";
const BASE = "/stores/:storeId/webhooks";

/**
 * Greenfield webhooks: `/stores/{storeId}/webhooks` create, list, get, update, delete. Every
 * success is a 200 (the PHP client counts nothing else); the secret appears in the create answer
 * only. Ids are btpay webhook ids as strings.
 */
export function webhookRoutes(backend: GreenfieldBackend): Router {
  const hooks = backend.webhooks;
  const router = Router();

  router.post(BASE, async (req, res) => {
    const storeId = allowed(req);
    const created = accepted(await hooks.create(storeId, parseWebhookBody(req.body)));
    res.status(200).json({ ...serializeWebhook(created.webhook), secret: created.secret });
  });

  router.get(BASE, async (req, res) => {
    res.status(200).json((await hooks.list(allowed(req))).map(serializeWebhook));
  });

  router.get(`${BASE}/:webhookId`, async (req, res) => {
    const found = await hooks.get(allowed(req), req.params.webhookId);
    res.status(200).json(serializeWebhook(found ?? missing(req.params.webhookId)));
  });

  router.put(`${BASE}/:webhookId`, async (req, res) => {
    const storeId = allowed(req);
    const updated = accepted(await hooks.update(storeId, req.params.webhookId, parseWebhookBody(req.body)));
    res.status(200).json(serializeWebhook(updated ?? missing(req.params.webhookId)));
  });

  router.delete(`${BASE}/:webhookId`, async (req, res) => {
    if (!(await hooks.delete(allowed(req), req.params.webhookId))) missing(req.params.webhookId);
    // BTCPay answers a bare 200 here.
    res.status(200).end();
  });

  return router;
}

function allowed(req: Request): string {
  const storeId = String(req.params.storeId);
  requireStorePermission(req, storeId, PERMISSION);
  return storeId;
}

function accepted<T>(result: T | UrlRefused): T {
  if (typeof result === "object" && result !== null && "refused" in result) {
    throw new GreenfieldValidationError([{ path: "url", message: result.refused }]);
  }
  return result as T;
}

function missing(id: string): never {
  throw notFound("webhook-not-found", `webhook ${id} not found`);
}

/** Field order and types as BTCPay's WebhookData. */
export function serializeWebhook(w: GreenfieldWebhook) {
  return {
    id: w.id,
    enabled: w.enabled,
    automaticRedelivery: w.automaticRedelivery,
    url: w.url,
    authorizedEvents: {
      everything: w.authorizedEvents.everything,
      specificEvents: [...w.authorizedEvents.specificEvents],
    },
  };
}
