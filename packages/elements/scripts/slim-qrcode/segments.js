// Stands in for qrcode/lib/core/segments.js in the browser bundles (see ../bundle.mjs).
// src/invoice/qr.ts always hands qrcode explicit byte/alphanumeric segments, so of the original module
// only `fromArray` is reachable, and only for those two modes; the rest (string splitting, the
// dijkstra optimiser, kanji and numeric modes, the mode-detecting regexes) never runs.
import AlphanumericData from "qrcode/lib/core/alphanumeric-data.js";
import ByteData from "qrcode/lib/core/byte-data.js";

export function fromArray(segments) {
  return segments.map((segment) =>
    segment.mode === "alphanumeric" ? new AlphanumericData(segment.data) : new ByteData(segment.data),
  );
}

export function fromString() {
  throw new Error("btpay bundle: qrcode takes explicit segments only");
}

export const rawSplit = fromString;
