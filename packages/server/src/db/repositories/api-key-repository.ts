import type { ApiKeyAccess, ApiKeyRecord, ApiKeyRepository } from "../../ports.js";
import type { Sql } from "./sql.js";
import { row, rows, toDate, trimNumeric } from "./sql.js";

interface ApiKeyRow {
  id: number;
  store_id: string;
  name: string;
  prefix: string;
  access: string;
  permissions: string[] | null;
  user_id: string | null;
  created_at: Date | string;
  revoked_at: Date | string | null;
}

const COLUMNS = "id, store_id, name, prefix, access, permissions, user_id, created_at, revoked_at";

const toRecord = (r: ApiKeyRow): ApiKeyRecord => ({
  id: Number(r.id),
  storeId: r.store_id,
  name: r.name,
  prefix: r.prefix,
  access: r.access as ApiKeyAccess,
  permissions: r.permissions ?? null,
  userId: r.user_id ?? null,
  createdAt: toDate(r.created_at),
  revokedAt: r.revoked_at === null ? null : toDate(r.revoked_at),
});

export function apiKeyRepository(em: Sql): ApiKeyRepository {
  return {
    async create(key) {
      const r = await row<ApiKeyRow>(
        em,
        `insert into api_key (store_id, name, prefix, key_hash, access, permissions, user_id)
         values (?, ?, ?, ?, ?, ?::text[], ?) returning ${COLUMNS}`,
        [key.storeId, key.name, key.prefix, key.hash, key.access, key.permissions ?? null, key.userId ?? null],
      );
      return toRecord(r as ApiKeyRow);
    },
    async list(storeId) {
      const where = storeId === undefined ? "" : "where store_id = ?";
      const params = storeId === undefined ? [] : [storeId];
      return (await rows<ApiKeyRow>(em, `select ${COLUMNS} from api_key ${where} order by id`, params)).map(toRecord);
    },
    async revoke(idOrPrefix) {
      const byId = /^[0-9]{1,9}$/.test(idOrPrefix);
      const r = await row<ApiKeyRow>(
        em,
        `update api_key set revoked_at = coalesce(revoked_at, now()) where ${byId ? "id = ?" : "prefix = ?"} returning ${COLUMNS}`,
        [byId ? Number(idOrPrefix) : idOrPrefix],
      );
      return r ? toRecord(r) : null;
    },
    async authenticate(hash, windowStart, tokens) {
      const r = await row<
        ApiKeyRow & {
          s_name: string;
          s_prefix: string;
          s_currency: string;
          s_markup: string;
          s_confirmations: number;
          s_tolerance: string;
          s_created_at: Date | string;
          hits: number;
        }
      >(
        em,
        `with k as (
           select k.id, k.store_id, k.name, k.prefix, k.access, k.permissions, k.user_id, k.created_at, k.revoked_at,
             s.name as s_name,
             s.invoice_prefix as s_prefix, s.default_currency as s_currency, s.markup_percent::text as s_markup,
             s.required_confirmations as s_confirmations, s.underpayment_tolerance_percent::text as s_tolerance,
             s.created_at as s_created_at
           from api_key k join store s on s.id = k.store_id where k.key_hash = ? and k.revoked_at is null
         ), h as (
           insert into rate_limit_counter (bucket, window_start, count) select 'key:' || k.id, ?, ? from k
           on conflict (bucket, window_start) do update set count = rate_limit_counter.count + excluded.count
           returning count
         )
         select k.*, (select count from h) as hits from k`,
        [hash, windowStart, tokens],
      );
      if (!r) return null;
      return {
        key: toRecord(r),
        hits: Number(r.hits),
        store: {
          id: r.store_id,
          name: r.s_name,
          invoicePrefix: r.s_prefix,
          defaultCurrency: r.s_currency,
          markupPercent: trimNumeric(r.s_markup),
          requiredConfirmations: Number(r.s_confirmations),
          underpaymentTolerancePercent: trimNumeric(r.s_tolerance),
          createdAt: toDate(r.s_created_at),
        },
      };
    },
  };
}
