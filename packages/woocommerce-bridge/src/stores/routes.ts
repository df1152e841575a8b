import { Router } from "express";
import { caller, hasPermission, requireStorePermission } from "../auth/context.js";
import { missingPermission, notFound } from "../errors.js";
import type { GreenfieldBackend } from "../ports.js";
import type { StoresBackend } from "./backend.js";
import { serializeStore, serializeStorePaymentMethods } from "./serialize.js";

const VIEW_SETTINGS = "btcpay.store.canviewstoresettings";

/** `GET /stores`, `GET /stores/{storeId}`, `GET /stores/{storeId}/payment-methods`. */
export function storeRoutes(backend: GreenfieldBackend): Router {
  const r = Router();

  // A Greenfield key is scoped to one store, so the list holds exactly that store.
  r.get("/stores", async (req, res) => {
    const c = caller(req);
    if (!hasPermission(c, VIEW_SETTINGS)) throw missingPermission(VIEW_SETTINGS);
    res.json([serializeStore(await loadStore(backend.stores, c.storeId))]);
  });

  r.get("/stores/:storeId", async (req, res) => {
    requireStorePermission(req, req.params.storeId, VIEW_SETTINGS);
    res.json(serializeStore(await loadStore(backend.stores, req.params.storeId)));
  });

  // `onlyEnabled` changes nothing: btpay's one payment method is enabled whenever it exists.
  r.get("/stores/:storeId/payment-methods", async (req, res) => {
    requireStorePermission(req, req.params.storeId, VIEW_SETTINGS);
    const store = await loadStore(backend.stores, req.params.storeId);
    res.json(serializeStorePaymentMethods(store, flag(req.query.includeConfig)));
  });

  return r;
}

async function loadStore(stores: StoresBackend, storeId: string) {
  const store = await stores.store(storeId);
  if (!store) throw notFound("store-not-found", "the store was not found");
  return store;
}

const flag = (value: unknown): boolean => typeof value === "string" && value.toLowerCase() === "true";
