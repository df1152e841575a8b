import type { NextFunction, Request, Response } from "express";
import { unauthenticated } from "../errors.js";
import type { AuthBackend } from "./backend.js";
import type { GreenfieldCaller } from "./context.js";
import { keyPolicies } from "./permissions.js";

// BTCPay's scheme is `token`; it also takes `bearer`, and so does btpay's own API. Any case.
const AUTHORIZATION = /^(?:token|bearer)\s+(\S+)\s*$/i;

/**
 * `Authorization: token <apiKey>`: looks the key up (one database round trip; a revoked key stops
 * working at once) and sets `res.locals.greenfield`. Every failure is Greenfield's 401
 * `{"code":"unauthenticated"}`; the message says what to send.
 */
export function greenfieldAuth(backend: AuthBackend) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const header = req.headers.authorization;
    if (!header) throw unauthenticated("missing API key: send the header 'Authorization: token <your API key>'");
    const token = AUTHORIZATION.exec(header)?.[1];
    if (!token) throw unauthenticated("malformed Authorization header: expected 'token <your API key>'");
    const key = await backend.authenticate(token);
    if (!key) throw unauthenticated("invalid or revoked API key");
    const greenfield: GreenfieldCaller = {
      apiKey: token,
      keyId: key.keyId,
      label: key.label,
      storeId: key.storeId,
      permissions: keyPolicies(key),
      userId: key.userId,
    };
    res.locals.greenfield = greenfield;
    next();
  };
}
