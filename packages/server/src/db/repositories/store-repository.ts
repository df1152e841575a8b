import type { StoreRecord, StoreRepository } from "../../ports.js";
import type { Sql } from "./sql.js";
import { row, rows, toDate, trimNumeric } from "./sql.js";

interface StoreRow {
  id: string;
  name: string;
  invoice_prefix: string;
  default_currency: string;
  markup_percent: string;
  required_confirmations: number;
  underpayment_tolerance_percent: string;
  created_at: Date | string;
}

const toRecord = (r: StoreRow): StoreRecord => ({
  id: r.id,
  name: r.name,
  invoicePrefix: r.invoice_prefix,
  defaultCurrency: r.default_currency,
  markupPercent: trimNumeric(r.markup_percent),
  requiredConfirmations: Number(r.required_confirmations),
  underpaymentTolerancePercent: trimNumeric(r.underpayment_tolerance_percent),
  createdAt: toDate(r.created_at),
});

const COLUMNS = `id, name, invoice_prefix, default_currency, markup_percent::text as markup_percent,
  required_confirmations, underpayment_tolerance_percent::text as underpayment_tolerance_percent, created_at`;

export function storeRepository(em: Sql): StoreRepository {
  return {
    async create(store) {
      const r = await row<StoreRow>(
        em,
        `insert into store (id, name, invoice_prefix, default_currency, markup_percent, required_confirmations,
           underpayment_tolerance_percent) values (?, ?, ?, ?, ?, ?, ?)
         returning ${COLUMNS}`,
        [
          store.id,
          store.name,
          store.invoicePrefix,
          store.defaultCurrency,
          store.markupPercent,
          store.requiredConfirmations,
          store.underpaymentTolerancePercent,
        ],
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
