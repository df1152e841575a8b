/** A store owner, as the connect pages show them. */
export interface ConnectUser {
  /** The Greenfield `userId` handed to the shop with the key. */
  id: string;
  email: string;
}

/** A store the signed-in owner may grant access to. */
export interface ConnectStore {
  id: string;
  name: string;
}

export type SignInResult =
  | { kind: "ok"; user: ConnectUser }
  | { kind: "wrong" }
  | { kind: "rate-limited"; retryAfterSeconds: number };

/**
 * What the browser pages need from the btpay server: the connect flow (`/api-keys/authorize`) and
 * the modal checkout (`/invoice?view=modal`).
 */
export interface ConnectBackend {
  /**
   * Checks an owner's email and password, counting the attempt against per-client-address and
   * per-email limits first (so guessing is slow however it is spread).
   */
  signIn(email: string, password: string, clientAddress: string): Promise<SignInResult>;
  user(id: string): Promise<ConnectUser | null>;
  ownedStores(userId: string): Promise<ConnectStore[]>;
  /**
   * A new btpay API key scoped to `storeId` with exactly these Greenfield policies, granted by
   * `userId` (who must own the store; null when they do not). The key is returned once, in full.
   */
  createKey(input: {
    userId: string;
    storeId: string;
    permissions: string[];
    name: string;
  }): Promise<{ apiKey: string } | null>;
  /**
   * Session cookies: authenticated encryption under the server's secret key, so a cookie cannot be
   * read, altered or forged without it, and every server process on the same key accepts it.
   */
  sealSession(plaintext: string): string;
  /** The plaintext of a sealed session, or null when it is not one of ours. */
  openSession(sealed: string): string | null;
  now(): Date;
  /** The `<btpay-invoice>` bundle's (versioned) URL on this server, for the modal checkout page. */
  invoiceElementUrl(): string;
  /** The language a checkout page speaks: `?lang=` when supported, else Accept-Language, else English. */
  pageLanguage(query: unknown, acceptLanguage: string | undefined): string;
}
