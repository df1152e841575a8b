import type { BtpayClient } from "@btpay/sdk";
import express, { type NextFunction, type Request, type Response, type Router } from "express";
import { DomainError, NotImplementedError } from "../domain/errors.js";
import { serializeInvoice } from "../http/serializers/invoice.js";
import type { Logger } from "../logger.js";
import type { Database } from "../ports.js";
import type { ChainSimulator } from "./chain-simulator.js";
import { afterInput, finalizeInput, mineInput, payInput, refInput, reorgInput } from "./dev-input.js";
import { InvoiceSimulator } from "./invoice-simulator.js";
import { loopbackOnly } from "./loopback-only.js";
import { finalizeWithDeadline, type ShortDeadlineConfig } from "./short-deadline.js";
import type { WebhookSink } from "./webhook-sink.js";

/** Known once the server listens: the simulator reads invoices through the server's own API. */
export interface DevSession {
  apiUrl: string;
  apiKey: string;
  storeId: string;
  network: string;
  api: BtpayClient;
}

export interface DevApiDeps {
  /** null when dev mode runs on the developer's own chain: the simulate routes answer 501 then. */
  chain: ChainSimulator | null;
  sink: WebhookSink;
  session: () => DevSession | undefined;
  db: Database;
  config: ShortDeadlineConfig & { bodyLimitBytes: number };
  logger: Logger;
}

/**
 * `/dev/api/*`, mounted by dev mode only (never by `btpay serve`). Thin handlers: input, one
 * simulator call, JSON. Errors are domain errors, so the app's error middleware answers
 * `{"error": "..."}` like everywhere else.
 */
export function devApiRouter(deps: DevApiDeps): Router {
  const router = express.Router();
  router.use(loopbackOnly);
  // The sink needs the exact bytes that were signed, so it parses nothing.
  router.post("/webhook-sink", express.raw({ type: () => true, limit: "1mb" }), async (req, res) => {
    const event = await deps.sink.receive(Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0), req.headers);
    if (!event.verified) {
      deps.logger.warn({ delivery: event.delivery, reason: event.error }, "dev webhook sink: delivery not verified");
      res.status(400).json({ error: event.error });
      return;
    }
    res.json({ ok: true });
  });
  router.use(jsonOnly, express.json({ limit: deps.config.bodyLimitBytes, strict: true }));

  const session = (): DevSession => {
    const s = deps.session();
    if (!s) throw new DomainError(503, "dev mode is still starting; try again in a moment");
    return s;
  };
  const simulator = (): { invoices: InvoiceSimulator; chain: ChainSimulator } => {
    if (!deps.chain) {
      throw new NotImplementedError(
        "the simulator needs devchain; this dev server uses your own chain (BTPAY_ESPLORA_URL / BTPAY_BITCOIND_RPC_URL / BTPAY_ELECTRUM)",
      );
    }
    return { invoices: new InvoiceSimulator(session().api, deps.chain), chain: deps.chain };
  };

  router.get("/session", async (_req, res) => {
    const s = session();
    const links = await s.api.GET("/payment-links", {});
    res.json({
      apiUrl: s.apiUrl,
      apiKey: s.apiKey,
      storeId: s.storeId,
      network: s.network,
      simulator: deps.chain !== null,
      paymentLinks: (links.data?.payment_links ?? []).filter((l) => l.is_active),
    });
  });
  router.post("/pay", async (req, res) => {
    const { ref, amount } = payInput(req.body);
    res.json(await simulator().invoices.pay(ref, amount));
  });
  router.post("/mine", (req, res) => {
    const { blocks } = mineInput(req.body);
    res.json(simulator().chain.mine(blocks));
  });
  router.post("/reorg", async (req, res) => {
    res.json(await simulator().invoices.reorg(reorgInput(req.body)));
  });
  router.post("/rbf", async (req, res) => {
    const { ref } = refInput(req.body);
    res.json(await simulator().invoices.replace(ref));
  });
  router.post("/finalize", async (req, res) => {
    const { ref, minutes } = finalizeInput(req.body);
    res.json(serializeInvoice(await finalizeWithDeadline(deps, session().storeId, ref, minutes)));
  });
  router.get("/events", (req, res) => {
    res.json(deps.sink.after(afterInput(req.query)));
  });
  return router;
}

/** A POST body that is not JSON would reach the handlers as "no body": say so instead. */
function jsonOnly(req: Request, res: Response, next: NextFunction): void {
  const hasBody = Number(req.headers["content-length"] ?? 0) > 0 || req.headers["transfer-encoding"] !== undefined;
  if (req.method === "POST" && hasBody && !req.is("application/json")) {
    res.status(415).json({ error: "send the body as JSON with Content-Type: application/json" });
    return;
  }
  next();
}
