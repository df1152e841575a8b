import { Migration } from "@mikro-orm/migrations";

/**
 * Payments, the events outbox and the chain tip (issue 4), and the invoice lifecycle policy columns.
 * Generated from the entities; the two partial indexes of the watcher's query were added by hand,
 * and the generator's attempt to drop the hand-made `wallet_one_active_per_store` index removed.
 */
export class Migration20261121075956 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "chain_state" ("network" varchar(16) not null, "source" varchar(16) not null, "tip_height" int not null, "tip_hash" varchar(64) not null, "updated_at" timestamptz not null default now(), constraint "chain_state_pkey" primary key ("network"));`,
    );

    this.addSql(
      `create table "outbox_event" ("id" bigserial primary key, "store_id" varchar(32) not null, "type" varchar(40) not null, "invoice_id" bigint null, "data" jsonb not null, "created_at" timestamptz not null default now());`,
    );
    this.addSql(`create index "outbox_event_store_id_idx" on "outbox_event" ("store_id", "id");`);

    this.addSql(
      `create table "payment" ("id" bigserial primary key, "invoice_id" bigint not null, "address" varchar(100) not null, "txid" varchar(64) not null, "vout" int not null, "amount_sats" bigint not null, "state" varchar(16) not null, "block_height" int null, "block_hash" varchar(64) null, "late" boolean not null default false, "confirmed_announced" boolean not null default false, "first_seen_at" timestamptz not null, "updated_at" timestamptz not null default now());`,
    );
    this.addSql(`create index "payment_invoice_idx" on "payment" ("invoice_id");`);
    this.addSql(`alter table "payment" add constraint "payment_txid_vout_unique" unique ("txid", "vout");`);

    this.addSql(
      `alter table "outbox_event" add constraint "outbox_event_store_id_foreign" foreign key ("store_id") references "store" ("id") on update cascade on delete cascade;`,
    );

    this.addSql(
      `alter table "payment" add constraint "payment_invoice_id_foreign" foreign key ("invoice_id") references "invoice" ("id") on update cascade on delete cascade;`,
    );

    this.addSql(
      `alter table "store" add column "required_confirmations" smallint not null default 1, add column "underpayment_tolerance_percent" numeric(9,6) not null default '0';`,
    );

    this.addSql(
      `alter table "invoice" add column "required_confirmations" smallint not null default 1, add column "underpayment_tolerance_percent" numeric(9,6) not null default '0', add column "monitoring_until" timestamptz null, add column "paid_sats" bigint not null default 0, add column "flags" text[] not null default '{}', add column "watch_until" timestamptz null, add column "paid_at" timestamptz null, add column "confirmed_at" timestamptz null;`,
    );
    this.addSql(
      `create index "invoice_open_idx" on "invoice" ("id") where "status" in ('pending', 'partial', 'paid');`,
    );
    this.addSql(`create index "invoice_watch_until_idx" on "invoice" ("watch_until") where "watch_until" is not null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "chain_state" cascade;`);

    this.addSql(`drop table if exists "outbox_event" cascade;`);

    this.addSql(`drop table if exists "payment" cascade;`);

    this.addSql(`drop index "invoice_open_idx";`);
    this.addSql(`drop index "invoice_watch_until_idx";`);
    this.addSql(
      `alter table "invoice" drop column "required_confirmations", drop column "underpayment_tolerance_percent", drop column "monitoring_until", drop column "paid_sats", drop column "flags", drop column "watch_until", drop column "paid_at", drop column "confirmed_at";`,
    );

    this.addSql(
      `alter table "store" drop column "required_confirmations", drop column "underpayment_tolerance_percent";`,
    );
  }
}
