import { readFileSync } from "node:fs";
import { checksum, Output } from "@bitcoinerlab/descriptors";
import { describe, expect, it } from "vitest";
import { ValidationError } from "../../src/domain/errors.js";
import {
  type BitcoinNetwork,
  MAX_ADDRESS_INDEX,
  networkParams,
  parseNetwork,
  parseWallet,
  WalletDeriver,
  type WalletSpec,
} from "../../src/wallet/index.js";

interface ValidVector {
  description: string;
  from: string;
  network: BitcoinNetwork;
  xpub?: string;
  descriptor?: string;
  scriptType: WalletSpec["scriptType"];
  receiveDescriptor?: string;
  changeDescriptor?: null;
  fingerprint?: string | null;
  derivationPath?: string | null;
  receive: Record<string, string>;
  change?: Record<string, string>;
}

interface InvalidVector {
  description: string;
  network: BitcoinNetwork;
  xpub?: string;
  descriptor?: string;
  field?: string;
  error: string;
  /** Private key text that must appear nowhere in the error. */
  secret?: string;
}

const vectors = JSON.parse(readFileSync(new URL("../fixtures/wallet-vectors.json", import.meta.url), "utf8")) as {
  valid: ValidVector[];
  invalid: InvalidVector[];
};

/** What @bitcoinerlab/descriptors derives from the stored descriptor: the independent reference. */
function reference(spec: WalletSpec, descriptor: string, index: number) {
  const output = new Output({ descriptor, index, network: networkParams(spec.network) });
  return { address: output.getAddress(), scriptPubKeyHex: Buffer.from(output.getScriptPubKey()).toString("hex") };
}

function input(v: { xpub?: string; descriptor?: string }) {
  return {
    ...(v.xpub === undefined ? {} : { xpub: v.xpub }),
    ...(v.descriptor === undefined ? {} : { descriptor: v.descriptor }),
  };
}

describe("parseWallet + WalletDeriver: valid vectors", () => {
  for (const v of vectors.valid) {
    it(v.description, () => {
      const spec = parseWallet(input(v), v.network);
      expect(spec.kind).toBe(v.xpub === undefined ? "descriptor" : "xpub");
      expect(spec.network).toBe(v.network);
      expect(spec.scriptType).toBe(v.scriptType);
      expect(spec.source).toBe((v.xpub ?? v.descriptor ?? "").trim());
      if (v.receiveDescriptor !== undefined) expect(spec.receiveDescriptor).toBe(v.receiveDescriptor);
      if (v.changeDescriptor !== undefined) expect(spec.changeDescriptor).toBe(v.changeDescriptor);
      if (v.fingerprint !== undefined) expect(spec.fingerprint).toBe(v.fingerprint);
      if (v.derivationPath !== undefined) expect(spec.derivationPath).toBe(v.derivationPath);
      // Stored as JSON: must survive the round trip unchanged.
      expect(JSON.parse(JSON.stringify(spec))).toEqual(spec);

      // Canonical descriptors: public, ranged, single-branch, with the checksum Bitcoin Core computes.
      for (const d of [spec.receiveDescriptor, spec.changeDescriptor]) {
        if (d === null) continue;
        const [body = "", sum] = d.split("#");
        expect(sum).toBe(checksum(body));
        expect(body).toMatch(/\/\*\)+$/);
        expect(body).not.toContain("<");
      }

      const deriver = new WalletDeriver(spec);
      const chains: [0 | 1, Record<string, string> | undefined, string | null][] = [
        [0, v.receive, spec.receiveDescriptor],
        [1, v.change, spec.changeDescriptor],
      ];
      for (const [chain, expected, descriptor] of chains) {
        for (const [index, address] of Object.entries(expected ?? {})) {
          if (descriptor === null) throw new Error("vector expects a change chain");
          const derived = deriver.address(chain, Number(index));
          expect(derived.address).toBe(address);
          expect(derived).toEqual(reference(spec, descriptor, Number(index)));
        }
      }
      expect(deriver.hasChange).toBe(spec.changeDescriptor !== null);
    });
  }
});

