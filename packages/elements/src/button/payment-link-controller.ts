import { createPublicClient, type PublicPaymentLink } from "@btpay/sdk/public";
import type { ReactiveControllerHost } from "lit";

/**
 * The data behind `<btpay-button>`: the payment link as a payer sees it, then the invoice created for
 * this payer. Errors are state, not throws: the dialog shows them and the payer can try again. It
 * needs no lifecycle hooks (nothing runs between the payer's clicks), only the host's `requestUpdate`.
 */
export class PaymentLinkController {
  link?: PublicPaymentLink;
  /** The ref of the invoice created for this payer, once there is one. */
  ref = "";
  /** Whether a request is running (the dialog shows "Loading…" and refuses double submits). */
  busy = false;
  /** Why the last request failed: the link is gone (404), the amount was refused (400), or anything else. */
  error?: "gone" | "invalid" | "failed";

  #key = "";

  constructor(private readonly host: ReactiveControllerHost) {}

  /** Load the link (once per server+slug); then, for a fixed amount, create the invoice right away. */
  async open(server: string, slug: string): Promise<void> {
    const key = `${server} ${slug}`;
    if (key !== this.#key) {
      this.#key = key;
      this.link = undefined;
      this.ref = "";
    }
    if (this.busy || this.ref) return;
    this.error = undefined;
    if (!this.link) {
      const { data, status } = await this.#run(() => createPublicClient({ baseUrl: server }).getPaymentLink(slug));
      if (!data) return this.#fail(status);
      this.link = data;
      this.host.requestUpdate();
    }
    if (this.link.amount !== null) await this.pay(server);
  }

  /** Create (or get back) this payer's invoice; `amount` only for open-amount links. */
  async pay(server: string, amount?: string): Promise<void> {
    if (!this.link || this.busy) return;
    this.error = undefined;
    const client = createPublicClient({ baseUrl: server });
    const { data, status } = await this.#run(() =>
      client.createPaymentLinkInvoice(this.link!.slug, amount ? { amount } : undefined),
    );
    if (!data) return this.#fail(status);
    this.ref = data.ref;
    this.host.requestUpdate();
  }

  #fail(status: number): void {
    this.error = status === 404 ? "gone" : status === 400 ? "invalid" : "failed";
    this.host.requestUpdate();
  }

  async #run<T>(call: () => Promise<{ data?: T; status: number }>): Promise<{ data?: T; status: number }> {
    this.busy = true;
    this.host.requestUpdate();
    try {
      return await call();
    } catch {
      return { status: 0 };
    } finally {
      this.busy = false;
    }
  }
}
