import { Migration } from "@mikro-orm/migrations";

/**
 * Per-store, per-status invoice counts for the list endpoint's `total`. Generated from the entity,
 * then the trigger added by hand: the database keeps the counts exact on every insert, status change
 * and delete, whichever code path makes it, in the same transaction.
 */
export class Migration20261121060417 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "invoice_status_count" ("store_id" varchar(32) not null, "status" varchar(16) not null, "n" bigint not null default 0, constraint "invoice_status_count_pkey" primary key ("store_id", "status"));`,
    );
    this.addSql(
      `alter table "invoice_status_count" add constraint "invoice_status_count_store_id_foreign" foreign key ("store_id") references "store" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(`create function invoice_status_count_apply(p_store varchar, p_status varchar, p_delta bigint) returns void
      language sql as $$
        insert into invoice_status_count (store_id, status, n) values (p_store, p_status, p_delta)
        on conflict (store_id, status) do update set n = invoice_status_count.n + excluded.n
      $$;`);
    this.addSql(`create function invoice_status_count_trigger() returns trigger language plpgsql as $$
      begin
        if tg_op in ('UPDATE', 'DELETE') then
          perform invoice_status_count_apply(old.store_id, old.status, -1);
        end if;
        if tg_op in ('UPDATE', 'INSERT') then
          perform invoice_status_count_apply(new.store_id, new.status, 1);
        end if;
        return null;
      end $$;`);
    this.addSql(`create trigger invoice_status_count after insert or delete or update of status, store_id on invoice
      for each row execute function invoice_status_count_trigger();`);
    this.addSql(`insert into invoice_status_count (store_id, status, n)
      select store_id, status, count(*) from invoice group by store_id, status;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop trigger if exists invoice_status_count on invoice;`);
    this.addSql(`drop function if exists invoice_status_count_trigger();`);
    this.addSql(`drop function if exists invoice_status_count_apply(varchar, varchar, bigint);`);
    this.addSql(`drop table if exists "invoice_status_count" cascade;`);
  }
}
