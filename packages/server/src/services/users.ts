import { randomBytes } from "node:crypto";
import { ConflictError, ValidationError } from "../domain/errors.js";
import type { OwnedStore, UserRecord } from "../ports/users.js";
import type { Database } from "../ports.js";
import { decoyHash, hashPassword, MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, verifyPassword } from "./passwords.js";

/** Emails are compared as typed by nobody in particular: trimmed and lower-cased. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/**
 * Store owners: the people who may sign in to `/api-keys/authorize` and grant a shop plugin a key to
 * their stores. btpay's own API has no users (only store API keys); owners are made with the CLI.
 */
export class UserService {
  constructor(private readonly db: Database) {}

  async create(input: { email: string; password: string }): Promise<UserRecord> {
    const email = normalizeEmail(input.email);
    if (email.length > 320 || !/^[^\s@]+@[^\s@]+$/.test(email)) {
      throw new ValidationError("must be an email address", "email");
    }
    if (input.password.length < MIN_PASSWORD_LENGTH || input.password.length > MAX_PASSWORD_LENGTH) {
      throw new ValidationError(`must be ${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH} characters long`, "password");
    }
    const repo = this.db.repos().users;
    if (await repo.findByEmail(email)) throw new ConflictError(`a user with email ${email} already exists`);
    // 128 random bits as hex: the Greenfield `userId` shops store; it fits the varchar(32) column.
    const id = randomBytes(16).toString("hex");
    try {
      return await repo.insert({ id, email, passwordHash: await hashPassword(input.password) });
    } catch (err) {
      // Two creates of the same email at once: the unique index decides.
      if ((err as { code?: string }).code === "23505") {
        throw new ConflictError(`a user with email ${email} already exists`);
      }
      throw err;
    }
  }

  /** The user when email and password match, else null; unknown emails take as long as wrong passwords. */
  async authenticate(email: string, password: string): Promise<UserRecord | null> {
    const user = await this.db.repos().users.findByEmail(normalizeEmail(email));
    const ok = await verifyPassword(password, user?.passwordHash ?? (await decoyHash()));
    return ok && user ? user : null;
  }

  get(id: string): Promise<UserRecord | null> {
    return this.db.repos().users.get(id);
  }

  async requireByEmail(email: string): Promise<UserRecord> {
    const user = await this.db.repos().users.findByEmail(normalizeEmail(email));
    if (!user) throw new ValidationError(`no user with email "${normalizeEmail(email)}"; create one first`, "email");
    return user;
  }

  /** A store has one owner: setting it replaces the previous one. A user may own several stores. */
  async setStoreOwner(storeId: string, email: string): Promise<UserRecord> {
    const user = await this.requireByEmail(email);
    if (!(await this.db.repos().users.setStoreOwner(storeId, user.id))) {
      throw new ValidationError(`no store with id "${storeId}"`, "store");
    }
    return user;
  }

  ownedStores(userId: string): Promise<OwnedStore[]> {
    return this.db.repos().users.ownedStores(userId);
  }
}
