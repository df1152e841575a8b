import { type ChainSource, ChainSourceError } from "../chain/chain-source.js";
import type { Logger } from "../logger.js";
import type { Clock, Database, LeaderLock, WatchedInvoice } from "../ports.js";
import type { PaymentTracker } from "../services/payment-tracker.js";

export interface ChainWatcherOptions {
  /** Re-read the chain at least this often without a push hint. */
  pollMs: number;
  /** How often a follower tries to take over leadership. */
  leaderRetryMs: number;
}

export interface ChainWatcher {
  /** Runs one pass now (when leading) and resolves when it is done; for tests and the CLI. */
  tickNow(): Promise<void>;
  /** Whether this process currently leads. */
  isLeader(): boolean;
  stop(): Promise<void>;
}

/**
 * The chain watcher: one process leads (Database.tryLeadership); the leader, on every poll, push
 * hint and start, reads the invoices it watches from the database, takes a snapshot of their scripts
 * from the chain source and hands both to the PaymentTracker. Nothing is kept between passes: a
 * restart, a missed notification or a new leader simply recomputes from the chain.
 */
export function startChainWatcher(
  deps: { db: Database; source: ChainSource; tracker: PaymentTracker; clock: Clock; logger: Logger },
  opts: ChainWatcherOptions,
): ChainWatcher {
  const { db, source, tracker, clock, logger } = deps;
  let stopped = false;
  let lock: LeaderLock | null = null;
  let wake: () => void = () => undefined;
  let hinted = false;
  // Passes never overlap (an adapter's caches are not built for concurrent snapshots).
  let queue: Promise<unknown> = Promise.resolve();
  let failures = 0;

  const unsubscribe = source.onHint(() => {
    hinted = true;
    wake();
  });

  async function pass(): Promise<number> {
    const now = clock.now();
    const watched = await db.repos().chain.watched(now);
    const snapshot = await source.snapshot(
      watched.map((w) => ({ scriptPubKeyHex: w.scriptPubKeyHex, address: w.address, since: w.finalizedAt })),
    );
    const changed = await tracker.apply(watched, snapshot, source.kind);
    if (changed > 0) logger.debug({ changed, watched: watched.length, tip: snapshot.tip.height }, "chain pass");
    return nextDeadlineMs(watched, now);
  }

  /** Milliseconds until the next quote deadline or monitoring end among the watched invoices. */
  function nextDeadlineMs(watched: readonly WatchedInvoice[], now: Date): number {
    let next = Number.POSITIVE_INFINITY;
    for (const w of watched) {
      for (const t of [w.expiresAt, w.monitoringUntil, w.watchUntil]) {
        const ms = (t?.getTime() ?? 0) - now.getTime();
        if (ms > 0 && ms < next) next = ms;
      }
    }
    return next;
  }

  function serialized<T>(fn: () => Promise<T>): Promise<T> {
    const next = queue.then(fn, fn);
    queue = next.catch(() => undefined);
    return next;
  }
  const runPass = () => serialized(passOnce);

  async function passOnce(): Promise<number> {
    try {
      const untilDeadline = await pass();
      failures = 0;
      return Math.min(opts.pollMs, untilDeadline + 50);
    } catch (err) {
      failures++;
      const backoff = Math.min(opts.pollMs * 2 ** Math.min(failures, 6), 60_000);
      const wait = err instanceof ChainSourceError && err.retryAfterMs !== undefined ? err.retryAfterMs : backoff;
      logger.warn({ err: err instanceof Error ? err.message : String(err), retryInMs: wait }, "chain pass failed");
      return wait;
    }
  }

  async function loop(): Promise<void> {
    while (!stopped) {
      if (!lock) {
        lock = await db.tryLeadership("chain-watcher").catch((err) => {
          logger.warn({ err: err instanceof Error ? err.message : String(err) }, "leadership attempt failed");
          return null;
        });
        if (lock) {
          logger.info({ source: source.kind }, "chain watcher leading");
          const held = lock;
          void held.lost.then(() => {
            if (lock === held) {
              lock = null;
              if (!stopped) logger.warn("chain watcher lost leadership");
              wake();
            }
          });
        } else {
          await sleep(opts.leaderRetryMs);
          continue;
        }
      }
      hinted = false;
      const waitMs = await runPass();
      if (!hinted && !stopped) await sleep(waitMs);
    }
  }

  function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        wake = () => undefined;
        resolve();
      }
      wake = done;
    });
  }

  const running = loop().catch((err) => logger.error({ err }, "chain watcher stopped by an error"));

  return {
    async tickNow() {
      if (!lock) throw new Error("tickNow: this process is not the chain watcher's leader");
      // Errors surface to the caller here, unlike the loop's passes (which log and back off).
      await serialized(pass);
    },
    isLeader: () => lock !== null,
    async stop() {
      stopped = true;
      unsubscribe();
      wake();
      await running;
      await lock?.release();
      lock = null;
    },
  };
}
