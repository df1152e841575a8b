import { Migration } from "@mikro-orm/migrations";

/**
 * The WooCommerce bridge (issue 7): store owners who sign in to grant apps a key, Greenfield keys'
 * permissions, Greenfield invoice options and manual marks, Greenfield-format webhooks, refunds.
 * Generated from the entities; the index on `metadata->>'orderId'` (Greenfield invoice search) added
 * by hand, and the generator's attempts to drop hand-made indexes removed.
 */
export class Migration20261121111422 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "app_user" ("id" varchar(32) not null, "email" varchar(320) not null, "password_hash" text not null, "created_at" timestamptz not null default now(), constraint "app_user_pkey" primary key ("id"));`,
    );
    this.addSql(`alter table "app_user" add constraint "app_user_email_unique" unique ("email");`);

    this.addSql(
      `create table "refund" ("id" serial primary key, "ref" varchar(32) not null, "store_id" varchar(32) not null, "invoice_id" int null, "name" varchar(200) not null, "description" text null, "amount" numeric(30,8) not null, "currency" varchar(3) not null, "state" varchar(16) not null default 'awaiting_claim', "claim_address" varchar(100) null, "claim_amount_sats" bigint null, "claim_rate" numeric(30,8) null, "txid" varchar(64) null, "expires_at" timestamptz null, "created_at" timestamptz not null default now(), "claimed_at" timestamptz null, "paid_at" timestamptz null);`,
    );
    this.addSql(`alter table "refund" add constraint "refund_ref_unique" unique ("ref");`);
    this.addSql(`create index "refund_store_idx" on "refund" ("store_id", "id");`);
    this.addSql(
      `alter table "refund" add constraint "refund_store_id_foreign" foreign key ("store_id") references "store" ("id") on update cascade on delete cascade;`,
    );

    this.addSql(`alter table "store" add column "owner_user_id" varchar(32) null;`);
    this.addSql(
      `alter table "invoice" add column "greenfield_checkout" jsonb null, add column "manual_status" varchar(16) null;`,
    );
    // Greenfield shops look their invoices up by order id.
    this.addSql(`create index "invoice_order_id_idx" on "invoice" ("store_id", ((metadata->>'orderId')));`);
    this.addSql(`alter table "api_key" add column "permissions" text[] null, add column "user_id" varchar(32) null;`);
    this.addSql(
      `alter table "webhook" add column "format" varchar(16) not null default 'btpay', add column "greenfield" jsonb null;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "webhook" drop column "format", drop column "greenfield";`);
    this.addSql(`alter table "api_key" drop column "permissions", drop column "user_id";`);
    this.addSql(`drop index "invoice_order_id_idx";`);
    this.addSql(`alter table "invoice" drop column "greenfield_checkout", drop column "manual_status";`);
    this.addSql(`alter table "store" drop column "owner_user_id";`);
    this.addSql(`drop table if exists "refund" cascade;`);
    this.addSql(`drop table if exists "app_user" cascade;`);
  }
}
