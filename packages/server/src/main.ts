import type { Server } from "node:http";
import { type AppDeps, createApp } from "./app.js";
import type { ChainSource } from "./chain/chain-source.js";
import { createChainSource } from "./chain/create-source.js";
import type { Config } from "./config.js";
import { type OpenedDatabase, openDatabase } from "./db/connect.js";
import { startInvalidationSweep } from "./greenfield/invalidation-sweep.js";
import type { Logger } from "./logger.js";
import { systemClock } from "./ports.js";
import { parseRateSources } from "./rates/config.js";
import { PaymentTracker } from "./services/payment-tracker.js";
import { SecretBox } from "./services/secret-box.js";
import { startChainWatcher } from "./workers/chain-watcher.js";
import { startHousekeeping } from "./workers/housekeeping.js";
import { startRateRefresher } from "./workers/rate-refresher.js";
import { startWebhookDispatcher } from "./workers/webhook-dispatcher.js";

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

/** Process entry for `btpay serve`: config -> db -> workers -> http; stops cleanly on SIGTERM/SIGINT. */
export async function serve(
  config: Config,
  logger: Logger,
  opts: {
    onReady?: (url: string) => Promise<void>;
    opened?: OpenedDatabase;
    /** A chain source built by the caller (dev mode's devchain); default: from config.chain. */
    chainSource?: ChainSource;
    /** Runs last when the server stops (dev mode stops its devchain here). */
    onClose?: () => Promise<void>;
    /** Extra routes mounted before the JSON 404 (dev mode's playground and simulator). */
    extraRoutes?: AppDeps["extraRoutes"];
  } = {},
): Promise<RunningServer> {
  const opened =
    opts.opened ??
    (await openDatabase(
      { databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: config.dbPoolSize, migrate: true },
      logger,
    ));
  logger.info({ database: opened.kind, migrationsApplied: opened.migrationsApplied }, "database ready");
  const box = SecretBox.fromConfig(config.secretKey, config.dataDir);
  const app = createApp({ config, db: opened.db, logger, clock: systemClock, box, extraRoutes: opts.extraRoutes });
  if (config.allowPrivateWebhooks) {
    logger.warn(
      "BTPAY_ALLOW_PRIVATE_WEBHOOKS is on: webhooks may target http and private addresses (development only)",
    );
  }
  const dispatcher = startWebhookDispatcher(
    { db: opened.db, box, clock: systemClock, logger },
    {
      pollMs: config.webhooks.pollMs,
      timeoutMs: config.webhooks.timeoutMs,
      allowPrivate: config.allowPrivateWebhooks,
      endpoints: config.webhooks.endpoints,
      perEndpoint: 20,
    },
  );
  const housekeeping = startHousekeeping({ rateLimiter: app.rateLimiter, db: opened.db, logger });
  // Greenfield invoices paid but unconfirmed at their monitoring expiration become Invalid.
  const invalidation = startInvalidationSweep({ db: opened.db, clock: systemClock, logger }, { intervalMs: 30_000 });
  const refresher = config.rates.fixed
    ? undefined
    : startRateRefresher(opened.db, systemClock, logger, {
        sources: parseRateSources(config.rates.sources, { baseUrls: config.rates.sourceUrls }),
        currencies: config.rates.currencies,
        intervalSeconds: config.rates.refreshSeconds,
        maxAgeSeconds: config.rates.maxAgeSeconds,
        outlierPercent: config.rates.outlierPercent,
        minSources: config.rates.minSources,
        timeoutMs: config.rates.timeoutMs,
      });

  const chainSource = opts.chainSource ?? createChainSource(config.chain);
  if (!chainSource) {
    logger.warn(
      "no chain backend configured (BTPAY_CHAIN): payments will NOT be detected; see README 'Chain backends'",
    );
  }
  const watcher = chainSource
    ? startChainWatcher(
        {
          db: opened.db,
          source: chainSource,
          tracker: new PaymentTracker(opened.db, systemClock, logger, {
            network: config.network,
            monitoringMinutes: config.monitoringMinutes,
          }),
          clock: systemClock,
          logger,
        },
        { pollMs: config.chain.pollMs, leaderRetryMs: 2_000 },
      )
    : undefined;

  const server: Server = await new Promise((resolve, reject) => {
    const s = app.express.listen(config.port, config.host, () => resolve(s));
    s.once("error", reject);
  });
  server.keepAliveTimeout = 65_000;
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : config.port;
  const url = `http://${config.host.includes(":") ? `[${config.host}]` : config.host}:${port}`;
  logger.info(
    { url, database: opened.kind, network: config.network, rates: config.rates.fixed ? "fixed" : config.rates.sources },
    "btpay listening",
  );
  await opts.onReady?.(url);

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      logger.info("shutting down: no new connections, finishing requests in flight");
      await housekeeping.stop();
      await invalidation.stop();
      await refresher?.stop();
      await watcher?.stop();
      await dispatcher.stop();
      await chainSource?.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        // Requests still running after 10 s are cut rather than holding the shutdown forever.
        setTimeout(() => server.closeAllConnections(), 10_000).unref();
      });
      await opened.db.close();
      await opts.onClose?.();
      logger.info("stopped");
    })();
    return closing;
  };
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.once(signal, () => {
      close().then(
        () => process.exit(0),
        (err) => {
          logger.error({ err }, "error while shutting down");
          process.exit(1);
        },
      );
    });
  }
  return { url, close };
}
