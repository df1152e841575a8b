import type { StoreRecord, StoreRepository } from "../../ports.js";
import type { Sql } from "./sql.js";
import { row, rows, toDate, trimNumeric } from "./sql.js";

interface StoreRow {
  id: string;
  name: string;
  invoice_prefix: string;
  default_currency: string;
  markup_percent: string;
  created_at: Date | string;
}

const toRecord = (r: StoreRow): StoreRecord => ({
  id: r.id,
  name: r.name,
  invoicePrefix: r.invoice_prefix,
  defaultCurrency: r.default_currency,
  markupPercent: trimNumeric(r.markup_percent),
  createdAt: toDate(r.created_at),
});

const COLUMNS = "id, name, invoice_prefix, default_currency, markup_percent::text as markup_percent, created_at";

export function storeRepository(em: Sql): StoreRepository {
  return {
    async create(store) {
      const r = await row<StoreRow>(
        em,
        `insert into store (id, name, invoice_prefix, default_currency, markup_percent) values (?, ?, ?, ?, ?)
         returning ${COLUMNS}`,
        [store.id, store.name, store.invoicePrefix, store.defaultCurrency, store.markupPercent],
      );
      return toRecord(r as StoreRow);
    },
    async list() {
      return (await rows<StoreRow>(em, `select ${COLUMNS} from store order by created_at, id`)).map(toRecord);
    },
    async get(id) {
      const r = await row<StoreRow>(em, `select ${COLUMNS} from store where id = ?`, [id]);
      return r ? toRecord(r) : null;
    },
  };
}
