import { greenfieldApi, greenfieldPages } from "@btpay/woocommerce-bridge";
import express, { type Express } from "express";
import type { Config } from "./config.js";
import { createGreenfieldBackend } from "./greenfield/backend.js";
import { renderDocsPage } from "./http/docs-page.js";
import { ElementsAssets } from "./http/elements-assets.js";
import { openapiDocument } from "./http/generated/spec.js";
import { apiAuth } from "./http/middleware/auth.js";
import { errorHandler, notFound } from "./http/middleware/errors.js";
import { publicAccess } from "./http/middleware/public-access.js";
import { requestLog } from "./http/middleware/request-log.js";
import { securityHeaders } from "./http/middleware/security-headers.js";
import { checkoutPages } from "./http/pages/checkout-router.js";
import { payPages } from "./http/pages/pay-router.js";
import { type Handlers, mountOperations } from "./http/route.js";
import { invoiceHandlers } from "./http/routes/invoices.js";
import { paymentLinkHandlers, publicPaymentLinkHandlers } from "./http/routes/payment-links.js";
import { publicCheckoutRoutes } from "./http/routes/public-checkout.js";
import { rateHandlers } from "./http/routes/rates.js";
import { refundHandlers } from "./http/routes/refunds.js";
import { walletHandlers } from "./http/routes/wallet.js";
import { webhookHandlers } from "./http/routes/webhooks.js";
import type { Logger } from "./logger.js";
import type { Clock, Database } from "./ports.js";
import { parseFixedRates } from "./rates/fixed.js";
import { AddressPool } from "./services/address-pool.js";
import { AuthCache } from "./services/auth.js";
import { CheckoutService } from "./services/checkout.js";
import { FinalizeService } from "./services/finalize.js";
import { InvoiceService } from "./services/invoices.js";
import { PaymentLinkCheckout } from "./services/payment-link-checkout.js";
import { PaymentLinkService } from "./services/payment-links.js";
import { RateLimiter } from "./services/rate-limiter.js";
import { RateService } from "./services/rates.js";
import { RefundService } from "./services/refunds.js";
import type { SecretBox } from "./services/secret-box.js";
import { WalletService } from "./services/wallets.js";
import { WebhookService } from "./services/webhooks.js";

export interface AppDeps {
  config: Pick<
    Config,
    | "bodyLimitBytes"
    | "rateLimitPerMinute"
    | "authCacheSeconds"
    | "trustProxy"
    | "network"
    | "gapLimit"
    | "quoteDeadlineMinutes"
    | "addressReuseAfterHours"
    | "monitoringMinutes"
    | "publicRateLimitPerMinute"
    | "paymentLinkMaxOpenInvoices"
    | "allowPrivateWebhooks"
    | "rates"
  >;
  db: Database;
  logger: Logger;
  clock: Clock;
  /** Seals webhook secrets (services/secret-box.ts). */
  box: SecretBox;
  /** Mounts routes of the caller's before the JSON 404 (dev mode's playground and simulator). */
  extraRoutes?: (app: Express) => void;
}

export interface App {
  express: Express;
  rateLimiter: RateLimiter;
  publicLimiter: RateLimiter;
  wallets: WalletService;
  rates: RateService;
}

