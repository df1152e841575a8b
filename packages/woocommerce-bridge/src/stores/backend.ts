/** A btpay store with the defaults its invoices get. */
export interface GreenfieldStoreData {
  id: string;
  name: string;
  defaultCurrency: string;
  /** Confirmations for Settled (btpay `confirmed`): 0, 1, 2 or 6. */
  requiredConfirmations: number;
  /** Accepted underpayment, percent, exact decimal string. */
  underpaymentTolerancePercent: string;
  /** The server's quote deadline and monitoring window (BTPAY_QUOTE_DEADLINE, BTPAY_MONITORING_MINUTES). */
  invoiceExpirationMinutes: number;
  monitoringMinutes: number;
  /** Whether the store has an active watch-only wallet: without one it cannot take payments. */
  hasWallet: boolean;
}

/** What the stores routes need from the btpay server. */
export interface StoresBackend {
  /** The store, or null when there is none with this id. */
  store(storeId: string): Promise<GreenfieldStoreData | null>;
}
