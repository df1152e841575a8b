import { randomBytes } from "node:crypto";
import { NotFoundError, ValidationError } from "../domain/errors.js";
import type { Clock, Database, DeliveryRecord, WebhookRecord } from "../ports.js";
import { resolveWebhookTarget, type WebhookLookup } from "../webhooks/resolve-target.js";
import { checkWebhookUrl } from "../webhooks/url-policy.js";
import type { AuthContext } from "./auth.js";
import type { SecretBox } from "./secret-box.js";

export interface WebhookPolicy {
  /** BTPAY_ALLOW_PRIVATE_WEBHOOKS: http and private targets (development, tests). */
  allowPrivate: boolean;
  lookup?: WebhookLookup;
}

/** Webhook endpoints: create (with its secret, shown once), list, delete, deliveries, redeliver. */
export class WebhookService {
  constructor(
    private readonly db: Database,
    private readonly box: SecretBox,
    private readonly clock: Clock,
    private readonly policy: WebhookPolicy,
  ) {}

  async create(
    auth: AuthContext,
    input: { url: string; events?: string[] | undefined; description?: string | undefined },
  ): Promise<{ webhook: WebhookRecord; secret: string }> {
    const checked = checkWebhookUrl(input.url, { allowPrivate: this.policy.allowPrivate });
    if (!checked.ok) throw new ValidationError(checked.reason, "url");
    // Checked again before every delivery (DNS can change); this catches the obvious at once.
    const target = await resolveWebhookTarget(checked.url, {
      allowPrivate: this.policy.allowPrivate,
      ...(this.policy.lookup ? { lookup: this.policy.lookup } : {}),
    });
    if (!target.ok) throw new ValidationError(target.reason, "url");
    const events = [...new Set(input.events ?? ["*"])];
    const secret = `whsec_${randomBytes(32).toString("base64url")}`;
    const webhook = await this.db.repos().webhooks.create({
      storeId: auth.store.id,
      url: checked.url.toString(),
      events,
      description: input.description ?? null,
      secretEncrypted: this.box.seal(secret),
    });
    return { webhook, secret };
  }

  list(auth: AuthContext): Promise<WebhookRecord[]> {
    return this.db.repos().webhooks.list(auth.store.id);
  }

  async delete(auth: AuthContext, id: number): Promise<void> {
    if (!(await this.db.repos().webhooks.deactivate(auth.store.id, id, this.clock.now()))) throw notFound(id);
  }

  async deliveries(auth: AuthContext, id: number, limit: number, offset: number): Promise<DeliveryRecord[]> {
    await this.own(auth, id);
    return this.db.repos().webhooks.deliveries(id, limit, offset);
  }

  async redeliver(auth: AuthContext, id: number, deliveryId: number): Promise<DeliveryRecord> {
    const webhook = await this.own(auth, id);
    if (!webhook.isActive) throw new ValidationError(`webhook ${id} is deleted; nothing can be delivered to it`);
    const repos = this.db.repos();
    if (!(await repos.webhooks.requeue(id, deliveryId, this.clock.now()))) {
      throw new NotFoundError(`delivery ${deliveryId} of webhook ${id} not found`);
    }
    const delivery = await repos.webhooks.delivery(id, deliveryId);
    if (!delivery) throw new NotFoundError(`delivery ${deliveryId} of webhook ${id} not found`);
    return delivery;
  }

  private async own(auth: AuthContext, id: number): Promise<WebhookRecord> {
    const webhook = await this.db.repos().webhooks.get(auth.store.id, id);
    if (!webhook) throw notFound(id);
    return webhook;
  }
}

const notFound = (id: number) => new NotFoundError(`webhook ${id} not found`);
