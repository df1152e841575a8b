import { ConflictError } from "../domain/errors.js";

/** What "Pay" sends, relative to what the invoice still wants. */
export const PAY_KINDS = ["full", "partial", "over"] as const;
export type PayKind = (typeof PAY_KINDS)[number];

/**
 * full: exactly what is still due; partial: half of it; over: due + 10 %. Both rounded down to a
 * whole satoshi, so "partial" always leaves something due and "over" is over by at least 1 sat
 * once due is 10 sats or more.
 */
export function payAmountSats(kind: PayKind, dueSats: bigint): bigint {
  if (dueSats <= 0n) throw new ConflictError("nothing is due on this invoice: it is paid already");
  if (kind === "full") return dueSats;
  if (kind === "over") return dueSats + dueSats / 10n;
  if (dueSats < 2n) throw new ConflictError("only 1 sat is due: it cannot be paid in part");
  return dueSats / 2n;
}
