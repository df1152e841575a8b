import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import express, { type Express } from "express";
import type { Logger } from "../logger.js";

/**
 * `playground/dist` of the repository: this file sits at packages/server/{src,dist}/dev/, four
 * levels below the root either way, so the path holds for `tsx`-style runs and the compiled CLI.
 */
export const PLAYGROUND_DIST = fileURLToPath(new URL("../../../../playground/dist/", import.meta.url));

/** The playground is a page of its own: scripts, styles and fetches from this origin only. */
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

/** Serves the built playground at /playground/ and sends / there (dev mode only). */
export function mountPlayground(app: Express, logger: Logger, dir = PLAYGROUND_DIST): void {
  if (!existsSync(path.join(dir, "index.html"))) {
    logger.warn({ dir }, "the playground is not built: run `npm run build -w @btpay/playground` (npm start does)");
  }
  app.get("/", (_req, res) => res.redirect(302, "/playground/"));
  app.use(
    "/playground",
    (_req, res, next) => {
      res.setHeader("Content-Security-Policy", CSP);
      next();
    },
    express.static(dir, { cacheControl: false, index: "index.html", redirect: true }),
    (_req, res) => {
      // Built at request time is fine too: static serves it as soon as it exists.
      const built = existsSync(path.join(dir, "index.html"));
      res.status(built ? 404 : 503).json({
        error: built
          ? "no such playground file"
          : "the playground is not built: run `npm run build -w @btpay/playground`",
      });
    },
  );
}
