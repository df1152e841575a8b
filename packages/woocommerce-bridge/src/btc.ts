/** Satoshis as Greenfield prints BTC amounts: a string with exactly 8 decimals (`10000n` -> "0.00010000"). */
export function formatBtc(sats: bigint): string {
  const negative = sats < 0n;
  const digits = (negative ? -sats : sats).toString().padStart(9, "0");
  return `${negative ? "-" : ""}${digits.slice(0, -8)}.${digits.slice(-8)}`;
}

/** The same without trailing zeros, as BIP-21 `amount=` wants it (`10000n` -> "0.0001"). */
export function plainBtc(sats: bigint): string {
  const s = formatBtc(sats).replace(/0+$/, "");
  return s.endsWith(".") ? s.slice(0, -1) : s;
}
