import { Router } from "express";
import { missingPermission, notFound } from "../errors.js";
import type { GreenfieldBackend } from "../ports.js";
import { ONCHAIN } from "../status-map.js";
import { unixSeconds } from "../wire.js";
import { caller } from "./context.js";

/**
 * The BTCPay Server version btpay answers as. Plugins compare it: the WooCommerce plugin offers
 * refunds from 1.7.6 on, and BTCPay 2.x is where the payment-method ids (`BTC-CHAIN`) and field
 * names (`paymentMethodId`, `paymentMethodFee`) the bridge speaks come from. 2.4 is the release the
 * contract was checked against.
 */
export const EMULATED_BTCPAY_VERSION = "2.4.0";

/** `GET /api-keys/current`, `GET /server/info`, `GET /users/me`: who is calling, and who answers. */
export function authRoutes(backend: GreenfieldBackend): Router {
  const r = Router();

  r.get("/api-keys/current", (req, res) => {
    const c = caller(req);
    res.json({ apiKey: c.apiKey, label: c.label, permissions: c.permissions.map((p) => `${p}:${c.storeId}`) });
  });

  // fullySynched is true once btpay's chain watcher has seen a tip: before that no payment can be
  // seen, which is what "not synched" means to a shop (the WooCommerce plugin warns about it).
  r.get("/server/info", async (req, res) => {
    caller(req);
    const { tipHeight } = await backend.auth.serverStatus();
    const synched = tipHeight !== null;
    res.json({
      version: EMULATED_BTCPAY_VERSION,
      onion: null,
      supportedPaymentMethods: [ONCHAIN],
      fullySynched: synched,
      syncStatus: [
        {
          paymentMethodId: ONCHAIN,
          cryptoCode: "BTC",
          chainHeight: tipHeight ?? 0,
          syncHeight: tipHeight,
          nodeInformation: synched ? { headers: tipHeight, blocks: tipHeight, verificationProgress: 1 } : null,
          available: synched,
        },
      ],
    });
  });

  // Keys made through the connect flow belong to the store owner who granted them; a key made by
  // the CLI belongs to nobody, so there is no profile to show.
  r.get("/users/me", async (req, res) => {
    const c = caller(req);
    if (c.userId === null) throw missingPermission("btcpay.user.canviewprofile");
    const user = await backend.auth.user(c.userId);
    if (!user) throw notFound("user-not-found", "the user who granted this key no longer exists");
    res.json({
      id: user.id,
      email: user.email,
      name: null,
      imageUrl: null,
      emailConfirmed: true,
      requiresEmailConfirmation: false,
      approved: true,
      requiresApproval: false,
      disabled: false,
      created: unixSeconds(user.createdAt),
      roles: [],
    });
  });

  return r;
}
