import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ValidationError } from "../../src/domain/errors.js";
import { bip21Uri, btcToSats, MAX_SATS, satsToBtc } from "../../src/wallet/index.js";

interface UriVector {
  description: string;
  address: string;
  /** Satoshis as a decimal string (JSON has no bigint); null for no amount. */
  amountSats: string | null;
  label?: string;
  message?: string;
  uri?: string;
  error?: string;
}

interface Conversion {
  description: string;
  btc: string;
  sats?: string;
  error?: string;
}

const vectors = JSON.parse(readFileSync(new URL("../fixtures/bip21-vectors.json", import.meta.url), "utf8")) as {
  valid: UriVector[];
  invalid: UriVector[];
  btcToSats: { valid: Conversion[]; invalid: Conversion[] };
  satsToBtc: { description: string; sats: string; btc: string }[];
};

const uri = (v: UriVector) =>
  bip21Uri(v.address, v.amountSats === null ? null : BigInt(v.amountSats), {
    ...(v.label === undefined ? {} : { label: v.label }),
    ...(v.message === undefined ? {} : { message: v.message }),
  });

describe("bip21Uri", () => {
  for (const v of vectors.valid) {
    it(v.description, () => {
      const built = uri(v);
      expect(built).toBe(v.uri);
      // What a wallet reads back is what we meant: decode with the WHATWG URL parser.
      const params = new URL(built).searchParams;
      if (v.amountSats !== null) expect(btcToSats(params.get("amount") ?? "")).toBe(BigInt(v.amountSats));
      expect(params.get("label") ?? "").toBe(v.label ?? "");
      expect(params.get("message") ?? "").toBe(v.message ?? "");
    });
  }

  for (const v of vectors.invalid) {
    it(v.description, () => {
      expect(() => uri(v)).toThrow(RangeError);
      expect(() => uri(v)).toThrow(v.error ?? "");
    });
  }
});

describe("btcToSats", () => {
  for (const v of vectors.btcToSats.valid) {
    it(v.description, () => {
      expect(btcToSats(v.btc)).toBe(BigInt(v.sats ?? ""));
    });
  }

  for (const v of vectors.btcToSats.invalid) {
    it(v.description, () => {
      expect(() => btcToSats(v.btc, "amount")).toThrow(ValidationError);
      expect(() => btcToSats(v.btc, "amount")).toThrow(`amount: ${v.error}`);
    });
  }
});

describe("satsToBtc", () => {
  for (const v of vectors.satsToBtc) {
    it(v.description, () => {
      expect(satsToBtc(BigInt(v.sats))).toBe(v.btc);
      const sats = BigInt(v.sats);
      if (sats >= 0n && sats <= MAX_SATS) expect(btcToSats(v.btc)).toBe(sats);
    });
  }
});
