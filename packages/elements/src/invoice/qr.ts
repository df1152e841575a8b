import type { QRCodeSegment } from "qrcode";
import { create } from "qrcode/lib/core/qrcode.js";

const BECH32_URI = /^bitcoin:(bc|tb|bcrt)1[02-9ac-hj-np-z]+$/i;

/**
 * The QR segments of a BIP21 URI. A bech32 address is case-insensitive, so scheme and address go
 * UPPERCASE into an alphanumeric segment (5.5 bits per character instead of 8: a smaller symbol that
 * scans more easily); the query keeps its case in a byte segment. Base58 addresses are case-sensitive
 * and stay as they are. Explicit segments also mean qrcode's segment optimiser never runs, which is
 * what lets the bundle leave it out (scripts/bundle.mjs).
 */
export function bip21Segments(uri: string): QRCodeSegment[] {
  const query = uri.indexOf("?");
  const head = query < 0 ? uri : uri.slice(0, query);
  const bytes = (text: string): QRCodeSegment => ({ data: new TextEncoder().encode(text), mode: "byte" });
  if (!BECH32_URI.test(head)) return [bytes(uri)];
  const segments: QRCodeSegment[] = [{ data: head.toUpperCase(), mode: "alphanumeric" }];
  if (query >= 0) segments.push(bytes(uri.slice(query)));
  return segments;
}

/**
 * The module grid of a BIP21 URI as one SVG path, in module units without the quiet zone: each
 * horizontal run of dark modules is a 1-module-high rectangle.
 */
export function qrPath(uri: string): { size: number; path: string } {
  const { size, data } = create(bip21Segments(uri), { errorCorrectionLevel: "M" }).modules;
  let path = "";
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      if (!data[y * size + x]) continue;
      const start = x;
      while (x + 1 < size && data[y * size + x + 1]) x++;
      path += `M${start} ${y}h${x + 1 - start}v1H${start}z`;
    }
  }
  return { size, path };
}
