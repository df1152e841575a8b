import type { OwnedStore, UserRecord, UserRepository } from "../../ports/users.js";
import type { Sql } from "./sql.js";
import { row, rows, toDate } from "./sql.js";

interface UserRow {
  id: string;
  email: string;
  password_hash: string;
  created_at: Date | string;
}

const toRecord = (r: UserRow): UserRecord => ({
  id: r.id,
  email: r.email,
  passwordHash: r.password_hash,
  createdAt: toDate(r.created_at),
});

export function userRepository(em: Sql): UserRepository {
  return {
    async insert(u) {
      const r = await row<UserRow>(
        em,
        "insert into app_user (id, email, password_hash) values (?, ?, ?) returning id, email, password_hash, created_at",
        [u.id, u.email, u.passwordHash],
      );
      if (!r) throw new Error("user insert returned nothing");
      return toRecord(r);
    },
    async findByEmail(email) {
      const r = await row<UserRow>(em, "select id, email, password_hash, created_at from app_user where email = ?", [
        email,
      ]);
      return r ? toRecord(r) : null;
    },
    async get(id) {
      const r = await row<UserRow>(em, "select id, email, password_hash, created_at from app_user where id = ?", [id]);
      return r ? toRecord(r) : null;
    },
    async setStoreOwner(storeId, userId) {
      const r = await row<{ id: string }>(em, "update store set owner_user_id = ? where id = ? returning id", [
        userId,
        storeId,
      ]);
      return r !== undefined;
    },
    async ownedStores(userId) {
      return rows<OwnedStore>(em, "select id, name from store where owner_user_id = ? order by created_at, id", [
        userId,
      ]);
    },
  };
}
