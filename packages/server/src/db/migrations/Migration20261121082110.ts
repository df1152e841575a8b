import { Migration } from "@mikro-orm/migrations";

/**
 * Webhooks (endpoints, deliveries, attempts) and payment links (issue 5). Generated from the
 * entities; the fan-out trigger (an outbox event becomes one delivery per matching active endpoint,
 * in the event's own transaction) and the pending-delivery indexes were added by hand, and the
 * generator's attempts to drop hand-made indexes removed.
 */
export class Migration20261121082110 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "payment_link" ("id" serial primary key, "store_id" varchar(32) not null, "ref" varchar(32) not null, "slug" varchar(100) not null, "title" varchar(200) not null, "description" text null, "amount" numeric(30,8) null, "currency" varchar(3) not null, "payment_methods" text[] not null, "redirect_url" text null, "metadata" jsonb not null, "is_active" boolean not null default true, "created_at" timestamptz not null default now());`,
    );
    this.addSql(`alter table "payment_link" add constraint "payment_link_ref_unique" unique ("ref");`);
    this.addSql(`alter table "payment_link" add constraint "payment_link_slug_unique" unique ("slug");`);
    this.addSql(`create index "payment_link_store_idx" on "payment_link" ("store_id", "id");`);

    this.addSql(
      `create table "webhook" ("id" serial primary key, "store_id" varchar(32) not null, "url" text not null, "events" text[] not null, "description" varchar(500) null, "is_active" boolean not null default true, "secret_encrypted" text not null, "created_at" timestamptz not null default now(), "deleted_at" timestamptz null);`,
    );
    this.addSql(`create index "webhook_store_idx" on "webhook" ("store_id", "is_active");`);

    this.addSql(
      `create table "webhook_delivery" ("id" bigserial primary key, "webhook_id" int not null, "event_id" bigint not null, "state" varchar(16) not null, "attempts" int not null default 0, "next_attempt_at" timestamptz not null, "locked_until" timestamptz null, "last_status" int null, "last_error" text null, "delivered_at" timestamptz null, "created_at" timestamptz not null default now());`,
    );
    this.addSql(
      `alter table "webhook_delivery" add constraint "webhook_delivery_webhook_event_unique" unique ("webhook_id", "event_id");`,
    );

    this.addSql(
      `create table "webhook_attempt" ("id" bigserial primary key, "delivery_id" bigint not null, "attempt" int not null, "started_at" timestamptz not null, "duration_ms" int not null, "status" int null, "error" text null, "response_snippet" text null);`,
    );
    this.addSql(`create index "webhook_attempt_delivery_idx" on "webhook_attempt" ("delivery_id");`);

    this.addSql(
      `alter table "payment_link" add constraint "payment_link_store_id_foreign" foreign key ("store_id") references "store" ("id") on update cascade on delete cascade;`,
    );

    this.addSql(
      `alter table "webhook" add constraint "webhook_store_id_foreign" foreign key ("store_id") references "store" ("id") on update cascade on delete cascade;`,
    );

    this.addSql(
      `alter table "webhook_delivery" add constraint "webhook_delivery_webhook_id_foreign" foreign key ("webhook_id") references "webhook" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "webhook_delivery" add constraint "webhook_delivery_event_id_foreign" foreign key ("event_id") references "outbox_event" ("id") on update cascade on delete cascade;`,
    );

    this.addSql(
      `alter table "webhook_attempt" add constraint "webhook_attempt_delivery_id_foreign" foreign key ("delivery_id") references "webhook_delivery" ("id") on update cascade on delete cascade;`,
    );

    this.addSql(
      `alter table "invoice" add column "payment_link_id" int null, add column "public_client" varchar(64) null;`,
    );
    this.addSql(`create index "invoice_payment_link_idx" on "invoice" ("payment_link_id", "status");`);

    this.addSql(
      `create index "webhook_delivery_pending_idx" on "webhook_delivery" ("webhook_id", "id") where "state" = 'pending';`,
    );
    this.addSql(
      `create index "webhook_delivery_due_idx" on "webhook_delivery" ("next_attempt_at") where "state" = 'pending';`,
    );
    this.addSql(`create function webhook_fan_out() returns trigger language plpgsql as $$
      begin
        insert into webhook_delivery (webhook_id, event_id, state, next_attempt_at)
        select w.id, new.id, 'pending', new.created_at
        from webhook w
        where w.store_id = new.store_id and w.is_active and ('*' = any (w.events) or new.type = any (w.events));
        return null;
      end $$;`);
    this.addSql(`create trigger outbox_event_fan_out after insert on outbox_event
      for each row execute function webhook_fan_out();`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop trigger if exists outbox_event_fan_out on outbox_event;`);
    this.addSql(`drop function if exists webhook_fan_out();`);
    this.addSql(`alter table "webhook_delivery" drop constraint "webhook_delivery_webhook_id_foreign";`);

    this.addSql(`alter table "webhook_attempt" drop constraint "webhook_attempt_delivery_id_foreign";`);

    this.addSql(`drop table if exists "payment_link" cascade;`);

    this.addSql(`drop table if exists "webhook" cascade;`);

    this.addSql(`drop table if exists "webhook_delivery" cascade;`);

    this.addSql(`drop table if exists "webhook_attempt" cascade;`);

    this.addSql(`drop index "invoice_payment_link_idx";`);
    this.addSql(`alter table "invoice" drop column "payment_link_id", drop column "public_client";`);
  }
}
