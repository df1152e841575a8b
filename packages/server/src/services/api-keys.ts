import { NotFoundError, ValidationError } from "../domain/errors.js";
import { newApiKey } from "../domain/ids.js";
import type { ApiKeyAccess, ApiKeyRecord, Database } from "../ports.js";

export class ApiKeyService {
  constructor(private readonly db: Database) {}

  /**
   * Creates a key and returns it in full; this is the only time the secret exists outside its hash.
   * A Greenfield key (WooCommerce bridge) also carries the policies granted on its store and the
   * user who granted them; btpay's own keys leave both out.
   */
  async create(input: {
    storeId: string;
    name: string;
    access: ApiKeyAccess;
    permissions?: string[] | null;
    userId?: string | null;
  }): Promise<{ key: string; record: ApiKeyRecord }> {
    const name = input.name.trim();
    if (name.length === 0 || name.length > 200) throw new ValidationError("must be 1 to 200 characters", "name");
    const generated = newApiKey();
    const record = await this.db.repos().apiKeys.create({
      storeId: input.storeId,
      name,
      prefix: generated.prefix,
      hash: generated.hash,
      access: input.access,
      permissions: input.permissions ?? null,
      userId: input.userId ?? null,
    });
    return { key: generated.key, record };
  }

  list(storeId?: string): Promise<ApiKeyRecord[]> {
    return this.db.repos().apiKeys.list(storeId);
  }

  async revoke(idOrPrefix: string): Promise<ApiKeyRecord> {
    const revoked = await this.db.repos().apiKeys.revoke(idOrPrefix);
    if (!revoked) throw new NotFoundError(`no API key with id or prefix "${idOrPrefix}"`);
    return revoked;
  }
}
