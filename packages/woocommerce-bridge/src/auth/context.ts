import type { Request } from "express";
import { missingPermission, unauthenticated } from "../errors.js";

/** Who is calling the Greenfield API: set by `greenfieldAuth` on `res.locals.greenfield`. */
export interface GreenfieldCaller {
  apiKey: string;
  keyId: number;
  /** The key's name (Greenfield `label`). */
  label: string;
  /** The one store a Greenfield key is scoped to. */
  storeId: string;
  /** Greenfield policies granted, without the store suffix (`btcpay.store.canviewinvoices`). */
  permissions: string[];
  userId: string | null;
}

export function caller(req: Request): GreenfieldCaller {
  const c = req.res?.locals.greenfield as GreenfieldCaller | undefined;
  if (!c) throw unauthenticated();
  return c;
}

/**
 * Greenfield's permission hierarchy, as far as the bridge serves it: a broader policy implies the
 * narrower ones (`canmodifystoresettings` implies `canviewstoresettings`, and so on).
 */
const IMPLIES: Record<string, string[]> = {
  "btcpay.store.canmodifystoresettings": [
    "btcpay.store.canviewstoresettings",
    "btcpay.store.webhooks.canmodifywebhooks",
    "btcpay.store.canmodifyinvoices",
    "btcpay.store.canviewinvoices",
    "btcpay.store.cancreateinvoice",
    "btcpay.store.cancreatenonapprovedpullpayments",
  ],
  "btcpay.store.canmodifyinvoices": ["btcpay.store.canviewinvoices", "btcpay.store.cancreateinvoice"],
};

export function hasPermission(c: GreenfieldCaller, permission: string): boolean {
  return c.permissions.some((p) => p === permission || (IMPLIES[p] ?? []).includes(permission));
}

/** The caller for `storeId`, when its key is scoped to that store and grants `permission`. */
export function requireStorePermission(req: Request, storeId: string, permission: string): GreenfieldCaller {
  const c = caller(req);
  if (c.storeId !== storeId || !hasPermission(c, permission)) throw missingPermission(`${permission}:${storeId}`);
  return c;
}
