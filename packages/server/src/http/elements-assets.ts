import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { gzipSync } from "node:zlib";
import type { Request, Response } from "express";
import { Router } from "express";

/** The single-file builds of `@btpay/elements` the server hands to browsers. */
const FILES = ["btpay-elements.js", "btpay-invoice.js"] as const;
type AssetName = (typeof FILES)[number];

interface Asset {
  body: Buffer;
  gzip: Buffer;
  /** Content hash: the `?v=` of versioned URLs and the ETag. */
  version: string;
}

const require = createRequire(import.meta.url);

/**
 * Reads (once) a built bundle from the `@btpay/elements` package. Null when the package has not
 * been built (`npm run build:elements`), so the caller can say so instead of failing at start.
 */
function loadAsset(name: AssetName): Asset | null {
  let file: string;
  try {
    file = require.resolve(`@btpay/elements/${name}`);
  } catch {
    return null;
  }
  let body: Buffer;
  try {
    body = readFileSync(file);
  } catch {
    return null;
  }
  return {
    body,
    gzip: gzipSync(body, { level: 9 }),
    version: createHash("sha256").update(body).digest("hex").slice(0, 16),
  };
}

export class ElementsAssets {
  private readonly cache = new Map<AssetName, Asset | null>();

  get(name: AssetName): Asset | null {
    if (!this.cache.has(name)) this.cache.set(name, loadAsset(name));
    return this.cache.get(name) ?? null;
  }

  /** `/elements/<name>?v=<hash>`: cacheable for a year, a new build gets a new URL. */
  url(name: AssetName): string {
    const asset = this.get(name);
    return asset ? `/elements/${name}?v=${asset.version}` : `/elements/${name}`;
  }

  /**
   * `/elements/*`: the bundles, for the hosted pages and for merchants' own pages on any origin
   * (module scripts are fetched with CORS, and the global CORP header would block them otherwise).
   */
  router(): Router {
    const router = Router();
    router.get("/:name", (req: Request<{ name: string }>, res: Response) => {
      const name = req.params.name as AssetName;
      const asset = FILES.includes(name) ? this.get(name) : null;
      if (!asset) {
        res.status(404).json({
          error: FILES.includes(name)
            ? `${name} is not built: run "npm run build:elements"`
            : `no such file; the elements are ${FILES.join(" and ")}`,
        });
        return;
      }
      const etag = `"${asset.version}"`;
      res.setHeader("Access-Control-Allow-Origin", "*");
      res.setHeader("Cross-Origin-Resource-Policy", "cross-origin");
      res.setHeader(
        "Cache-Control",
        req.query.v === asset.version ? "public, max-age=31536000, immutable" : "public, max-age=300",
      );
      res.setHeader("ETag", etag);
      res.setHeader("Vary", "Accept-Encoding");
      if (req.get("if-none-match") === etag) {
        res.status(304).end();
        return;
      }
      res.type("text/javascript");
      if (/\bgzip\b/.test(req.get("accept-encoding") ?? "")) {
        res.setHeader("Content-Encoding", "gzip");
        res.send(asset.gzip);
      } else {
        res.send(asset.body);
      }
    });
    return router;
  }
}
