import { Migration } from "@mikro-orm/migrations";

/**
 * One page of a store's invoices: the filter's total and the page's `id:xmin` entries, newest first
 * (decision 0019). A function only so that its statements run on generic plans: sent by the
 * client, a statement with `LIMIT $n OFFSET $m` is planned again on every call, because Postgres
 * prices a generic plan for an unknown limit as if it read a tenth of the table; planning cost
 * half of every list (measured on the embedded database: 0.31 against 0.16 ms at offset 0, 0.53
 * against 0.27 ms at offset 1,000; docs/benchmarks.md). Every plan here is an index scan on
 * (store_id, id) or (store_id, status, id) whatever the values, so a generic plan is always right.
 *
 * Near the top of the list one index scan reads the rows' versions (heap). Deeper, skipping
 * `p_offset` rows that way would read every skipped row too, so an index-only scan first finds the
 * page's first id (skipping costs index entries, not rows). The two cost the same between offsets
 * 300 and 500 (measured).
 */
export class Migration20261121163000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create function invoice_list_page(p_store varchar, p_status varchar, p_limit int, p_offset int,
        out total bigint, out page text[])
      language plpgsql stable
      set plan_cache_mode = force_generic_plan
      as $$
      begin
        if p_status is null then
          if p_offset < 300 then
            select (select coalesce(sum(n), 0) from invoice_status_count where store_id = p_store),
              array(select id::text || ':' || xmin::text from invoice where store_id = p_store
                    order by id desc limit p_limit offset p_offset)
            into total, page;
          else
            select (select coalesce(sum(n), 0) from invoice_status_count where store_id = p_store),
              array(select id::text || ':' || xmin::text from invoice where store_id = p_store
                      and id <= (select id from invoice where store_id = p_store order by id desc offset p_offset limit 1)
                    order by id desc limit p_limit)
            into total, page;
          end if;
        else
          if p_offset < 300 then
            select (select coalesce(sum(n), 0) from invoice_status_count where store_id = p_store and status = p_status),
              array(select id::text || ':' || xmin::text from invoice where store_id = p_store and status = p_status
                    order by id desc limit p_limit offset p_offset)
            into total, page;
          else
            select (select coalesce(sum(n), 0) from invoice_status_count where store_id = p_store and status = p_status),
              array(select id::text || ':' || xmin::text from invoice where store_id = p_store and status = p_status
                      and id <= (select id from invoice where store_id = p_store and status = p_status
                                 order by id desc offset p_offset limit 1)
                    order by id desc limit p_limit)
            into total, page;
          end if;
        end if;
      end $$;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop function if exists invoice_list_page(varchar, varchar, int, int);`);
  }
}
