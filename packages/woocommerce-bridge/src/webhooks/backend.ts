import type { AuthorizedEvents } from "./events.js";

/** A Greenfield hook's own settings, stored as the shop sent them (defaults filled in). */
export interface GreenfieldWebhookSettings {
  enabled: boolean;
  automaticRedelivery: boolean;
  authorizedEvents: AuthorizedEvents;
}

/** A Greenfield webhook as the API shows it. `id` is the btpay webhook id, as a string. */
export interface GreenfieldWebhook extends GreenfieldWebhookSettings {
  id: string;
  url: string;
}

export interface GreenfieldWebhookInput {
  url: string;
  settings: GreenfieldWebhookSettings;
  /** The btpay outbox event types the hook needs (`outboxTypesFor`): what btpay's fan-out matches. */
  outboxTypes: string[];
  /** The shop's own secret; null: keep the current one (update) or make one (create). */
  secret: string | null;
}

/** The URL was refused by btpay's webhook policy (https only, no private addresses, ...). */
export interface UrlRefused {
  refused: string;
}

/** What the webhooks routes need from the btpay server. */
export interface WebhooksBackend {
  create(
    storeId: string,
    input: GreenfieldWebhookInput,
  ): Promise<{ webhook: GreenfieldWebhook; secret: string } | UrlRefused>;
  list(storeId: string): Promise<GreenfieldWebhook[]>;
  /** null when the store has no such (live) Greenfield hook. */
  get(storeId: string, id: string): Promise<GreenfieldWebhook | null>;
  update(storeId: string, id: string, input: GreenfieldWebhookInput): Promise<GreenfieldWebhook | null | UrlRefused>;
  /** false when the store has no such (live) Greenfield hook. */
  delete(storeId: string, id: string): Promise<boolean>;
}
