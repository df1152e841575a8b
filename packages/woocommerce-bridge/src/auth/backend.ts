/** A btpay API key as the Greenfield API sees it. */
export interface GreenfieldKey {
  keyId: number;
  storeId: string;
  /** The key's name: what the shop (or the merchant) called it. */
  label: string;
  /** btpay's own access level; decides the policies of a key made by btpay itself. */
  access: "full" | "read_only";
  /** Greenfield policies granted to a key made for an app; null for btpay's own keys. */
  permissions: string[] | null;
  userId: string | null;
}

/** `GET /server/info`: how far btpay's view of the chain is. */
export interface ServerStatus {
  /** The chain tip btpay's watcher last saw; null before its first pass. */
  tipHeight: number | null;
}

export interface GreenfieldUser {
  id: string;
  email: string;
  createdAt: Date;
}

/** What authentication and the "who am I / who are you" calls need from the btpay server. */
export interface AuthBackend {
  /** The live key for this secret, or null for an unknown, malformed or revoked one. */
  authenticate(apiKey: string): Promise<GreenfieldKey | null>;
  serverStatus(): Promise<ServerStatus>;
  user(id: string): Promise<GreenfieldUser | null>;
}
