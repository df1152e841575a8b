import { randomBytes, timingSafeEqual } from "node:crypto";
import type { Request, Response } from "express";
import type { ConnectBackend } from "./backend.js";

/**
 * The connect flow's one cookie. Before sign-in it holds a login nonce (so a sign-in form posted from
 * another site, which has no cookie, is refused: no login CSRF); after sign-in it holds the user id,
 * the CSRF token the consent form must echo, and an expiry. Its content is sealed by the server
 * (AES-256-GCM under the server's secret key, see ConnectBackend.sealSession): the browser can
 * neither read nor change it, every server process sharing the key accepts it, and a restart does not
 * sign anyone out. HttpOnly, SameSite=Lax, path-scoped to the flow, Secure on https, 15 minutes.
 */
export const COOKIE = "btpay_connect";
const PATH = "/api-keys/authorize";
const LABEL = "btpay-connect-session:v1:";
export const SESSION_SECONDS = 15 * 60;

export interface ConnectSession {
  kind: "login" | "user";
  /** Random, 32 bytes base64url: the form token. */
  csrf: string;
  /** The signed-in user (kind "user"). */
  userId?: string;
  /** Unix milliseconds. */
  expiresAt: number;
}

function cookieValue(req: Request, name: string): string | null {
  for (const part of (req.get("cookie") ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}

export function readSession(req: Request, backend: ConnectBackend): ConnectSession | null {
  const raw = cookieValue(req, COOKIE);
  if (!raw || raw.length > 4096) return null;
  const opened = backend.openSession(raw);
  if (!opened?.startsWith(LABEL)) return null;
  try {
    const s = JSON.parse(opened.slice(LABEL.length)) as ConnectSession;
    if (s.kind !== "login" && s.kind !== "user") return null;
    if (typeof s.csrf !== "string" || typeof s.expiresAt !== "number") return null;
    if (s.expiresAt <= backend.now().getTime()) return null;
    if (s.kind === "user" && typeof s.userId !== "string") return null;
    return s;
  } catch {
    return null;
  }
}

/** Starts a session of `kind` and sets its cookie; returns it (its CSRF token goes into the form). */
export function startSession(
  req: Request,
  res: Response,
  backend: ConnectBackend,
  kind: ConnectSession["kind"],
  userId?: string,
): ConnectSession {
  const session: ConnectSession = {
    kind,
    csrf: randomBytes(32).toString("base64url"),
    ...(userId ? { userId } : {}),
    expiresAt: backend.now().getTime() + SESSION_SECONDS * 1000,
  };
  const sealed = backend.sealSession(LABEL + JSON.stringify(session));
  res.append("Set-Cookie", cookie(req, sealed, SESSION_SECONDS));
  return session;
}

export function endSession(req: Request, res: Response): void {
  res.append("Set-Cookie", cookie(req, "", 0));
}

function cookie(req: Request, value: string, maxAge: number): string {
  const secure = req.secure ? "; Secure" : "";
  return `${COOKIE}=${value}; Path=${PATH}; Max-Age=${maxAge}; HttpOnly; SameSite=Lax${secure}`;
}

/** The form's token matches the session's (constant time). */
export function csrfMatches(session: ConnectSession, token: unknown): boolean {
  if (typeof token !== "string") return false;
  const a = Buffer.from(session.csrf);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}
