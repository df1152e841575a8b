import { type Request, Router } from "express";
import { requireStorePermission } from "../auth/context.js";
import { type FieldError, GreenfieldValidationError, notFound } from "../errors.js";
import type { GreenfieldBackend } from "../ports.js";
import {
  GREENFIELD_STATUSES,
  type GreenfieldStatus,
  MANUAL_MARKS,
  type ManualMark,
  markableStatuses,
} from "../status-map.js";
import { requestOrigin } from "../wire.js";
import type { GreenfieldInvoiceData } from "./backend.js";
import { isObject, parseCreateInvoice } from "./create-request.js";
import { invoiceState, serializeInvoice, serializeInvoicePaymentMethods } from "./serialize.js";

const VIEW = "btcpay.store.canviewinvoices";
const CREATE = "btcpay.store.cancreateinvoice";
const MODIFY = "btcpay.store.canmodifyinvoices";
/** A search reads at most this many of the store's newest invoices (then filters and pages them). */
const SEARCH_WINDOW = 1000;

/** `{protocol}://{host}` of the request (BTPAY_TRUST_PROXY makes Express read X-Forwarded-*). */

/** The Greenfield invoice calls under `/stores/{storeId}/invoices`. Thin: validate, call, serialize. */
export function invoiceRoutes(backend: GreenfieldBackend): Router {
  const r = Router();
  const invoices = backend.invoices;
  const found = (inv: GreenfieldInvoiceData | null, id: string): GreenfieldInvoiceData => {
    if (!inv)
      throw notFound("invoice-not-found", `invoice ${/^[0-9A-Za-z-]{1,40}$/.test(id) ? `"${id}" ` : ""}not found`);
    return inv;
  };

  r.post("/stores/:storeId/invoices", async (req, res) => {
    const { storeId } = req.params;
    requireStorePermission(req, storeId, CREATE);
    const created = await invoices.create(storeId, parseCreateInvoice(req.body));
    res.json(serializeInvoice(created, requestOrigin(req)));
  });

  r.get("/stores/:storeId/invoices", async (req, res) => {
    const { storeId } = req.params;
    requireStorePermission(req, storeId, VIEW);
    const q = parseSearch(req.query);
    const candidates = await invoices.search(storeId, { orderIds: q.orderIds, limit: SEARCH_WINDOW });
    const matching =
      q.statuses.length === 0 ? candidates : candidates.filter((i) => q.statuses.includes(invoiceState(i).status));
    const page = matching.slice(q.skip, q.take === null ? undefined : q.skip + q.take);
    res.json(page.map((i) => serializeInvoice(i, requestOrigin(req))));
  });

  r.get("/stores/:storeId/invoices/:invoiceId", async (req, res) => {
    const { storeId, invoiceId } = req.params;
    requireStorePermission(req, storeId, VIEW);
    res.json(serializeInvoice(found(await invoices.get(storeId, invoiceId), invoiceId), requestOrigin(req)));
  });

  r.get("/stores/:storeId/invoices/:invoiceId/payment-methods", async (req, res) => {
    const { storeId, invoiceId } = req.params;
    requireStorePermission(req, storeId, VIEW);
    const read = await invoices.payments(storeId, invoiceId);
    const inv = found(read?.invoice ?? null, invoiceId);
    res.json(serializeInvoicePaymentMethods(inv, read?.payments ?? []));
  });

  r.post("/stores/:storeId/invoices/:invoiceId/status", async (req, res) => {
    const { storeId, invoiceId } = req.params;
    requireStorePermission(req, storeId, MODIFY);
    const mark = parseMark(req.body);
    const marked = await invoices.mark(storeId, invoiceId, mark, (current) => {
      const allowed = markableStatuses(invoiceState(current));
      if (!allowed.includes(mark))
        throw new GreenfieldValidationError([
          {
            path: "status",
            message: `the invoice is ${invoiceState(current).status}; it can be marked ${allowed.join(" or ")}`,
          },
        ]);
    });
    res.json(serializeInvoice(found(marked, invoiceId), requestOrigin(req)));
  });

  r.put("/stores/:storeId/invoices/:invoiceId", async (req, res) => {
    const { storeId, invoiceId } = req.params;
    requireStorePermission(req, storeId, MODIFY);
    const body: unknown = req.body;
    if (!isObject(body) || !isObject(body.metadata))
      throw new GreenfieldValidationError([
        { path: "metadata", message: "must be a JSON object (it replaces the metadata)" },
      ]);
    const updated = await invoices.updateMetadata(storeId, invoiceId, body.metadata);
    res.json(serializeInvoice(found(updated, invoiceId), requestOrigin(req)));
  });

  return r;
}

function parseMark(body: unknown): ManualMark {
  const status = isObject(body) ? body.status : undefined;
  if (typeof status === "string" && (MANUAL_MARKS as readonly string[]).includes(status)) return status as ManualMark;
  throw new GreenfieldValidationError([{ path: "status", message: 'must be "Settled" or "Invalid"' }]);
}

interface SearchQuery {
  orderIds: string[];
  statuses: GreenfieldStatus[];
  skip: number;
  take: number | null;
}

/** `?orderId=a&orderId=b&status=Settled&skip=0&take=50`; other Greenfield filters are not served. */
function parseSearch(query: Request["query"]): SearchQuery {
  const errors: FieldError[] = [];
  const list = (v: unknown): string[] =>
    (Array.isArray(v) ? v : v === undefined ? [] : [v]).filter((s) => typeof s === "string");
  const statuses = list(query.status);
  for (const s of statuses)
    if (!(GREENFIELD_STATUSES as readonly string[]).includes(s))
      errors.push({ path: "status", message: `must be one of ${GREENFIELD_STATUSES.join(", ")}` });
  const count = (name: string): number | null => {
    const v = query[name];
    if (v === undefined) return null;
    if (typeof v === "string" && /^[0-9]{1,6}$/.test(v)) return Number(v);
    errors.push({ path: name, message: "must be a whole number" });
    return null;
  };
  const skip = count("skip") ?? 0;
  const take = count("take");
  if (errors.length > 0) throw new GreenfieldValidationError(errors);
  return { orderIds: list(query.orderId).slice(0, 100), statuses: statuses as GreenfieldStatus[], skip, take };
}
