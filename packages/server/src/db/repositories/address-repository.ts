import type { AddressRepository, AssignedAddress } from "../../ports.js";
import type { Sql } from "./sql.js";
import { row } from "./sql.js";

export function addressRepository(sql: Sql): AddressRepository {
  return {
    async insertAvailable(walletId, rows) {
      if (rows.length === 0) return;
      await sql(
        `insert into address (wallet_id, chain, derivation_index, address, script_pubkey, state)
         select ?, v.chain, v.idx, v.address, v.spk, 'available'
         from jsonb_to_recordset(?::jsonb) as v(chain smallint, idx int, address text, spk text)`,
        [
          walletId,
          JSON.stringify(rows.map((r) => ({ chain: r.chain, idx: r.index, address: r.address, spk: r.scriptPubkey }))),
        ],
      );
    },
    async claimAvailable(walletId, invoiceId) {
      const r = await row<{ address: string; chain: number; derivation_index: number }>(
        sql,
        `update address set state = 'assigned', invoice_id = ?
         where id = (
           select id from address where wallet_id = ? and state = 'available'
           order by chain, derivation_index limit 1 for update skip locked
         )
         returning address, chain, derivation_index`,
        [invoiceId, walletId],
      );
      if (!r) return null;
      const claimed: AssignedAddress = {
        address: r.address,
        chain: Number(r.chain),
        index: Number(r.derivation_index),
      };
      return claimed;
    },
    async reuseReleased(walletId, releasedBefore, invoiceId) {
      const r = await row<{ address: string; chain: number; derivation_index: number }>(
        sql,
        `update address set state = 'assigned', invoice_id = ?, released_at = null
         where id = (
           select id from address
           where wallet_id = ? and state = 'released' and not payment_seen and released_at < ?
           order by derivation_index limit 1 for update skip locked
         )
         returning address, chain, derivation_index`,
        [invoiceId, walletId, releasedBefore],
      );
      if (!r) return null;
      const reused: AssignedAddress = { address: r.address, chain: Number(r.chain), index: Number(r.derivation_index) };
      return reused;
    },
    async release(invoiceId, at) {
      const r = await row<{ id: string }>(
        sql,
        `update address set state = 'released', invoice_id = null, released_at = ?
         where invoice_id = ? and not payment_seen returning id`,
        [at, invoiceId],
      );
      return r !== undefined;
    },
  };
}
