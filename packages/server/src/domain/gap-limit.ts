/**
 * Wallet software finds payments by scanning addresses in order and stops after `gapLimit` unused
 * ones in a row. btpay hands out one receive address per invoice, so many unpaid invoices in a row
 * can push payments beyond what the merchant's wallet scans. These two functions say how close that is.
 */

/** Receive addresses handed out after the highest one seen paid. */
export function unpaidInRow(nextIndex: number, highestPaidIndex: number | null): number {
  return Math.max(0, nextIndex - (highestPaidIndex ?? -1) - 1);
}

/** A warning once 80% of the gap is used, stronger once it is exceeded; null while comfortable. */
export function gapWarning(unpaid: number, gapLimit: number): string | null {
  if (unpaid >= gapLimit) {
    return `${unpaid} addresses in a row are unpaid, beyond the gap limit of ${gapLimit}: raise the gap limit in your wallet software or it may not show payments to the newest addresses`;
  }
  if (unpaid >= Math.ceil(gapLimit * 0.8)) {
    return `${unpaid} of the gap limit of ${gapLimit} unpaid addresses in a row are used; raise the gap limit in your wallet software before it is reached`;
  }
  return null;
}
