import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { CheckoutInvoice, PublicPaymentLink } from "@btpay/sdk/public";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { parse } from "yaml";
import { EVENT_RECORDER } from "./browser.js";

const file = (path: string) => new URL(path, import.meta.url);
export const BUNDLE = file("../../dist/btpay-elements.js");
const INVOICE_BUNDLE = file("../../dist/btpay-invoice.js");

/**
 * Validators for the public schemas, compiled from openapi.yaml itself: a fixture that drifts from
 * the contract fails the test that serves it instead of passing against a shape the server never sends.
 */
function contract() {
  const spec = parse(readFileSync(file("../../../../openapi.yaml"), "utf8"));
  const ajv = new Ajv2020({ strict: true, allowUnionTypes: true, allErrors: true });
  addFormats.default(ajv); // a CommonJS module: its function is the default of the default
  ajv.addVocabulary(["example", "xml", "externalDocs", "discriminator"]); // OpenAPI-only annotations
  // The component schemas as one document's $defs (as scripts/gen does), refs pointed at them.
  const schemas = JSON.stringify(spec.components.schemas).replaceAll('"#/components/schemas/', '"#/$defs/');
  ajv.addSchema({ $id: "https://btpay.invalid/components.json", $defs: JSON.parse(schemas) });
  const validator = (name: string) => {
    const validate = ajv.getSchema(`https://btpay.invalid/components.json#/$defs/${name}`)!;
    return (body: unknown) => {
      if (!validate(body)) throw new Error(`fixture is not a valid ${name}: ${ajv.errorsText(validate.errors)}`);
    };
  };
  return { invoice: validator("CheckoutInvoice"), link: validator("PublicPaymentLink") };
}

export interface LoggedRequest {
  method: string;
  path: string;
  status: number;
  ifNoneMatch?: string;
  body?: string;
  at: number;
}

export interface FixtureServer {
  /** http://127.0.0.1:port: where test pages are served. */
  origin: string;
  /** http://localhost:port: the same server as another origin, so API calls from pages are cross-origin. */
  apiOrigin: string;
  requests: LoggedRequest[];
  /** Serve this invoice at its `ref` from now on (validated against the contract first). */
  setInvoice(invoice: CheckoutInvoice): void;
  setLink(link: PublicPaymentLink): void;
  /** Answer the next API request(s) whose path contains `pathPart` with this status instead. */
  failNext(pathPart: string, status: number, options?: { retryAfter?: number; times?: number }): void;
  /** Shift the `Date` header of API answers whose path contains `pathPart` (a server clock that is off). */
  skewClock(pathPart: string, offsetMs: number): void;
  /**
   * Serve an HTML page (the event recorder and the elements bundle in its head, unless `head` says
   * otherwise); returns its URL. `lang: null` leaves <html> without a lang attribute.
   */
  page(body: string, options?: { lang?: string | null; head?: string }): string;
  /** Serve a script (an app bundle built by a test) at `path`. */
  script(path: string, code: string): void;
  close(): Promise<void>;
}

