import { type CheckoutInvoice, createPublicClient, type PublicClient } from "@btpay/sdk/public";
import type { ReactiveController, ReactiveControllerHost } from "lit";

const OPEN_MS = 3_000;
const EXPIRED_MS = 30_000;
// A reorg can take a confirmation back while the server still watches the invoice, rarely.
const CONFIRMED_MS = 60_000;
// After a failure: 1 s, 2 s, 4 s ... up to a minute (a blip recovers fast, an outage is not hammered).
const BACKOFF_MS = 1_000;
const MAX_BACKOFF_MS = 60_000;

/** How soon to ask again for an invoice in this status; -1 when it can no longer change. */
function pollDelay(invoice: CheckoutInvoice): number {
  const { status } = invoice;
  if (status === "cancelled") return -1;
  if (status === "confirmed") return CONFIRMED_MS;
  // An expired invoice can still be paid late, but nobody is waiting on the second.
  return status === "expired" ? EXPIRED_MS : OPEN_MS;
}

export interface InvoicePollerEvents {
  /** A new body (not a 304); `previous` is the last body seen, if any. */
  onInvoice(invoice: CheckoutInvoice, previous: CheckoutInvoice | undefined): void;
  /** A failed poll: 404, 429, 5xx, or 0 when the server could not be reached. */
  onError(status: number, message: string): void;
}

/**
 * Keeps one checkout invoice fresh for its host element: polls the public endpoint with
 * `If-None-Match` (an unchanged invoice is a bodiless 304), pauses while the tab is hidden, backs off
 * exponentially on failures and waits out `Retry-After` on 429, slows down once expired or confirmed
 * (a late payment or a reorg can still change them) and stops for good on cancelled and 404. Only one request is ever in flight, and none survives the
 * host leaving the DOM.
 */
export class InvoicePoller implements ReactiveController {
  /** The last invoice body the server sent. */
  invoice?: CheckoutInvoice;
  /** Why there is no invoice to show: 404, or the server could not be reached yet. */
  error?: "not-found" | "failed";
  /** Server clock minus ours in ms (from the `Date` header), so countdowns survive a wrong clock. */
  skew = 0;

  #client?: PublicClient;
  #key = "";
  #ref = "";
  #etag: string | null = null;
  #failures = 0;
  #timer?: ReturnType<typeof setTimeout>;
  #abort?: AbortController;
  #connected = false;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly events: InvoicePollerEvents,
  ) {
    host.addController(this);
  }

  /** Point the poller at an invoice; a no-op when nothing changed. `server` empty = same origin. */
  watch(server: string, ref: string): void {
    const key = `${server} ${ref}`;
    if (key === this.#key) return;
    this.#key = key;
    this.#ref = ref;
    this.#client = createPublicClient({ baseUrl: server });
    this.invoice = this.error = undefined;
    this.#etag = null;
    this.#failures = 0;
    this.#schedule(0);
  }

  hostConnected(): void {
    this.#connected = true;
    document.addEventListener("visibilitychange", this.#onVisibility);
    this.#schedule(0);
  }

  hostDisconnected(): void {
    this.#connected = false;
    document.removeEventListener("visibilitychange", this.#onVisibility);
    this.#stop();
  }

  #onVisibility = (): void => {
    // Hidden: let the pending timer find the tab hidden and idle. Visible again: catch up at once.
    if (!document.hidden) this.#schedule(0);
  };

  #stop(): void {
    clearTimeout(this.#timer);
    this.#abort?.abort();
    this.#abort = undefined;
  }

  #schedule(delay: number): void {
    this.#stop();
    if (!this.#connected || !this.#ref || delay < 0 || this.error === "not-found") return;
    if (this.invoice && pollDelay(this.invoice) < 0) return;
    this.#timer = setTimeout(() => this.#poll(), delay);
  }

  async #poll(): Promise<void> {
    if (document.hidden || !this.#client) return;
    const abort = new AbortController();
    this.#abort = abort;
    let retryAfter = -1;
    try {
      const answer = await this.#client.getCheckoutInvoice(this.#ref, { etag: this.#etag, signal: abort.signal });
      const { status, data, response } = answer;
      const date = Date.parse(response.headers.get("date") ?? "");
      if (date) this.skew = date - Date.now();
      if (status === 200 && data) {
        const previous = this.invoice;
        this.invoice = data;
        this.#etag = response.headers.get("etag");
        this.events.onInvoice(data, previous);
      } else if (status !== 304) {
        this.events.onError(status, answer.error ?? `HTTP ${status}`);
        if (status === 404) {
          this.invoice = undefined;
          this.error = "not-found";
          this.host.requestUpdate();
          return;
        }
        retryAfter = Number(response.headers.get("retry-after")) * 1000 || 0;
      }
    } catch (failure) {
      if (abort.signal.aborted) return;
      this.events.onError(0, String(failure));
      retryAfter = 0;
    }
    let delay: number;
    if (retryAfter < 0 && this.invoice) {
      this.error = undefined;
      this.#failures = 0;
      delay = pollDelay(this.invoice);
    } else {
      if (!this.invoice) this.error = "failed";
      // Retry-After is the server's floor; our own backoff may already be longer.
      delay = Math.max(retryAfter, Math.min(MAX_BACKOFF_MS, BACKOFF_MS * 2 ** this.#failures++));
    }
    this.host.requestUpdate();
    if (this.#abort === abort) this.#schedule(delay);
  }
}
