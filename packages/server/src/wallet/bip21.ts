/**
 * BIP-21 payment URIs (`bitcoin:<address>?amount=...&label=...`) and the BTC <-> satoshi conversions
 * they need. https://github.com/bitcoin/bips/blob/master/bip-0021.mediawiki
 *
 * The amount is written in BTC from a bigint of satoshis through Decimal, so it is exact and never
 * passes through a float; BIP-21 wants a plain decimal, so no exponent and no trailing zeros.
 */
import { Decimal } from "../domain/decimal.js";
import { ValidationError } from "../domain/errors.js";

export const SATS_PER_BTC = 100_000_000n;
/** No amount can exceed the 21 million BTC that will ever exist. */
export const MAX_SATS = 21_000_000n * SATS_PER_BTC;
const BTC_DECIMALS = 8;

/** Satoshis as a canonical BTC decimal string: 310459n -> "0.00310459", 100000000n -> "1". */
export function satsToBtc(sats: bigint): string {
  return Decimal.fromUnits(sats, BTC_DECIMALS).toString();
}

/**
 * A BTC decimal string as satoshis: "0.00310459" -> 310459n. Refuses (ValidationError on `field`)
 * anything that is not a plain non-negative decimal or has more than 8 decimal places, rather than
 * rounding: a customer must pay exactly what the invoice says.
 */
export function btcToSats(btc: string, field?: string): bigint {
  const value = Decimal.parse(btc, field);
  if (value.isNegative()) throw new ValidationError("must not be negative", field);
  if (value.decimalPlaces() > BTC_DECIMALS) {
    throw new ValidationError(`has more than ${BTC_DECIMALS} decimal places (1 satoshi is 0.00000001 BTC)`, field);
  }
  const sats = value.toUnits(BTC_DECIMALS);
  if (sats > MAX_SATS) throw new ValidationError("is more than 21,000,000 BTC", field);
  return sats;
}

/**
 * RFC 3986 percent-encoding: everything but the unreserved characters (ALPHA DIGIT - . _ ~).
 * encodeURIComponent alone leaves ! ' ( ) * as they are, which some wallet URI parsers reject.
 */
function encode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export interface Bip21Options {
  /** Who is paid, e.g. the store name. Omitted when empty. */
  label?: string;
  /** What for, e.g. "Invoice 2024-0042". Omitted when empty. */
  message?: string;
}

/**
 * `bitcoin:<address>?amount=<btc>&label=...&message=...`; no `?` when there is nothing to add.
 * `amountSats` null leaves the amount to the payer. Throws RangeError for an address that is not a
 * plain base58/bech32 string or an amount outside 1 satoshi..21 million BTC: both come from btpay
 * itself, never straight from a client.
 */
export function bip21Uri(address: string, amountSats: bigint | null, opts: Bip21Options = {}): string {
  if (!/^[a-zA-Z0-9]+$/.test(address)) throw new RangeError("address must be a base58 or bech32 string");
  const params: string[] = [];
  if (amountSats !== null) {
    if (amountSats <= 0n || amountSats > MAX_SATS) {
      throw new RangeError(`amountSats must be from 1 to ${MAX_SATS}, got ${amountSats}`);
    }
    params.push(`amount=${satsToBtc(amountSats)}`);
  }
  if (opts.label) params.push(`label=${encode(opts.label)}`);
  if (opts.message) params.push(`message=${encode(opts.message)}`);
  return `bitcoin:${address}${params.length > 0 ? `?${params.join("&")}` : ""}`;
}
