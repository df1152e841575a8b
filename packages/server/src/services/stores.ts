import { normalizeCurrency } from "../domain/currency.js";
import { Decimal } from "../domain/decimal.js";
import { ValidationError } from "../domain/errors.js";
import { newStoreId } from "../domain/ids.js";
import { REQUIRED_CONFIRMATIONS } from "../domain/lifecycle.js";
import type { Database, StoreRecord } from "../ports.js";

export interface StoreDefaults {
  invoicePrefix: string;
  defaultCurrency: string;
}

export class StoreService {
  constructor(
    private readonly db: Database,
    private readonly defaults: StoreDefaults,
  ) {}

  async create(input: {
    name: string;
    invoicePrefix?: string | undefined;
    defaultCurrency?: string | undefined;
    markupPercent?: string | undefined;
    requiredConfirmations?: number | undefined;
    underpaymentTolerancePercent?: string | undefined;
  }): Promise<StoreRecord> {
    const name = input.name.trim();
    if (name.length === 0 || name.length > 200) throw new ValidationError("must be 1 to 200 characters", "name");
    const invoicePrefix = input.invoicePrefix ?? this.defaults.invoicePrefix;
    if (!/^[A-Za-z0-9_-]{0,20}$/.test(invoicePrefix)) {
      throw new ValidationError('may only hold letters, digits, "-" and "_" (at most 20)', "invoice_prefix");
    }
    const defaultCurrency = normalizeCurrency(input.defaultCurrency ?? this.defaults.defaultCurrency);
    const markup = Decimal.parse(input.markupPercent ?? "0", "markup_percent");
    if (markup.isNegative() || markup.compare(Decimal.fromUnits(100n, 0)) > 0 || markup.decimalPlaces() > 4) {
      throw new ValidationError("must be a percentage from 0 to 100 with at most 4 decimals", "markup_percent");
    }
    const requiredConfirmations = input.requiredConfirmations ?? 1;
    if (!REQUIRED_CONFIRMATIONS.includes(requiredConfirmations)) {
      throw new ValidationError("must be 0, 1, 2 or 6", "required_confirmations");
    }
    const tolerance = Decimal.parse(input.underpaymentTolerancePercent ?? "0", "underpayment_tolerance_percent");
    if (tolerance.isNegative() || tolerance.compare(Decimal.fromUnits(100n, 0)) >= 0 || tolerance.decimalPlaces() > 6) {
      throw new ValidationError(
        "must be a percentage from 0 to below 100 with at most 6 decimals",
        "underpayment_tolerance_percent",
      );
    }
    return this.db.repos().stores.create({
      id: newStoreId(),
      name,
      invoicePrefix,
      defaultCurrency,
      markupPercent: markup.toString(),
      requiredConfirmations,
      underpaymentTolerancePercent: tolerance.toString(),
    });
  }

  list(): Promise<StoreRecord[]> {
    return this.db.repos().stores.list();
  }

  /** The store named by id, or the only store when `id` is omitted and there is exactly one. */
  async resolve(id: string | undefined): Promise<StoreRecord> {
    if (id !== undefined) {
      const store = await this.db.repos().stores.get(id);
      if (!store) throw new ValidationError(`no store with id "${id}"`, "store");
      return store;
    }
    const stores = await this.list();
    if (stores.length === 1 && stores[0]) return stores[0];
    throw new ValidationError(
      stores.length === 0
        ? "there is no store yet; create one with 'btpay store create --name <name>'"
        : "there are several stores; say which with --store <id>",
      "store",
    );
  }
}