describe("parseWallet: invalid vectors", () => {
  for (const v of vectors.invalid) {
    it(v.description, () => {
      let error: unknown;
      try {
        parseWallet(input(v), v.network);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ValidationError);
      const e = error as ValidationError;
      expect(e.status).toBe(400);
      expect(e.field).toBe(v.field);
      expect(e.message).toContain(v.error);
      if (v.secret !== undefined) {
        // Nowhere a log line or a response could pick it up from.
        const everything = `${e.message} ${e.stack ?? ""} ${JSON.stringify(e)} ${String(e.cause ?? "")}`;
        expect(everything).not.toContain(v.secret);
        expect(everything).not.toContain(v.secret.slice(4, 40));
      }
      // No refusal ever quotes the input back (keys, descriptors): only our own words.
      for (const given of [v.xpub, v.descriptor]) {
        if (given && given.trim().length >= 20) expect(e.message).not.toContain(given.trim().slice(0, 20));
      }
    });
  }
});

const zpub =
  "zpub6rFR7y4Q2AijBEqTUquhVz398htDFrtymD9xYYfG1m4wAcvPhXNfE3EfH1r1ADqtfSdVCToUG868RvUUkgDKf31mGDtKsAYz2oz2AGutZYs";
const tv1 =
  "xpub661MyMwAqRbcFtXgS5sYJABqqG9YLmC4Q1Rdap9gSE8NqtwybGhePY2gZ29ESFjqJoCu1Rupje8YtGqsefD265TMg7usUDFdp6W1EGMcet8";

describe("WalletDeriver", () => {
  const deriver = new WalletDeriver(parseWallet({ xpub: zpub }, "mainnet"));

  it("addresses() returns consecutive addresses equal to address()", () => {
    const list = deriver.addresses(0, 0, 5);
    expect(list).toHaveLength(5);
    list.forEach((a, i) => {
      expect(a).toEqual(deriver.address(0, i));
    });
    expect(deriver.addresses(1, 3, 0)).toEqual([]);
  });

  it("matches @bitcoinerlab/descriptors over a range of indexes on every script type", () => {
    for (const script of ["pkh", "wpkh", "sh(wpkh", "tr"]) {
      const close = script.startsWith("sh(") ? "))" : ")";
      const spec = parseWallet({ descriptor: `${script}(${tv1}/<0;1>/*${close}` }, "mainnet");
      const d = new WalletDeriver(spec);
      for (const index of [0, 1, 2, 19, 1000, MAX_ADDRESS_INDEX]) {
        expect(d.address(0, index)).toEqual(reference(spec, spec.receiveDescriptor, index));
        expect(d.address(1, index)).toEqual(reference(spec, spec.changeDescriptor ?? "", index));
      }
    }
  });

  it("accepts the last unhardened index and refuses anything outside 0..2^31-1", () => {
    expect(deriver.address(0, MAX_ADDRESS_INDEX).address).toMatch(/^bc1q/);
    for (const bad of [-1, MAX_ADDRESS_INDEX + 1, 1.5, Number.NaN]) {
      expect(() => deriver.address(0, bad)).toThrow(RangeError);
    }
    expect(() => deriver.addresses(0, MAX_ADDRESS_INDEX, 2)).toThrow(RangeError);
    expect(deriver.addresses(0, MAX_ADDRESS_INDEX, 1)).toHaveLength(1);
    expect(() => deriver.address(2 as 0, 0)).toThrow(RangeError);
  });

  it("refuses chain 1 when the wallet has no change chain", () => {
    const single = new WalletDeriver(parseWallet({ descriptor: `wpkh(${tv1}/0/*)` }, "mainnet"));
    expect(single.hasChange).toBe(false);
    expect(() => single.address(1, 0)).toThrow("this wallet has no change chain");
  });

  it("rebuilds from a stored (JSON round-tripped) spec", () => {
    const stored = JSON.parse(JSON.stringify(deriver.spec)) as WalletSpec;
    expect(new WalletDeriver(stored).address(0, 7)).toEqual(deriver.address(0, 7));
  });
});

describe("parseNetwork", () => {
  it("accepts the four network names", () => {
    for (const n of ["mainnet", "testnet", "signet", "regtest"]) expect(parseNetwork(n)).toBe(n);
  });

  it("refuses anything else with a ValidationError", () => {
    expect(() => parseNetwork("bitcoin")).toThrow("network: must be one of mainnet, testnet, signet, regtest");
  });

  it("regtest writes bech32 with bcrt, signet shares testnet's parameters", () => {
    expect(networkParams("regtest").bech32).toBe("bcrt");
    expect(networkParams("signet")).toBe(networkParams("testnet"));
  });
});
