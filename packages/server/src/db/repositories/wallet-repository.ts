import type { NewWallet, WalletRecord, WalletRepository } from "../../ports.js";
import type { Sql } from "./sql.js";
import { row, toDate } from "./sql.js";

export interface WalletRow {
  id: number;
  store_id: string;
  kind: string;
  network: string;
  script_type: string;
  receive_descriptor: string;
  change_descriptor: string | null;
  fingerprint: string | null;
  derivation_path: string | null;
  gap_limit: number;
  next_index: number;
  highest_paid_index: number | null;
  created_at: Date | string;
}

const COLUMNS = `id, store_id, kind, network, script_type, receive_descriptor, change_descriptor, fingerprint,
  derivation_path, gap_limit, next_index, highest_paid_index, created_at`;

export const toWalletRecord = (r: WalletRow): WalletRecord => ({
  id: Number(r.id),
  storeId: r.store_id,
  kind: r.kind as WalletRecord["kind"],
  network: r.network,
  scriptType: r.script_type,
  receiveDescriptor: r.receive_descriptor,
  changeDescriptor: r.change_descriptor,
  fingerprint: r.fingerprint,
  derivationPath: r.derivation_path,
  gapLimit: Number(r.gap_limit),
  nextIndex: Number(r.next_index),
  highestPaidIndex: r.highest_paid_index === null ? null : Number(r.highest_paid_index),
  createdAt: toDate(r.created_at),
});

export function walletRepository(sql: Sql): WalletRepository {
  return {
    async active(storeId) {
      const r = await row<WalletRow>(sql, `select ${COLUMNS} from wallet where store_id = ? and active`, [storeId]);
      return r ? toWalletRecord(r) : null;
    },
    async replace(storeId, w: NewWallet) {
      const known = await row<{ id: number; store_id: string }>(
        sql,
        "select id, store_id from wallet where first_address = ? for update",
        [w.firstAddress],
      );
      if (known && known.store_id !== storeId) return "other-store";
      await sql("update wallet set active = false where store_id = ? and active", [storeId]);
      if (known) {
        const r = await row<WalletRow>(
          sql,
          `update wallet set active = true, gap_limit = ? where id = ? returning ${COLUMNS}`,
          [w.gapLimit, known.id],
        );
        if (!r) throw new Error("wallet vanished while re-activating it");
        return toWalletRecord(r);
      }
      const r = await row<WalletRow>(
        sql,
        `insert into wallet (store_id, active, kind, network, script_type, receive_descriptor, first_address,
           change_descriptor, fingerprint, derivation_path, gap_limit)
         values (?, true, ?, ?, ?, ?, ?, ?, ?, ?, ?) returning ${COLUMNS}`,
        [
          storeId,
          w.kind,
          w.network,
          w.scriptType,
          w.receiveDescriptor,
          w.firstAddress,
          w.changeDescriptor,
          w.fingerprint,
          w.derivationPath,
          w.gapLimit,
        ],
      );
      if (!r) throw new Error("wallet insert returned no row");
      return toWalletRecord(r);
    },
    async takeIndexes(walletId, count) {
      const r = await row<{ first: number }>(
        sql,
        "update wallet set next_index = next_index + ? where id = ? returning next_index - ? as first",
        [count, walletId, count],
      );
      if (!r) throw new Error(`wallet ${walletId} vanished while reserving address indexes`);
      return Number(r.first);
    },
    async highestHandedOut(walletId) {
      const r = await row<{ n: number | null }>(
        sql,
        "select max(derivation_index) as n from address where wallet_id = ? and chain = 0 and state <> 'available'",
        [walletId],
      );
      return r?.n === null || r?.n === undefined ? null : Number(r.n);
    },
  };
}
