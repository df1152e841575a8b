import { randomBytes } from "node:crypto";
import { NotFoundError, ValidationError } from "../domain/errors.js";
import type { Clock, Database, DeliveryRecord, WebhookFormat, WebhookRecord } from "../ports.js";
import { resolveWebhookTarget, type WebhookLookup } from "../webhooks/resolve-target.js";
import { checkWebhookUrl } from "../webhooks/url-policy.js";
import type { AuthContext } from "./auth.js";
import type { SecretBox } from "./secret-box.js";

export interface WebhookPolicy {
  /** BTPAY_ALLOW_PRIVATE_WEBHOOKS: http and private targets (development, tests). */
  allowPrivate: boolean;
  lookup?: WebhookLookup;
}

/**
 * Webhook endpoints: create (with its secret, shown once), list, delete, deliveries, redeliver; and
 * for the WooCommerce bridge, endpoints in Greenfield format, which a shop may also update.
 */
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
    return this.createFor(auth.store.id, {
      url: input.url,
      events: [...new Set(input.events ?? ["*"])],
      description: input.description ?? null,
      format: "btpay",
      greenfield: null,
      secret: null,
    });
  }

  /**
   * Any format of endpoint (btpay's own, or a Greenfield hook made through the bridge): the same
   * URL policy, the secret sealed the same way. Without a secret, one is made.
   */
  async createFor(
    storeId: string,
    input: {
      url: string;
      events: string[];
      description: string | null;
      format: WebhookFormat;
      greenfield: Record<string, unknown> | null;
      secret: string | null;
    },
  ): Promise<{ webhook: WebhookRecord; secret: string }> {
    const checked = await this.checkedUrl(input.url);
    const secret = input.secret ?? `whsec_${randomBytes(32).toString("base64url")}`;
    const webhook = await this.db.repos().webhooks.create({
      storeId,
      // A Greenfield shop reads its hook back and looks for the URL it sent (the WooCommerce plugin
      // searches for it verbatim), so that one is kept as sent; btpay's own stay normalised.
      url: input.format === "greenfield" ? input.url : checked,
      events: input.events,
      description: input.description,
      secretEncrypted: this.box.seal(secret),
      format: input.format,
      greenfield: input.greenfield,
    });
    return { webhook, secret };
  }

  /** A Greenfield hook's PUT; null when the store has no such live endpoint. */
  async update(
    storeId: string,
    id: number,
    input: {
      url: string;
      events: string[];
      greenfield: Record<string, unknown> | null;
      secret: string | null;
      /** The hook is switched off: what is queued for it is cancelled, not sent later. */
      cancelPending: boolean;
    },
  ): Promise<WebhookRecord | null> {
    await this.checkedUrl(input.url);
    return this.db.repos().webhooks.update(storeId, id, {
      // Kept as sent, as on create (only Greenfield hooks are updated).
      url: input.url,
      events: input.events,
      greenfield: input.greenfield,
      secretEncrypted: input.secret === null ? null : this.box.seal(input.secret),
      cancelPending: input.cancelPending,
    });
  }

  /** A live (not deleted) endpoint of the store, or null. */
  async find(storeId: string, id: number): Promise<WebhookRecord | null> {
    const webhook = await this.db.repos().webhooks.get(storeId, id);
    return webhook?.isActive ? webhook : null;
  }

  listFor(storeId: string): Promise<WebhookRecord[]> {
    return this.db.repos().webhooks.list(storeId);
  }

  /** Deletes (deactivates) a live endpoint; false when there is none. */
  deactivate(storeId: string, id: number): Promise<boolean> {
    return this.db.repos().webhooks.deactivate(storeId, id, this.clock.now());
  }

  /** The URL policy, checked when an endpoint is saved (and again before every delivery). */
  private async checkedUrl(raw: string): Promise<string> {
    const checked = checkWebhookUrl(raw, { allowPrivate: this.policy.allowPrivate });
    if (!checked.ok) throw new ValidationError(checked.reason, "url");
    // Checked again before every delivery (DNS can change); this catches the obvious at once.
    const target = await resolveWebhookTarget(checked.url, {
      allowPrivate: this.policy.allowPrivate,
      ...(this.policy.lookup ? { lookup: this.policy.lookup } : {}),
    });
    if (!target.ok) throw new ValidationError(target.reason, "url");
    return checked.url.toString();
  }

  list(auth: AuthContext): Promise<WebhookRecord[]> {
    return this.db.repos().webhooks.list(auth.store.id);
  }

  async delete(auth: AuthContext, id: number): Promise<void> {
    if (!(await this.deactivate(auth.store.id, id))) throw notFound(id);
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
