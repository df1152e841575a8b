import { Migration } from "@mikro-orm/migrations";

/**
 * Wallets, addresses and exchange rates (issue 3). Generated from the entities; the partial unique
 * index (one active wallet per store) was added by hand.
 */
export class Migration20261121062700 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "exchange_rate" ("currency" varchar(3) not null, "rate" numeric(30,8) not null, "sources" text[] not null, "quoted_at" timestamptz not null, "fetched_at" timestamptz not null, constraint "exchange_rate_pkey" primary key ("currency"));`,
    );

    this.addSql(
      `create table "wallet" ("id" serial primary key, "store_id" varchar(32) not null, "active" boolean not null, "kind" varchar(16) not null, "network" varchar(16) not null, "script_type" varchar(16) not null, "receive_descriptor" text not null, "first_address" varchar(100) not null, "change_descriptor" text null, "fingerprint" varchar(8) null, "derivation_path" varchar(200) null, "gap_limit" int not null, "next_index" int not null default 0, "highest_paid_index" int null, "created_at" timestamptz not null default now());`,
    );
    this.addSql(`alter table "wallet" add constraint "wallet_first_address_unique" unique ("first_address");`);
    this.addSql(`create index "wallet_store_active_idx" on "wallet" ("store_id", "active");`);
    this.addSql(`create unique index "wallet_one_active_per_store" on "wallet" ("store_id") where "active";`);

    this.addSql(
      `create table "address" ("id" bigserial primary key, "wallet_id" int not null, "chain" smallint not null, "derivation_index" int not null, "address" varchar(100) not null, "script_pubkey" varchar(140) not null, "state" varchar(16) not null, "invoice_id" bigint null, "payment_seen" boolean not null default false, "released_at" timestamptz null, "created_at" timestamptz not null default now());`,
    );
    this.addSql(`alter table "address" add constraint "address_address_unique" unique ("address");`);
    this.addSql(`alter table "address" add constraint "address_invoice_id_unique" unique ("invoice_id");`);
    this.addSql(
      `alter table "address" add constraint "address_wallet_chain_index_unique" unique ("wallet_id", "chain", "derivation_index");`,
    );

    this.addSql(
      `alter table "wallet" add constraint "wallet_store_id_foreign" foreign key ("store_id") references "store" ("id") on update cascade on delete cascade;`,
    );

    this.addSql(
      `alter table "address" add constraint "address_wallet_id_foreign" foreign key ("wallet_id") references "wallet" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "address" add constraint "address_invoice_id_foreign" foreign key ("invoice_id") references "invoice" ("id") on update cascade on delete set null;`,
    );

    this.addSql(`alter table "store" add column "markup_percent" numeric(10,4) not null default '0';`);

    this.addSql(
      `alter table "invoice" add column "btc_rate" numeric(30,8) null, add column "btc_amount_sats" bigint null, add column "btc_rate_sources" text[] null, add column "btc_rate_at" timestamptz null, add column "payment_address" varchar(100) null, add column "finalized_at" timestamptz null, add column "expires_at" timestamptz null;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "address" drop constraint "address_wallet_id_foreign";`);

    this.addSql(`drop table if exists "exchange_rate" cascade;`);

    this.addSql(`drop table if exists "wallet" cascade;`);

    this.addSql(`drop table if exists "address" cascade;`);

    this.addSql(
      `alter table "invoice" drop column "btc_rate", drop column "btc_amount_sats", drop column "btc_rate_sources", drop column "btc_rate_at", drop column "payment_address", drop column "finalized_at", drop column "expires_at";`,
    );

    this.addSql(`alter table "store" drop column "markup_percent";`);
  }
}
