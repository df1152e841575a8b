import { create } from "qrcode";
import { describe, expect, test } from "vitest";
import { bip21Segments, qrPath } from "../src/invoice/qr.js";
import { decodeQr } from "./helpers/qr-decode.js";
import { gridFromPath } from "./helpers/qr-grid.js";

const ADDRESS = "bcrt1q4qtqw4y2aw6kk8sk25nzqwlwrz44qkzy4uk5m5";

const vectors = [
  {
    description: "bech32 URI with amount and label: scheme and address uppercased, query kept",
    uri: `bitcoin:${ADDRESS}?amount=0.0003528&label=INV-0007`,
    text: `BITCOIN:${ADDRESS.toUpperCase()}?amount=0.0003528&label=INV-0007`,
    modes: ["alphanumeric", "byte"],
  },
  {
    description: "bech32 URI without a query",
    uri: `bitcoin:${ADDRESS}`,
    text: `BITCOIN:${ADDRESS.toUpperCase()}`,
    modes: ["alphanumeric"],
  },
  {
    description: "mainnet taproot address with a non-ASCII label",
    uri: "bitcoin:bc1p5d7rjq7g6rdk2yhzks9smlaqtedr4dekq08ge8ztwac72sfr9rusxg3297?amount=1.5&label=Caf%C3%A9%20M%C3%BCller",
    text: "BITCOIN:BC1P5D7RJQ7G6RDK2YHZKS9SMLAQTEDR4DEKQ08GE8ZTWAC72SFR9RUSXG3297?amount=1.5&label=Caf%C3%A9%20M%C3%BCller",
    modes: ["alphanumeric", "byte"],
  },
  {
    description: "base58 address: case-sensitive, so kept as is in one byte segment",
    uri: "bitcoin:1BoatSLRHtKNngkdXEeobR76b53LETtpyT?amount=0.01",
    text: "bitcoin:1BoatSLRHtKNngkdXEeobR76b53LETtpyT?amount=0.01",
    modes: ["byte"],
  },
];

describe("QR of a BIP21 URI", () => {
  for (const vector of vectors) {
    test(vector.description, () => {
      const { size, path } = qrPath(vector.uri);
      const decoded = decodeQr(gridFromPath(path, size));
      expect(decoded.text).toBe(vector.text);
      expect(decoded.segments.map((s) => s.mode)).toEqual(vector.modes);
      expect(decoded.errorCorrection).toBe("M");
      // The path is exactly qrcode's own module matrix (nothing lost drawing it).
      const reference = create(bip21Segments(vector.uri), { errorCorrectionLevel: "M" });
      expect(decoded.version).toBe(reference.version);
      expect(gridFromPath(path, size).flat().map(Number)).toEqual(Array.from(reference.modules.data));
    });
  }

  test("the decoder refuses a symbol with one flipped data module", () => {
    const { size, path } = qrPath(vectors[0]!.uri);
    const grid = gridFromPath(path, size);
    grid[size - 1]![size - 1] = !grid[size - 1]![size - 1];
    expect(() => decodeQr(grid)).toThrow(/Reed-Solomon/);
  });
});
