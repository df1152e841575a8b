import { Migration } from "@mikro-orm/migrations";

/**
 * Initial schema, generated from the entities. Reviewed by hand: `rate_limit_counter` is UNLOGGED —
 * counters are hot (one upsert per API request on the same row) and worthless after a crash, so
 * they skip the WAL and its commit flush; a crash simply resets the current minute's counts.
 */
export class Migration20261121054336 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "idempotency_key" ("store_id" varchar(32) not null, "key" varchar(255) not null, "operation" varchar(64) not null, "request_hash" varchar(64) not null, "response_status" int not null, "response_body" jsonb not null, "created_at" timestamptz not null default now(), constraint "idempotency_key_pkey" primary key ("store_id", "key"));`,
    );

    this.addSql(
      `create unlogged table "rate_limit_counter" ("bucket" varchar(80) not null, "window_start" bigint not null, "count" int not null, constraint "rate_limit_counter_pkey" primary key ("bucket", "window_start"));`,
    );

    this.addSql(
      `create table "store" ("id" varchar(32) not null, "name" varchar(200) not null, "invoice_prefix" varchar(20) not null, "next_invoice_number" int not null default 1, "default_currency" varchar(3) not null, "created_at" timestamptz not null default now(), constraint "store_pkey" primary key ("id"));`,
    );

    this.addSql(
      `create table "invoice" ("id" bigserial primary key, "store_id" varchar(32) not null, "ref" varchar(32) not null, "invoice_number" varchar(40) not null, "status" varchar(16) not null, "customer_email" varchar(320) null, "customer_name" varchar(200) null, "customer_company" varchar(200) null, "currency" varchar(3) not null, "subtotal" numeric(30,8) not null, "tax_rate" numeric(30,8) null, "tax_amount" numeric(30,8) not null, "discount_amount" numeric(30,8) not null, "total" numeric(30,8) not null, "amount_paid" numeric(30,8) not null default '0', "notes" text not null default '', "payment_methods" text[] not null, "metadata" jsonb not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now());`,
    );
    this.addSql(`alter table "invoice" add constraint "invoice_ref_unique" unique ("ref");`);
    this.addSql(`create index "invoice_store_id_idx" on "invoice" ("store_id", "id");`);
    this.addSql(`create index "invoice_store_status_id_idx" on "invoice" ("store_id", "status", "id");`);
    this.addSql(
      `alter table "invoice" add constraint "invoice_store_number_unique" unique ("store_id", "invoice_number");`,
    );

    this.addSql(
      `create table "invoice_line" ("id" bigserial primary key, "invoice_id" bigint not null, "position" int not null, "description" varchar(500) not null, "quantity" numeric(30,8) not null, "unit_price" numeric(30,8) not null, "amount" numeric(30,8) not null);`,
    );
    this.addSql(
      `alter table "invoice_line" add constraint "invoice_line_position_unique" unique ("invoice_id", "position");`,
    );

    this.addSql(
      `create table "api_key" ("id" serial primary key, "store_id" varchar(32) not null, "name" varchar(200) not null, "prefix" varchar(32) not null, "key_hash" varchar(64) not null, "access" varchar(16) not null, "created_at" timestamptz not null default now(), "revoked_at" timestamptz null);`,
    );
    this.addSql(`alter table "api_key" add constraint "api_key_prefix_unique" unique ("prefix");`);
    this.addSql(`alter table "api_key" add constraint "api_key_key_hash_unique" unique ("key_hash");`);

    this.addSql(
      `alter table "invoice" add constraint "invoice_store_id_foreign" foreign key ("store_id") references "store" ("id") on update cascade on delete cascade;`,
    );

    this.addSql(
      `alter table "invoice_line" add constraint "invoice_line_invoice_id_foreign" foreign key ("invoice_id") references "invoice" ("id") on update cascade on delete cascade;`,
    );

    this.addSql(
      `alter table "api_key" add constraint "api_key_store_id_foreign" foreign key ("store_id") references "store" ("id") on update cascade on delete cascade;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "invoice" drop constraint "invoice_store_id_foreign";`);

    this.addSql(`alter table "api_key" drop constraint "api_key_store_id_foreign";`);

    this.addSql(`alter table "invoice_line" drop constraint "invoice_line_invoice_id_foreign";`);

    this.addSql(`drop table if exists "idempotency_key" cascade;`);

    this.addSql(`drop table if exists "rate_limit_counter" cascade;`);

    this.addSql(`drop table if exists "store" cascade;`);

    this.addSql(`drop table if exists "invoice" cascade;`);

    this.addSql(`drop table if exists "invoice_line" cascade;`);

    this.addSql(`drop table if exists "api_key" cascade;`);
  }
}
