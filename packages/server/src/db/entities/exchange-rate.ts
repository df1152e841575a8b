import { defineEntity, p } from "@mikro-orm/core";

/** The last good aggregated rate per currency, written by the rate refresher, read by finalize. */
export const ExchangeRateEntity = defineEntity({
  name: "ExchangeRate",
  tableName: "exchange_rate",
  properties: {
    currency: p.string().length(3).primary(),
    rate: p.decimal("string").precision(30).scale(8),
    sources: p.array().columnType("text[]"),
    // When the sources quoted it (staleness is judged on this), and when we fetched it.
    quotedAt: p.datetime(),
    fetchedAt: p.datetime(),
  },
});