/** The HTTP app without side effects: no listening, no timers. main.ts and tests wire it. */
export function createApp({ config, db, logger, clock, box, extraRoutes }: AppDeps): App {
  const rateLimiter = new RateLimiter(db, clock, config.rateLimitPerMinute);
  const invoices = new InvoiceService(db, clock, config.network);
  const wallets = new WalletService(db, { network: config.network, defaultGapLimit: config.gapLimit });
  const rates = new RateService(db, clock, {
    fixed: config.rates.fixed
      ? parseFixedRates(config.rates.fixed, clock.now()).map((r) => ({ ...r, rate: r.rate.toString() }))
      : null,
    maxAgeSeconds: config.rates.maxAgeSeconds,
  });
  const finalizer = new FinalizeService(db, wallets, new AddressPool(db, wallets), rates, clock, logger, {
    quoteDeadlineMinutes: config.quoteDeadlineMinutes,
    addressReuseAfterHours: config.addressReuseAfterHours,
    monitoringMinutes: config.monitoringMinutes,
  });

  const webhooks = new WebhookService(db, box, clock, { allowPrivate: config.allowPrivateWebhooks });
  const paymentLinks = new PaymentLinkService(db);
  const checkout = new PaymentLinkCheckout(db, invoices, finalizer, clock, logger, {
    maxOpenInvoices: config.paymentLinkMaxOpenInvoices,
  });
  const checkoutReads = new CheckoutService(db, config.network);
  const checkoutPolls = publicCheckoutRoutes(checkoutReads);
  const publicHandlers: Handlers = {
    ...publicPaymentLinkHandlers(checkout, checkoutReads),
    ...checkoutPolls.handlers,
  };

  const app = express();
  app.disable("x-powered-by");
  app.set("trust proxy", config.trustProxy);
  app.set("etag", false);
  app.use(requestLog(logger), securityHeaders);

  const specJson = JSON.stringify(openapiDocument);
  app.get("/api/v1/openapi.json", (_req, res) => {
    res.setHeader("Cache-Control", "public, max-age=300");
    res.type("application/json").send(specJson);
  });
  const docsHtml = renderDocsPage(openapiDocument as Record<string, unknown>);
  app.get("/docs", (_req, res) => {
    res.setHeader("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'");
    res.type("html").send(docsHtml);
  });
  app.get("/health", async (_req, res) => {
    await db.ping();
    res.json({ ok: true });
  });

  // Unauthenticated, for payers' browsers: CORS open, limited per client address, before the
  // keyed router so no API key is asked for.
  const publicLimiter = new RateLimiter(db, clock, config.publicRateLimitPerMinute);
  const publicApi = express.Router();
  publicApi.use(publicAccess(publicLimiter));
  publicApi.get("/invoices/:ref", checkoutPolls.notModified);
  publicApi.use(express.json({ limit: config.bodyLimitBytes, strict: true }));
  publicApi.use(mountOperations({ ...publicHandlers }, { prefix: "/public" }));
  publicApi.use(notFound);
  app.use("/api/v1/public", publicApi);
  // The hosted payment link pages: the same limiter, so pages and JSON share one budget per payer.
  app.use("/pay", payPages({ checkout, limiter: publicLimiter, bodyLimitBytes: config.bodyLimitBytes }));
  // The hosted checkout of any finalized invoice, and the element bundles it (and merchants) load.
  const assets = new ElementsAssets();
  app.use("/i", checkoutPages({ checkout: checkoutReads, assets, limiter: publicLimiter, clock }));
  app.use("/elements", assets.router());

  // The WooCommerce bridge: BTCPay Greenfield paths (`/api/v1/stores`, `/api-keys`, `/server`,
  // `/users`) and its browser pages, next to btpay's own API; no path is shared.
  const greenfield = createGreenfieldBackend({
    assets,
    config,
    db,
    logger,
    clock,
    box,
    invoices,
    finalizer,
    wallets,
    rates,
    webhooks,
  });
  app.use("/api/v1", greenfieldApi(greenfield, { bodyLimitBytes: config.bodyLimitBytes }));
  app.use(greenfieldPages(greenfield, { bodyLimitBytes: config.bodyLimitBytes }));

  const api = express.Router();
  api.use(apiAuth(db, rateLimiter, new AuthCache(config.authCacheSeconds * 1000, () => clock.now().getTime())));
  api.use(express.json({ limit: config.bodyLimitBytes, strict: true }));
  api.use(
    mountOperations(
      {
        ...invoiceHandlers(invoices, finalizer),
        ...paymentLinkHandlers(db, paymentLinks),
        ...walletHandlers(wallets),
        ...rateHandlers(rates),
        ...webhookHandlers(webhooks),
        ...refundHandlers(new RefundService(db, clock, rates, config.network)),
      },
      { exclude: "/public" },
    ),
  );
  app.use("/api/v1", api);

  extraRoutes?.(app);
  app.use(notFound);
  app.use(errorHandler);
  return { express: app, rateLimiter, publicLimiter, wallets, rates };
}
