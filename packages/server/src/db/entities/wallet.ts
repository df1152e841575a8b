import { defineEntity, p } from "@mikro-orm/core";
import { StoreEntity } from "./store.js";

/**
 * A store's watch-only wallet: public descriptors only. Replacing a wallet deactivates the old row
 * (its addresses stay, so invoices keep theirs); at most one active wallet per store.
 */
export const WalletEntity = defineEntity({
  name: "Wallet",
  tableName: "wallet",
  indexes: [{ name: "wallet_store_active_idx", properties: ["store", "active"] }],
  properties: {
    id: p.integer().primary().autoincrement(),
    store: () => p.manyToOne(StoreEntity).deleteRule("cascade"),
    active: p.boolean(),
    kind: p.string().length(16),
    network: p.string().length(16),
    scriptType: p.string().length(16),
    receiveDescriptor: p.text(),
    // Receive address 0 identifies the address sequence whatever the descriptor's spelling (key
    // origin or not, xpub or zpub): UNIQUE, so two stores can never be handed the same addresses.
    firstAddress: p.string().length(100).unique(),
    changeDescriptor: p.text().nullable(),
    fingerprint: p.string().length(8).nullable(),
    derivationPath: p.string().length(200).nullable(),
    gapLimit: p.integer(),
    // Next receive index to derive. Advanced with UPDATE ... RETURNING in the finalize transaction.
    nextIndex: p.integer().default(0),
    // Highest receive index a payment was seen on (chain watching sets it); null = none yet.
    highestPaidIndex: p.integer().nullable(),
    createdAt: p.datetime().defaultRaw("now()"),
  },
});
