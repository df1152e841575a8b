/**
 * Money on screen. Amounts arrive as decimal strings and stay strings: Intl.NumberFormat formats a
 * decimal string exactly (ES2023), and sats are derived with BigInt, so no float ever rounds them.
 */

type Decimal = `${number}`;

/** The value in `lang`'s style, else in English; undefined when even that fails (a bad currency code). */
function format(lang: string, options: Intl.NumberFormatOptions, value: string | bigint): string | undefined {
  for (const locale of [lang, "en"]) {
    try {
      return new Intl.NumberFormat(locale, options).format(value as Decimal | bigint);
    } catch {
      // RangeError for a malformed tag: try the next locale. A checkout must not break over it.
    }
  }
}

/** "0.00035280" → 35280n. */
export function btcToSats(btc: string): bigint {
  const [whole = "0", fraction = ""] = btc.split(".");
  return BigInt(whole + fraction.padEnd(8, "0").slice(0, 8));
}

/** "25.00", "USD", "de" → "25,00 $". */
export function formatFiat(amount: string, currency: string, lang: string): string {
  return format(lang, { style: "currency", currency }, amount) ?? `${amount} ${currency}`;
}

/** "0.00035280" → "0.00035280 BTC" (every decimal the server sent), or "35,280 sats". */
export function formatBitcoin(btc: string, unit: string, lang: string): string {
  if (unit === "sats") return `${format(lang, {}, btcToSats(btc))} sats`;
  const digits = btc.split(".")[1]?.length ?? 0;
  return `${format(lang, { minimumFractionDigits: digits }, btc) ?? btc} BTC`;
}

/** Milliseconds left → "mm:ss" (minutes keep counting past 59; never negative). */
export function formatCountdown(ms: number): string {
  const seconds = Math.max(0, Math.ceil(ms / 1000));
  return `${String(Math.floor(seconds / 60)).padStart(2, "0")}:${String(seconds % 60).padStart(2, "0")}`;
}
