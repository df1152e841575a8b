/**
 * Asks every configured source at once and collects what came back in time.
 *
 * Each source gets its own `AbortSignal.timeout`, and its promise is also raced against that signal,
 * so a source that ignores the signal (or a body that trickles in) still cannot hold up the round:
 * the whole call takes at most about `timeoutMs`. Failures are returned as values, one per source, for
 * the refresher to log; they never reject the call.
 */
import type { RateSource, SourceQuote } from "./rate-source.js";

export interface FetchAllOptions {
  /** Per-source limit for the whole request, body included. */
  timeoutMs: number;
  /** Receipt time; a quote stamped later than this (clock skew) is clamped to it. Default: system clock. */
  now?: () => Date;
}

export interface SourceFailure {
  source: string;
  error: string;
}

export interface FetchAllResult {
  quotes: SourceQuote[];
  failures: SourceFailure[];
}

export async function fetchAllRates(
  sources: readonly RateSource[],
  currencies: readonly string[],
  { timeoutMs, now = () => new Date() }: FetchAllOptions,
): Promise<FetchAllResult> {
  const outcomes = await Promise.all(
    sources.map(async (source): Promise<{ quotes: SourceQuote[]; failure?: SourceFailure }> => {
      const wanted = currencies.filter((c) => source.supports(c));
      if (wanted.length === 0) return { quotes: [] };
      const signal = AbortSignal.timeout(timeoutMs);
      try {
        const quotes = await raceAbort(source.fetchRates(wanted, signal), signal);
        const receivedAt = now();
        return {
          quotes: quotes
            .filter((q) => wanted.includes(q.currency))
            // An exchange clock ahead of ours must not make a quote look fresher than its receipt.
            .map((q) => (q.at.getTime() > receivedAt.getTime() ? { ...q, at: receivedAt } : q)),
        };
      } catch (error) {
        const message = signal.aborted
          ? `${source.name}: no answer within ${timeoutMs} ms`
          : error instanceof Error
            ? error.message
            : String(error);
        return { quotes: [], failure: { source: source.name, error: message } };
      }
    }),
  );
  return {
    quotes: outcomes.flatMap((o) => o.quotes),
    failures: outcomes.flatMap((o) => (o.failure ? [o.failure] : [])),
  };
}

/** Settles with `work`, or rejects as soon as `signal` aborts, whichever comes first. */
function raceAbort<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  let onAbort: () => void = () => {};
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason);
    if (signal.aborted) onAbort();
    else signal.addEventListener("abort", onAbort, { once: true });
  });
  return Promise.race([work, aborted]).finally(() => signal.removeEventListener("abort", onAbort));
}
