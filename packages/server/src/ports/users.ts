/** Store owners (the Greenfield connect flow signs them in). Owned by the connect-flow work. */
export interface UserRecord {
  id: string;
  email: string;
  /** scrypt, with its salt and parameters (services/passwords.ts). */
  passwordHash: string;
  createdAt: Date;
}

export interface UserRepository {
  insert(user: { id: string; email: string; passwordHash: string }): Promise<UserRecord>;
  findByEmail(email: string): Promise<UserRecord | null>;
  get(id: string): Promise<UserRecord | null>;
  /** Makes `userId` the one owner of the store; false when there is no such store. */
  setStoreOwner(storeId: string, userId: string): Promise<boolean>;
  /** The stores `userId` owns, oldest first. */
  ownedStores(userId: string): Promise<OwnedStore[]>;
}

/** What the connect flow shows of a store: enough to pick one. */
export interface OwnedStore {
  id: string;
  name: string;
}
