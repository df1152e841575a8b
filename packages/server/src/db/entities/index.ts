import { AddressEntity } from "./address.js";
import { ApiKeyEntity } from "./api-key.js";
import { AppUserEntity } from "./app-user.js";
import { ChainStateEntity } from "./chain-state.js";
import { ExchangeRateEntity } from "./exchange-rate.js";
import { IdempotencyKeyEntity } from "./idempotency-key.js";
import { InvoiceEntity } from "./invoice.js";
import { InvoiceLineEntity } from "./invoice-line.js";
import { InvoiceStatusCountEntity } from "./invoice-status-count.js";
import { OutboxEventEntity } from "./outbox-event.js";
import { PaymentEntity } from "./payment.js";
import { PaymentLinkEntity } from "./payment-link.js";
import { RateLimitCounterEntity } from "./rate-limit-counter.js";
import { RefundEntity } from "./refund.js";
import { StoreEntity } from "./store.js";
import { WalletEntity } from "./wallet.js";
import { WebhookEntity } from "./webhook.js";
import { WebhookAttemptEntity } from "./webhook-attempt.js";
import { WebhookDeliveryEntity } from "./webhook-delivery.js";

export const entities = [
  StoreEntity,
  ApiKeyEntity,
  InvoiceEntity,
  InvoiceLineEntity,
  InvoiceStatusCountEntity,
  IdempotencyKeyEntity,
  RateLimitCounterEntity,
  WalletEntity,
  AddressEntity,
  ExchangeRateEntity,
  PaymentEntity,
  OutboxEventEntity,
  ChainStateEntity,
  WebhookEntity,
  WebhookDeliveryEntity,
  WebhookAttemptEntity,
  PaymentLinkEntity,
  AppUserEntity,
  RefundEntity,
];
