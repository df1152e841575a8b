import { performance } from "node:perf_hooks";
import type { Logger } from "../logger.js";
import type { ClaimedDelivery, Clock, Database } from "../ports.js";
import type { SecretBox } from "../services/secret-box.js";
import { greenfieldMessage, greenfieldRetries, hookSettings } from "../webhooks/greenfield.js";
import { deliveryBody, deliveryHeaders, nextAttemptAfter, type StoredEvent } from "../webhooks/payload.js";
import { resolveWebhookTarget, type WebhookLookup } from "../webhooks/resolve-target.js";
import { sendWebhook } from "../webhooks/send.js";
import { checkWebhookUrl } from "../webhooks/url-policy.js";

export interface DispatcherOptions {
  pollMs: number;
  /** Per attempt: connect, TLS, request and response. */
  timeoutMs: number;
  allowPrivate: boolean;
  /** Endpoints served at once: one slow endpoint holds only its own queue. */
  endpoints: number;
  /** Consecutive deliveries of one endpoint claimed together (sent in order, one at a time). */
  perEndpoint: number;
  lookup?: WebhookLookup;
  /** Trusted CAs for receivers (tests with self-signed certificates). */
  ca?: string | Buffer;
}

export interface WebhookDispatcher {
  /** One claim-and-send round now; resolves with the number of attempts made. */
  tickNow(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * Delivers webhook events from the database, at least once, in order per endpoint. Any number of
 * processes may run it: deliveries are leased (`locked_until`) with a claim that only ever hands out
 * the oldest pending deliveries of each endpoint; a process that dies mid-delivery lets its lease
 * expire and another sends again (receivers de-duplicate with `X-BTPay-Delivery`). Every attempt is
 * recorded; failures follow the reference's retry schedule.
 */
export function startWebhookDispatcher(
  deps: { db: Database; box: SecretBox; clock: Clock; logger: Logger },
  opts: DispatcherOptions,
): WebhookDispatcher {
  const { db, box, clock, logger } = deps;
  const leaseMs = opts.timeoutMs * 2 + 5_000;
  const secrets = new Map<string, string>();
  let stopped = false;
  let wake: () => void = () => undefined;
  let queue: Promise<unknown> = Promise.resolve();

  function serialized<T>(fn: () => Promise<T>): Promise<T> {
    const next = queue.then(fn, fn);
    queue = next.catch(() => undefined);
    return next;
  }

  function secretOf(sealed: string): string {
    let secret = secrets.get(sealed);
    if (!secret) {
      secret = box.open(sealed);
      secrets.set(sealed, secret);
    }
    return secret;
  }

  const inFlight = new Set<Promise<number>>();

  /**
   * Claims work for as many endpoints as there is room for and starts their runs without waiting
   * for them: a slow endpoint occupies one slot, never the loop. Returns the runs started.
   */
  async function round(): Promise<Promise<number>[]> {
    const room = opts.endpoints - inFlight.size;
    if (room <= 0) return [];
    const now = clock.now();
    const claimed = await db.repos().webhooks.claim(now, new Date(now.getTime() + leaseMs), room, opts.perEndpoint);
    const byEndpoint = new Map<number, ClaimedDelivery[]>();
    for (const d of claimed) byEndpoint.set(d.webhookId, [...(byEndpoint.get(d.webhookId) ?? []), d]);
    return [...byEndpoint.values()].map((run) => {
      const p: Promise<number> = sendRun(run, performance.now())
        .catch((err) => {
          logger.error(
            { err, webhookId: run[0]?.webhookId },
            "webhook run failed; its leases will expire and it is retried",
          );
          return 0;
        })
        .finally(() => {
          inFlight.delete(p);
          wake();
        });
      inFlight.add(p);
      return p;
    });
  }

  /** One endpoint's run, in order; stops at the first failure (later events wait behind it). */
  async function sendRun(run: ClaimedDelivery[], claimedAt: number): Promise<number> {
    let sent = 0;
    // A success is recorded while the next delivery is already on its way (order only needs the
    // previous ANSWER); a crash before the record lands means that delivery is sent again, which
    // at-least-once allows. A failure is recorded before the rest of the run is given back.
    const recording: Promise<void>[] = [];
    try {
      for (const [i, d] of run.entries()) {
        // Never start a send that could outlive the lease: another process may take over then.
        if (performance.now() - claimedAt + opts.timeoutMs > leaseMs - 1_000) {
          await db.repos().webhooks.release(run.slice(i).map((r) => r.id));
          break;
        }
        const { moveOn, attempted, recorded } = await attempt(d);
        if (attempted) sent++;
        if (moveOn) {
          recording.push(recorded);
          continue;
        }
        await recorded;
        await db.repos().webhooks.release(run.slice(i + 1).map((r) => r.id));
        break;
      }
    } finally {
      await Promise.all(recording);
    }
    return sent;
  }

  /**
   * One attempt at `d`. `moveOn`: the run may go on to the endpoint's next delivery (this one is
   * done: sent, skipped, or failed for good under Greenfield's rule); otherwise it waits behind it.
   */
  async function attempt(
    d: ClaimedDelivery,
  ): Promise<{ moveOn: boolean; attempted: boolean; recorded: Promise<void> }> {
    const startedAt = clock.now();
    const started = performance.now();
    const n = d.attempts + 1;
    const secret = secretOf(d.secretEncrypted);
    const message =
      d.format === "greenfield"
        ? await greenfieldMessage(db.repos(), d, secret)
        : btpayMessage(d.event, secret, startedAt);
    if (!message.send) {
      // Nothing to announce to this hook (not subscribed, disabled, or said by another event).
      const recorded = db.repos().webhooks.skip(d.id, message.reason);
      recorded.catch(() => undefined);
      return { moveOn: true, attempted: false, recorded };
    }
    let result: { ok: boolean; status: number | null; error: string | null; responseSnippet: string | null };
    const checked = checkWebhookUrl(d.url, { allowPrivate: opts.allowPrivate });
    const target = checked.ok
      ? await resolveWebhookTarget(checked.url, {
          allowPrivate: opts.allowPrivate,
          ...(opts.lookup ? { lookup: opts.lookup } : {}),
        })
      : checked;
    if (!checked.ok || !target.ok) {
      result = { ok: false, status: null, error: `refused: ${target.ok ? "" : target.reason}`, responseSnippet: null };
    } else {
      const sent = await sendWebhook({
        url: checked.url,
        address: target.address,
        family: target.family,
        body: message.body,
        headers: message.headers,
        timeoutMs: opts.timeoutMs,
        ...(opts.ca ? { ca: opts.ca } : {}),
      });
      result = sent.ok || sent.error ? sent : { ...sent, error: `endpoint answered ${sent.status}` };
    }
    const durationMs = Math.round(performance.now() - started);
    const failedAt = new Date(startedAt.getTime() + durationMs);
    // btpay retries every failure; a Greenfield hook only what BTCPay would retry.
    const retry =
      !result.ok && (d.format !== "greenfield" || greenfieldRetries(result.status, hookSettings(d.greenfield)));
    const next = retry ? nextAttemptAfter(n, failedAt) : null;
    const recorded = db.repos().webhooks.recordAttempt(
      d.id,
      {
        attempt: n,
        startedAt,
        durationMs,
        status: result.status,
        error: result.error,
        responseSnippet: result.responseSnippet,
      },
      { state: result.ok ? "succeeded" : next ? "pending" : "failed", nextAttemptAt: next },
    );
    if (!result.ok) {
      logger.warn(
        {
          webhookId: d.webhookId,
          delivery: d.id,
          attempt: n,
          status: result.status,
          error: result.error,
          retryAt: next,
        },
        next ? "webhook delivery failed; will retry" : "webhook delivery failed for good",
      );
    }
    // Never left unobserved: the run awaits it (a failed record surfaces there).
    recorded.catch(() => undefined);
    return { moveOn: result.ok || (d.format === "greenfield" && next === null), attempted: true, recorded };
  }

  async function loop(): Promise<void> {
    while (!stopped) {
      let started = 0;
      try {
        started = (await serialized(round)).length;
      } catch (err) {
        logger.warn({ err: err instanceof Error ? err.message : String(err) }, "webhook round failed");
      }
      // Claim again at once after finding work; otherwise wait for the poll or a run finishing.
      if (started === 0 && !stopped) await sleep(opts.pollMs);
    }
  }

  // A run that finishes while the loop is busy claiming must not be missed: `woken` remembers it,
  // so the next sleep returns at once instead of waiting a whole poll.
  let woken = false;
  function sleep(ms: number): Promise<void> {
    if (woken) {
      woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        wake = signal;
        woken = false;
        resolve();
      }
      wake = done;
    });
  }
  function signal() {
    woken = true;
  }
  wake = signal;

  const running = loop();
  return {
    async tickNow() {
      const runs = await serialized(round);
      return (await Promise.all(runs)).reduce((a, b) => a + b, 0);
    },
    async stop() {
      stopped = true;
      wake();
      await running;
      await Promise.all(inFlight);
    },
  };
}

/** A btpay-format delivery: the reference's body and headers (webhooks/payload.ts). */
function btpayMessage(
  event: StoredEvent,
  secret: string,
  sentAt: Date,
): { send: true; body: string; headers: Record<string, string> } {
  const body = deliveryBody(event);
  return { send: true, body, headers: deliveryHeaders(event, body, secret, sentAt) };
}
