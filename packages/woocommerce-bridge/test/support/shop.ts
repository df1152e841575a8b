import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import { expect } from "vitest";
import { types } from "./greenfield-client.js";
import { PAYMENT_TYPES, WEBHOOK_TYPES } from "./woocommerce-plugin.js";

/**
 * The shop's side of the wire, as WordPress sees it: a real HTTP server on loopback that answers 200
 * and records every request with its headers and raw body bytes. Two URLs matter: the settings
 * callback the connect flow posts the key to, and the webhook receiver
 * (`WC()->api_request_url('btcpaygf_default')`).
 */
export interface ShopRequest {
  method: string;
  /** Path and query. */
  path: string;
  headers: IncomingHttpHeaders;
  raw: Buffer;
}

export interface Shop {
  url: string;
  settingsCallback: string;
  webhookUrl: string;
  requests: ShopRequest[];
  /** What arrived at the webhook URL, in arrival order. */
  webhooks(): ShopRequest[];
  close(): Promise<void>;
}

export async function startShop(): Promise<Shop> {
  const requests: ShopRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      requests.push({
        method: req.method ?? "",
        path: req.url ?? "",
        headers: req.headers,
        raw: Buffer.concat(chunks),
      });
      res.statusCode = 200;
      res.end("ok");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const address = server.address();
  const url = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  const webhookPath = "/wc-api/btcpaygf_default/";
  return {
    url,
    settingsCallback: `${url}/?btcpay-settings-callback`,
    webhookUrl: `${url}${webhookPath}`,
    requests,
    webhooks: () => requests.filter((r) => r.method === "POST" && r.path === webhookPath),
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * PHP's `$_POST` for a form-urlencoded body: `name[]` fields collect into an array under `name`,
 * other fields keep their last value.
 */
export function phpPost(raw: Buffer): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of new URLSearchParams(raw.toString("utf8"))) {
    if (k.endsWith("[]")) {
      const key = k.slice(0, -2);
      const list = Array.isArray(out[key]) ? out[key] : [];
      out[key] = [...list, v];
    } else {
      out[k] = v;
    }
  }
  return out;
}

/**
 * Webhook::isIncomingWebhookRequestValid: `BTCPay-Sig` is `sha256=` and the lowercase hex
 * HMAC-SHA256 of the exact raw body under the hook's secret (compared here in constant time).
 */
export function signatureValid(request: ShopRequest, secret: string): boolean {
  const header = request.headers["btcpay-sig"];
  if (typeof header !== "string" || !/^sha256=[0-9a-f]{64}$/.test(header)) return false;
  const mac = createHmac("sha256", secret).update(request.raw).digest();
  return timingSafeEqual(Buffer.from(header.slice("sha256=".length), "hex"), mac);
}

export type HookBody = Record<string, unknown> & { type: string };

/**
 * The webhooks the shop received for one invoice, in arrival order, read as the plugin's
 * WebhookController does: every signature checked over the raw bytes first (all of them, whatever
 * the invoice), then each body's exact field set and JSON types, and the fields it relies on.
 */
export function receivedWebhooks(
  shop: Shop,
  hook: { id: string; secret: string },
  expected: { storeId: string; invoiceId: string; metadata: Record<string, unknown> },
): HookBody[] {
  const bodies = shop.webhooks().map((r) => {
    expect(r.headers["content-type"]).toMatch(/^application\/json/);
    expect(signatureValid(r, hook.secret), `BTCPay-Sig of ${r.raw}`).toBe(true);
    return JSON.parse(r.raw.toString("utf8")) as HookBody;
  });
  const mine = bodies.filter((b) => b.invoiceId === expected.invoiceId);
  for (const b of mine) {
    expect(types(b), b.type).toEqual(WEBHOOK_TYPES[b.type]);
    expect(b).toMatchObject({ webhookId: hook.id, storeId: expected.storeId, isRedelivery: false });
    expect(b.originalDeliveryId).toBe(b.deliveryId);
    expect(Number.isInteger(b.timestamp)).toBe(true);
    expect(b.metadata).toEqual(expected.metadata);
    if ("payment" in b) {
      expect(b.paymentMethodId).toBe("BTC-CHAIN");
      expect(types(b.payment as Record<string, unknown>)).toEqual(PAYMENT_TYPES);
    }
  }
  return mine;
}

/** Webhooks as the plugin switches on them: each one's type and boolean flags. */
export const brief = (hooks: HookBody[]) =>
  hooks.map((b) =>
    Object.fromEntries(
      Object.entries(b).filter(([k, v]) => k === "type" || (typeof v === "boolean" && k !== "isRedelivery")),
    ),
  );
