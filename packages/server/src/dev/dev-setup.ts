import type { BtpayClient } from "@btpay/sdk";
import type { Logger } from "../logger.js";

/** The demo payment links the playground's `<btpay-button>` shows: one fixed price, one open amount. */
export const DEMO_PAYMENT_LINKS = [
  {
    slug: "coffee",
    title: "Coffee",
    description: "A fixed-price demo link (dev mode)",
    amount: "5.00",
    currency: "USD",
  },
  {
    slug: "donate",
    title: "Donate",
    description: "An open-amount demo link: the payer chooses (dev mode)",
    amount: null,
    currency: "USD",
  },
] as const;

export const SINK_PATH = "/dev/api/webhook-sink";

/** The sink's registration, kept in dev.json: the API shows a secret only once. */
export interface SinkRegistration {
  webhookId: number;
  webhookSecret: string;
}

/**
 * Creates the demo links that are missing, through the API as a developer would. A slug that
 * exists in any state (a deleted link keeps its slug) is left alone.
 */
export async function ensureDemoPaymentLinks(api: BtpayClient, logger: Logger): Promise<void> {
  const listed = await api.GET("/payment-links", {});
  if (!listed.data) throw new Error(`listing payment links: ${JSON.stringify(listed.error)}`);
  const slugs = new Set(listed.data.payment_links.map((l) => l.slug));
  for (const link of DEMO_PAYMENT_LINKS) {
    if (slugs.has(link.slug)) continue;
    const created = await api.POST("/payment-links", { body: { ...link } });
    if (!created.data)
      logger.warn({ slug: link.slug, error: created.error }, "dev mode: demo payment link not created");
  }
}

/**
 * Registers the sink for every event, once: the endpoint from the last run is reused while its URL
 * (the port) is the same and dev.json still has its secret; otherwise it is deleted and a new one
 * made (a secret cannot be read back).
 */
export async function ensureSinkWebhook(
  api: BtpayClient,
  sinkUrl: string,
  previous: Partial<SinkRegistration> | undefined,
): Promise<SinkRegistration> {
  const listed = await api.GET("/webhooks", {});
  if (!listed.data) throw new Error(`listing webhooks: ${JSON.stringify(listed.error)}`);
  const ours = listed.data.webhooks.find((w) => w.id === previous?.webhookId);
  if (ours && ours.url === sinkUrl && ours.is_active && previous?.webhookSecret) {
    return { webhookId: ours.id, webhookSecret: previous.webhookSecret };
  }
  const stale = listed.data.webhooks.filter((w) => w.id === previous?.webhookId || w.url === sinkUrl);
  for (const w of stale) await api.DELETE("/webhooks/{id}", { params: { path: { id: w.id } } });
  const created = await api.POST("/webhooks", {
    body: { url: sinkUrl, events: ["*"], description: "dev mode's webhook sink (the playground's event list)" },
  });
  if (!created.data) throw new Error(`registering the dev webhook sink: ${JSON.stringify(created.error)}`);
  return { webhookId: created.data.id, webhookSecret: created.data.secret };
}
