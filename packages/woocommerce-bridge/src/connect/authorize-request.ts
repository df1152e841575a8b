import type { Request } from "express";
import { type AskedPermissions, parseAskedPermissions } from "./permissions.js";

/** `GET /api-keys/authorize?...`: what an app asks for, as BTCPay Server reads it. */
export interface AuthorizeRequest {
  permissions: AskedPermissions;
  /** For people: the name asked, or "An application". */
  applicationName: string;
  /** The new key's name: the name asked, or "Greenfield application". */
  keyName: string;
  applicationIdentifier: string | null;
  /** Where the key is posted: an absolute http(s) URL. */
  redirect: URL;
  /**
   * BTCPay lets the owner untick permissions unless `strict`; btpay always grants exactly what was
   * asked (minus what it cannot grant), so the flag changes nothing here.
   */
  strict: boolean;
  /**
   * Without it BTCPay grants the permissions on all the owner's stores. A btpay key belongs to one
   * store, so the owner always picks one.
   */
  selectiveStores: boolean;
  /** The query string as received, to post the forms back to the same URL. */
  query: string;
}

export class AuthorizeRequestError extends Error {}

const MAX_PERMISSIONS = 50;

const list = (v: unknown): string[] =>
  (Array.isArray(v) ? v : v === undefined ? [] : [v]).filter((x): x is string => typeof x === "string");
const one = (v: unknown): string | undefined => list(v)[0];
/** BTCPay's model binder reads `true`/`false` in any case; anything else keeps the default. */
const flag = (v: unknown, fallback: boolean): boolean => {
  const s = one(v)?.toLowerCase();
  return s === "true" ? true : s === "false" ? false : fallback;
};

export function parseAuthorizeRequest(req: Request): AuthorizeRequest {
  const q = req.query as Record<string, unknown>;
  const redirectRaw = one(q.redirect);
  if (!redirectRaw) throw new AuthorizeRequestError("The application did not say where to send the key (redirect).");
  const redirect = URL.canParse(redirectRaw) ? new URL(redirectRaw) : null;
  if (!redirect || (redirect.protocol !== "https:" && redirect.protocol !== "http:")) {
    throw new AuthorizeRequestError("The application's redirect must be an http(s) URL.");
  }
  const asked = [...list(q.permissions), ...list(q["permissions[]"])];
  if (asked.length > MAX_PERMISSIONS) throw new AuthorizeRequestError("The application asks for too many permissions.");
  const permissions = parseAskedPermissions(asked);
  if (permissions.granted.length === 0) {
    throw new AuthorizeRequestError("The application asks for no permission btpay can grant on a store.");
  }
  const name = (one(q.applicationName) ?? "").trim().slice(0, 200);
  const identifier = (one(q.applicationIdentifier) ?? "").trim().slice(0, 200);
  const raw = req.originalUrl;
  return {
    permissions,
    applicationName: name || "An application",
    keyName: name || "Greenfield application",
    applicationIdentifier: identifier || null,
    redirect,
    strict: flag(q.strict, true),
    selectiveStores: flag(q.selectiveStores, false),
    query: raw.includes("?") ? raw.slice(raw.indexOf("?")) : "",
  };
}
