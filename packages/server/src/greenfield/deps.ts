import type { Config } from "../config.js";
import type { ElementsAssets } from "../http/elements-assets.js";
import type { Logger } from "../logger.js";
import type { Clock, Database } from "../ports.js";
import type { FinalizeService } from "../services/finalize.js";
import type { InvoiceService } from "../services/invoices.js";
import type { RateService } from "../services/rates.js";
import type { SecretBox } from "../services/secret-box.js";
import type { WalletService } from "../services/wallets.js";
import type { WebhookService } from "../services/webhooks.js";

/** What app.ts hands the Greenfield backends: btpay's services, never a second way to the data. */
export interface GreenfieldDeps {
  config: Pick<
    Config,
    | "network"
    | "bodyLimitBytes"
    | "quoteDeadlineMinutes"
    | "monitoringMinutes"
    | "addressReuseAfterHours"
    | "allowPrivateWebhooks"
    | "publicRateLimitPerMinute"
  >;
  db: Database;
  logger: Logger;
  clock: Clock;
  box: SecretBox;
  invoices: InvoiceService;
  finalizer: FinalizeService;
  wallets: WalletService;
  rates: RateService;
  webhooks: WebhookService;
  /** The element bundles' URLs (the modal page loads `<btpay-invoice>`). */
  assets: ElementsAssets;
}
