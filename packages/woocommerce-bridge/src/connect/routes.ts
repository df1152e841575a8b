import express, { type NextFunction, type Request, type Response, Router } from "express";
import type { GreenfieldBackend } from "../ports.js";
import type { GreenfieldOptions } from "../router.js";
import { type AuthorizeRequest, AuthorizeRequestError, parseAuthorizeRequest } from "./authorize-request.js";
import type { ConnectBackend, ConnectStore, ConnectUser } from "./backend.js";
import { errorPage, sendPage } from "./page-layout.js";
import { consentPage, loginPage, postRedirectPage } from "./pages.js";
import { type ConnectSession, csrfMatches, endSession, readSession, startSession } from "./session.js";

const PATH = "/api-keys/authorize";

const field = (body: unknown, name: string): string => {
  const v = (body as Record<string, unknown> | undefined)?.[name];
  return typeof v === "string" ? v : "";
};

/**
 * `/api-keys/authorize`: BTCPay Server's "authorize an application" flow, as shop plugins use it to
 * get their key. GET shows the sign-in form, or once signed in the consent page; POST carries the
 * form's `step`: `login`, `authorize` (creates the key and posts it to the app), `cancel`, `logout`.
 */
export function connectPages(backend: GreenfieldBackend, opts: GreenfieldOptions): Router {
  const c = backend.connect;
  const router = Router();
  const form = express.urlencoded({
    extended: false,
    limit: Math.min(opts.bodyLimitBytes, 16_384),
    parameterLimit: 20,
  });

  router.get(PATH, async (req, res) => {
    const ask = parseAuthorizeRequest(req);
    const signedIn = await signedInUser(c, readSession(req, c));
    if (!signedIn) return showLogin(req, res, c, ask, 200);
    await showConsent(res, c, ask, signedIn.user, signedIn.session, 200);
  });

  router.post(PATH, form, async (req, res) => {
    const ask = parseAuthorizeRequest(req);
    const step = field(req.body, "step");
    // Like BTCPay, Cancel creates nothing and sends nothing; BTCPay then shows its own API-key list,
    // btpay (which has none) goes back to the app, which sees a visit without a key.
    if (step === "cancel") return res.redirect(303, ask.redirect.href);
    const session = readSession(req, c);
    if (step === "logout") {
      endSession(req, res);
      return res.redirect(303, `${PATH}${ask.query}`);
    }
    if (step === "login") return login(req, res, c, ask, session);
    if (step === "authorize") return authorize(req, res, c, ask, session);
    sendPage(res, 400, errorPage("Unknown step", "This form was not sent by btpay's authorize page."));
  });

  router.use(PATH, (err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    if (err instanceof AuthorizeRequestError) return sendPage(res, 400, errorPage("Cannot authorize", err.message));
    const status = (err as { status?: number }).status;
    if (typeof status === "number" && status >= 400 && status < 500) {
      return sendPage(res, status, errorPage("Cannot authorize", "The form could not be read."));
    }
    (res.locals.log as { error?: (o: unknown, m: string) => void } | undefined)?.error?.({ err }, "unhandled error");
    sendPage(res, 500, errorPage("Something went wrong", "Please try again in a moment."));
  });
  return router;
}

async function signedInUser(
  c: ConnectBackend,
  session: ConnectSession | null,
): Promise<{ user: ConnectUser; session: ConnectSession } | null> {
  if (session?.kind !== "user" || !session.userId) return null;
  const user = await c.user(session.userId);
  return user ? { user, session } : null;
}

function showLogin(
  req: Request,
  res: Response,
  c: ConnectBackend,
  ask: AuthorizeRequest,
  status: number,
  error?: string,
) {
  const session = startSession(req, res, c, "login");
  sendPage(res, status, loginPage(ask, session.csrf, error));
}

/** The owner's stores this app may get: all of them, or those its permissions name (`policy:storeId`). */
async function selectableStores(c: ConnectBackend, ask: AuthorizeRequest, userId: string): Promise<ConnectStore[]> {
  const owned = await c.ownedStores(userId);
  const named = ask.permissions.stores;
  return named.length ? owned.filter((s) => named.includes(s.id)) : owned;
}

async function showConsent(
  res: Response,
  c: ConnectBackend,
  ask: AuthorizeRequest,
  user: ConnectUser,
  session: ConnectSession,
  status: number,
  error?: string,
) {
  const stores = await selectableStores(c, ask, user.id);
  sendPage(res, status, consentPage(ask, user, stores, session.csrf, error));
}

async function login(
  req: Request,
  res: Response,
  c: ConnectBackend,
  ask: AuthorizeRequest,
  session: ConnectSession | null,
) {
  // The form's token must match the nonce cookie set with the form: a sign-in posted from another
  // site carries no cookie (SameSite=Lax) and is refused before any password is checked.
  if (session?.kind !== "login" || !csrfMatches(session, field(req.body, "csrf"))) {
    return showLogin(req, res, c, ask, 403, "This sign-in form expired. Please sign in again.");
  }
  const result = await c.signIn(field(req.body, "email"), field(req.body, "password"), req.ip ?? "unknown");
  if (result.kind === "rate-limited") {
    res.setHeader("Retry-After", String(result.retryAfterSeconds));
    return sendPage(
      res,
      429,
      loginPage(ask, session.csrf, `Too many sign-in attempts. Try again in ${result.retryAfterSeconds} seconds.`),
    );
  }
  if (result.kind === "wrong") return sendPage(res, 401, loginPage(ask, session.csrf, "Wrong email or password."));
  startSession(req, res, c, "user", result.user.id);
  // Post/redirect/get: reloading the consent page never re-sends the password.
  res.redirect(303, `${PATH}${ask.query}`);
}

async function authorize(
  req: Request,
  res: Response,
  c: ConnectBackend,
  ask: AuthorizeRequest,
  session: ConnectSession | null,
) {
  const signedIn = await signedInUser(c, session);
  if (!signedIn) return showLogin(req, res, c, ask, 401, "Please sign in first.");
  const { user } = signedIn;
  if (!csrfMatches(signedIn.session, field(req.body, "csrf"))) {
    return sendPage(
      res,
      403,
      errorPage("Cannot authorize", "This form expired or was not sent from this page. Go back and try again."),
    );
  }
  const storeId = field(req.body, "storeId");
  const store = (await selectableStores(c, ask, user.id)).find((s) => s.id === storeId);
  const created = store
    ? await c.createKey({ userId: user.id, storeId: store.id, permissions: ask.permissions.granted, name: ask.keyName })
    : null;
  if (!store || !created) {
    return showConsent(res, c, ask, user, signedIn.session, 403, "Choose one of the stores you own.");
  }
  const fields: [string, string][] = [
    ["apiKey", created.apiKey],
    ["userId", user.id],
    ...ask.permissions.granted.map((p): [string, string] => ["permissions[]", `${p}:${store.id}`]),
  ];
  const page = postRedirectPage(ask.redirect, fields);
  sendPage(res, 200, page.html, page.csp);
}
