import express, { type NextFunction, type Request, type Response, Router } from "express";
import { caller, hasPermission } from "../auth/context.js";
import { GreenfieldValidationError, missingPermission, notFound } from "../errors.js";
import type { GreenfieldBackend } from "../ports.js";
import type { GreenfieldOptions } from "../router.js";
import { requestOrigin } from "../wire.js";
import type { ClaimPage } from "./backend.js";
import { CLAIM_CSP, renderClaimPage, renderMissingPage, renderProblemPage } from "./claim-page.js";
import { claimPath, pullPaymentJson, readPullPaymentCreate } from "./pull-payment.js";

const S = "btcpay.store.";
/** BTCPay's policies for pull payments, narrowest first; any broader one grants the narrower. */
const CREATE = [`${S}cancreatenonapprovedpullpayments`, `${S}cancreatepullpayments`, `${S}canmanagepullpayments`];
const VIEW = [`${S}canviewpullpayments`, ...CREATE];
const ARCHIVE = [`${S}canarchivepullpayments`, `${S}canmanagepullpayments`, `${S}canmodifystoresettings`];

/** Refund ids are 22 base64url characters; anything else is a 404 without a database round trip. */
const ID = /^[A-Za-z0-9_-]{1,32}$/;

const pullPaymentNotFound = () => notFound("pullpayment-not-found", "The pull payment was not found");

function requirePolicy(req: Request, storeId: string, accepted: readonly string[]): void {
  const c = caller(req);
  if (c.storeId !== storeId || !accepted.some((p) => hasPermission(c, p))) {
    throw missingPermission(`${accepted[0]}:${storeId}`);
  }
}

type StoreReq = Request<{ storeId: string }>;
type OneReq = Request<{ storeId: string; id: string }>;

/** Greenfield pull payments (the WooCommerce plugin's refunds) as btpay refunds. */
export function pullPaymentRoutes(backend: GreenfieldBackend): Router {
  const refunds = backend.refunds;
  const router = Router();
  const base = "/stores/:storeId/pull-payments";

  router.post(base, async (req: StoreReq, res) => {
    requirePolicy(req, req.params.storeId, CREATE);
    const made = await refunds.create(req.params.storeId, readPullPaymentCreate(req.body, refunds.now()));
    if ("problems" in made) throw new GreenfieldValidationError(made.problems);
    res.status(200).json(pullPaymentJson(made, requestOrigin(req)));
  });
  router.get(base, async (req: StoreReq, res) => {
    requirePolicy(req, req.params.storeId, VIEW);
    const includeArchived = String(req.query.includeArchived ?? "").toLowerCase() === "true";
    const all = await refunds.list(req.params.storeId, { includeArchived });
    res.status(200).json(all.map((r) => pullPaymentJson(r, requestOrigin(req))));
  });
  router.get(`${base}/:id`, async (req: OneReq, res) => {
    requirePolicy(req, req.params.storeId, VIEW);
    const r = ID.test(req.params.id) ? await refunds.get(req.params.storeId, req.params.id) : null;
    if (!r) throw pullPaymentNotFound();
    res.status(200).json(pullPaymentJson(r, requestOrigin(req)));
  });
  // Archive = cancel: the claim page then takes no address. BTCPay answers an empty 200.
  router.delete(`${base}/:id`, async (req: OneReq, res) => {
    requirePolicy(req, req.params.storeId, ARCHIVE);
    const r = ID.test(req.params.id) ? await refunds.archive(req.params.storeId, req.params.id) : null;
    if (!r) throw pullPaymentNotFound();
    res.status(200).end();
  });
  return router;
}

/**
 * `/pull-payments/{id}`: the payer's claim page (Greenfield's `viewLink`). GET shows the refund and,
 * while it awaits a claim, an address form; POST claims and goes back to GET (303), so a reload
 * never posts twice. Rate-limited per client address like btpay's other public pages.
 */
export function pullPaymentPages(backend: GreenfieldBackend, opts: GreenfieldOptions): Router {
  const refunds = backend.refunds;
  const pages = Router();
  const show = (res: Response, status: number, html: string) => {
    res.setHeader("Content-Security-Policy", CLAIM_CSP);
    // The page carries the payer's address: no shared cache keeps it.
    res.setHeader("Cache-Control", "no-store");
    res.status(status).type("html").send(html);
  };
  const render = (page: ClaimPage, extra: { notice?: string; error?: { message: string; address: string } } = {}) =>
    renderClaimPage(page, { network: refunds.network, now: refunds.now(), ...extra });

  pages.use(async (req, res, next) => {
    const wait = await refunds.limitClient(req.ip ?? "unknown");
    if (wait === null) return next();
    res.setHeader("Retry-After", String(wait));
    show(res, 429, renderProblemPage("Too many requests", `Please try again in ${wait} seconds.`));
  });
  pages.get("/:id", async (req: Request<{ id: string }>, res) => {
    const page = ID.test(req.params.id) ? await refunds.page(req.params.id) : null;
    if (!page) return show(res, 404, renderMissingPage());
    show(res, 200, render(page));
  });
  pages.post(
    "/:id",
    express.urlencoded({ extended: false, limit: opts.bodyLimitBytes, parameterLimit: 10 }),
    async (req: Request<{ id: string }>, res) => {
      if (!ID.test(req.params.id)) return show(res, 404, renderMissingPage());
      const raw = (req.body as Record<string, unknown> | undefined)?.address;
      const address = typeof raw === "string" ? raw : "";
      const outcome = await refunds.claim(req.params.id, address);
      if (outcome.ok) return res.redirect(303, claimPath(req.params.id));
      if (!outcome.page) return show(res, 404, renderMissingPage());
      const extra =
        outcome.status === 400 ? { error: { message: outcome.message, address } } : { notice: outcome.message };
      show(res, outcome.status, render(outcome.page, extra));
    },
  );
  pages.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    if (res.headersSent) {
      req.socket.destroy();
      return;
    }
    const status = (err as { status?: unknown }).status;
    if (typeof status === "number" && status >= 400 && status < 500) {
      return show(res, status, renderProblemPage("Cannot read the form", "Please go back and try again."));
    }
    (res.locals.log as { error?: (o: unknown, m: string) => void } | undefined)?.error?.({ err }, "unhandled error");
    show(res, 500, renderProblemPage("Something went wrong", "Please try again in a moment."));
  });

  const router = Router();
  router.use("/pull-payments", pages);
  return router;
}
