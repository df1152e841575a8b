import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

/**
 * Encrypts secrets btpay must use but must never show again (webhook signing secrets): AES-256-GCM
 * with a server key, `v1.<iv>.<tag>.<ciphertext>` (base64url). The database alone is not enough to
 * read them. The key is BTPAY_SECRET_KEY (32 bytes as 64 hex characters or base64), or else a key
 * file `<dataDir>/secret.key` created on first use (mode 600). Several server processes on one
 * database must share the key: same data directory, or the same BTPAY_SECRET_KEY.
 */
export class SecretBox {
  private constructor(private readonly key: Buffer) {}

  static fromConfig(secretKey: string | null, dataDir: string): SecretBox {
    if (secretKey) return new SecretBox(parseKey(secretKey));
    return new SecretBox(loadOrCreateKeyFile(path.join(dataDir, "secret.key")));
  }

  seal(plaintext: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", this.key, iv);
    const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
    return ["v1", iv, cipher.getAuthTag(), body]
      .map((p) => (typeof p === "string" ? p : p.toString("base64url")))
      .join(".");
  }

  open(sealed: string): string {
    const [version, iv, tag, body] = sealed.split(".");
    if (version !== "v1" || !iv || !tag || body === undefined) throw new Error("not a sealed secret");
    const decipher = createDecipheriv("aes-256-gcm", this.key, Buffer.from(iv, "base64url"));
    decipher.setAuthTag(Buffer.from(tag, "base64url"));
    try {
      return Buffer.concat([decipher.update(Buffer.from(body, "base64url")), decipher.final()]).toString("utf8");
    } catch {
      throw new Error(
        "a stored secret cannot be decrypted: is BTPAY_SECRET_KEY (or data/secret.key) the one it was sealed with?",
      );
    }
  }
}

function parseKey(raw: string): Buffer {
  const key = /^[0-9a-fA-F]{64}$/.test(raw) ? Buffer.from(raw, "hex") : Buffer.from(raw, "base64");
  if (key.length !== 32) throw new Error("BTPAY_SECRET_KEY must be 32 bytes: 64 hex characters or base64");
  return key;
}

function loadOrCreateKeyFile(file: string): Buffer {
  try {
    return parseKey(readFileSync(file, "utf8").trim());
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
  mkdirSync(path.dirname(file), { recursive: true });
  try {
    // `wx`: if another process created it first, use theirs.
    writeFileSync(file, `${randomBytes(32).toString("hex")}\n`, { mode: 0o600, flag: "wx" });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
  }
  return parseKey(readFileSync(file, "utf8").trim());
}
