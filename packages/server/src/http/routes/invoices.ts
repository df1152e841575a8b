import type { InvoiceRecord, InvoiceStatus } from "../../domain/invoice.js";
import type { FinalizeService } from "../../services/finalize.js";
import { requestHash } from "../../services/idempotency.js";
import type { InvoiceService } from "../../services/invoices.js";
import { CREATE_INVOICE } from "../../services/keyed-creates.js";
import { RenderedInvoices } from "../rendered-invoices.js";
import { requestOrigin } from "../request-origin.js";
import { type Handlers, JsonText } from "../route.js";
import { serializeInvoice, serializeInvoiceStatus, serializePayment } from "../serializers/invoice.js";

const INVOICES_OPEN = Buffer.from(`{"invoices":`);

/** Thin handlers: validated input -> one service call -> serializer. */
export function invoiceHandlers(invoices: InvoiceService, finalizer: FinalizeService): Handlers {
  const rendered = new RenderedInvoices();
  return {
    listInvoices: async ({ auth, query, req }) => {
      const limit = query.limit ?? 50;
      const offset = query.offset ?? 0;
      const status = query.status as InvoiceStatus | undefined;
      const page = await rendered.page(invoices, auth, { status, limit, offset }, requestOrigin(req));
      return {
        status: 200,
        body: new JsonText(
          Buffer.concat([
            INVOICES_OPEN,
            page.json,
            Buffer.from(`,"total":${page.total},"limit":${limit},"offset":${offset}}`),
          ]),
        ),
      };
    },
    createInvoice: async ({ auth, body, idempotencyKey, req }) => {
      const prepared = invoices.prepare(auth, body);
      const origin = requestOrigin(req);
      const reply = (invoice: InvoiceRecord) => ({ status: 201, body: serializeInvoice(invoice, origin) });
      // Without a key there is nothing to claim; either way the create is batched with its neighbours.
      if (idempotencyKey === undefined) return reply(await invoices.create(auth, prepared));
      const once = { key: idempotencyKey, requestHash: requestHash(CREATE_INVOICE, body) };
      return invoices.createOnce(auth, prepared, once, reply);
    },
    getInvoice: async ({ auth, params, query, req }) => {
      if (!query.include_payments)
        return { status: 200, body: serializeInvoice(await invoices.get(auth, params.ref), requestOrigin(req)) };
      const { invoice, payments, tipHeight } = await invoices.getWithPayments(auth, params.ref);
      return {
        status: 200,
        body: {
          ...serializeInvoice(invoice, requestOrigin(req)),
          payments: payments.map((p) => serializePayment(p, tipHeight)),
        },
      };
    },
    getInvoiceStatus: async ({ auth, params }) => ({
      status: 200,
      body: serializeInvoiceStatus(await invoices.get(auth, params.ref)),
    }),
    finalizeInvoice: async ({ auth, params, req }) => ({
      status: 200,
      body: serializeInvoice(await finalizer.finalize(auth, params.ref), requestOrigin(req)),
    }),
    cancelInvoice: async ({ auth, params }) => {
      await invoices.cancel(auth, params.ref);
      return { status: 200, body: { ok: true, status: "cancelled" } };
    },
  };
}