export async function startFixtureServer(): Promise<FixtureServer> {
  if (!existsSync(BUNDLE)) throw new Error("dist/btpay-elements.js is missing: run `npm run build:elements` first");
  const validate = contract();
  const invoices = new Map<string, CheckoutInvoice>();
  const links = new Map<string, PublicPaymentLink>();
  const pages = new Map<string, string>();
  const scripts = new Map<string, string>();
  const failures: { pathPart: string; status: number; retryAfter?: number; times: number }[] = [];
  const requests: LoggedRequest[] = [];
  const skews = new Map<string, number>();
  let created = 0;

  const fixture: FixtureServer = {
    origin: "",
    apiOrigin: "",
    requests,
    skewClock: (pathPart, offsetMs) => skews.set(pathPart, offsetMs),
    setInvoice(invoice) {
      validate.invoice(invoice);
      invoices.set(invoice.ref, structuredClone(invoice));
    },
    setLink(link) {
      validate.link(link);
      links.set(link.slug, structuredClone(link));
    },
    failNext(pathPart, status, options = {}) {
      failures.push({ pathPart, status, retryAfter: options.retryAfter, times: options.times ?? 1 });
    },
    page(body, { lang = "en", head = '<script type="module" src="/btpay-elements.js"></script>' } = {}) {
      const path = `/page-${pages.size + 1}.html`;
      const html = lang === null ? "<html>" : `<html lang="${lang}">`;
      pages.set(
        path,
        `<!doctype html>${html}<head><meta charset="utf-8"><link rel="icon" href="data:,"><title>btpay test</title>${EVENT_RECORDER}${head}</head><body><main>${body}</main></body></html>`,
      );
      return fixture.origin + path;
    },
    script: (path, code) => scripts.set(path, code),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };

  function send(res: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}) {
    const text = body === undefined ? undefined : JSON.stringify(body);
    const path = res.req.url ?? "";
    const skew = [...skews].find(([part]) => path.includes(part))?.[1] ?? 0;
    res.writeHead(status, {
      Date: new Date(Date.now() + skew).toUTCString(),
      ...(text === undefined ? {} : { "Content-Type": "application/json" }),
      ...headers,
    });
    res.end(text);
  }

  async function api(req: IncomingMessage, res: ServerResponse, path: string, log: LoggedRequest) {
    const failure = failures.find((f) => path.includes(f.pathPart));
    if (failure) {
      if (--failure.times === 0) failures.splice(failures.indexOf(failure), 1);
      const headers: Record<string, string> = failure.retryAfter ? { "Retry-After": String(failure.retryAfter) } : {};
      return send(res, failure.status, { error: "Too many requests" }, headers);
    }
    let match = path.match(/^\/api\/v1\/public\/invoices\/([^/]+)$/);
    if (match && req.method === "GET") {
      const invoice = invoices.get(decodeURIComponent(match[1]!));
      if (!invoice) return send(res, 404, { error: "Invoice not found" });
      const etag = `W/"${createHash("sha256").update(JSON.stringify(invoice)).digest("hex").slice(0, 16)}"`;
      if (req.headers["if-none-match"] === etag) return send(res, 304, undefined, { ETag: etag });
      return send(res, 200, invoice, { ETag: etag, "Cache-Control": "no-cache" });
    }
    match = path.match(/^\/api\/v1\/public\/payment-links\/([^/]+)(\/invoices)?$/);
    const link = match && links.get(decodeURIComponent(match[1]!));
    if (match && !link) return send(res, 404, { error: "Payment link not found" });
    if (link && !match?.[2] && req.method === "GET") return send(res, 200, link);
    if (link && match?.[2] && req.method === "POST") {
      let raw = "";
      for await (const chunk of req) raw += chunk;
      log.body = raw;
      const amount: unknown = raw ? JSON.parse(raw).amount : undefined;
      const open = link.amount === null;
      if (open !== (amount !== undefined) || (open && !/^\d+(\.\d{1,2})?$/.test(String(amount)))) {
        return send(res, 400, { error: open ? "amount is required" : "this link has a fixed amount" });
      }
      const invoice = JSON.parse(readFileSync(file("../fixtures/checkout-invoices.json"), "utf8")).invoices.pending
        .invoice as CheckoutInvoice;
      invoice.ref = `C0FFEE00-${String(++created).padStart(8, "0")}`;
      invoice.currency = link.currency;
      invoice.total = invoice.amount_due = String(open ? amount : link.amount);
      invoice.expires_at = Math.floor(Date.now() / 1000) + 900;
      fixture.setInvoice(invoice);
      return send(res, 201, invoice);
    }
    send(res, 404, { error: "Not found" });
  }

  const server = createServer(async (req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    const log: LoggedRequest = { method: req.method ?? "GET", path, status: 0, at: Date.now() };
    const ifNoneMatch = req.headers["if-none-match"];
    if (ifNoneMatch) log.ifNoneMatch = ifNoneMatch;
    // The CORS answer the real server gives its public endpoints (pages embed elements cross-origin).
    res.setHeader("Access-Control-Allow-Origin", "*");
    res.setHeader("Access-Control-Expose-Headers", "ETag, Retry-After, Date");
    if (req.method === "OPTIONS") {
      res.writeHead(204, {
        "Access-Control-Allow-Methods": "GET, POST",
        "Access-Control-Allow-Headers": "If-None-Match, Content-Type",
        "Access-Control-Max-Age": "600",
      });
      return res.end();
    }
    if (path.startsWith("/api/")) {
      requests.push(log);
      res.on("finish", () => {
        log.status = res.statusCode;
      });
      return api(req, res, path, log);
    }
    const script = scripts.get(path);
    if (script !== undefined) {
      res.writeHead(200, { "Content-Type": "text/javascript" });
      return res.end(script);
    }
    const bundle = path === "/btpay-elements.js" ? BUNDLE : path === "/btpay-invoice.js" ? INVOICE_BUNDLE : null;
    if (bundle) {
      res.writeHead(200, { "Content-Type": "text/javascript" });
      return res.end(readFileSync(bundle));
    }
    const html = pages.get(path) ?? (path === "/thanks" ? "<!doctype html><title>Thanks</title><h1>Thanks</h1>" : null);
    res.writeHead(html ? 200 : 404, { "Content-Type": "text/html; charset=utf-8" });
    res.end(html ?? "not found");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  fixture.origin = `http://127.0.0.1:${port}`;
  fixture.apiOrigin = `http://localhost:${port}`;
  return fixture;
}
