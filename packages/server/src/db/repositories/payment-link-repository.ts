import type { PaymentMethod } from "../../domain/invoice.js";
import type { PaymentLinkRecord } from "../../domain/payment-link.js";
import type { PaymentLinkRepository } from "../../ports.js";
import type { Sql } from "./sql.js";
import { row, rows, toDate, trimNumeric } from "./sql.js";

interface PaymentLinkRow {
  id: number | string;
  store_id: string;
  ref: string;
  slug: string;
  title: string;
  description: string | null;
  amount: string | null;
  currency: string;
  payment_methods: string[];
  redirect_url: string | null;
  metadata: Record<string, unknown>;
  is_active: boolean;
  created_at: Date | string;
}

const COLUMNS = `l.id, l.store_id, l.ref, l.slug, l.title, l.description, l.amount::text as amount, l.currency,
  l.payment_methods, l.redirect_url, l.metadata, l.is_active, l.created_at`;

function toRecord(r: PaymentLinkRow): PaymentLinkRecord {
  return {
    id: Number(r.id),
    storeId: r.store_id,
    ref: r.ref,
    slug: r.slug,
    title: r.title,
    description: r.description,
    amount: r.amount === null ? null : trimNumeric(r.amount),
    currency: r.currency,
    paymentMethods: r.payment_methods as PaymentMethod[],
    redirectUrl: r.redirect_url,
    metadata: r.metadata,
    isActive: r.is_active,
    createdAt: toDate(r.created_at),
  };
}

export function paymentLinkRepository(em: Sql): PaymentLinkRepository {
  return {
    async insert(storeId, ref, slug, link) {
      // ON CONFLICT on the slug only: a taken slug is an answer (null), not an error that would
      // abort the surrounding transaction.
      const r = await row<PaymentLinkRow>(
        em,
        `insert into payment_link as l (store_id, ref, slug, title, description, amount, currency, payment_methods,
           redirect_url, metadata)
         values (?, ?, ?, ?, ?, ?, ?, ?::text[], ?, ?::jsonb)
         on conflict (slug) do nothing
         returning ${COLUMNS}`,
        [
          storeId,
          ref,
          slug,
          link.title,
          link.description,
          link.amount,
          link.currency,
          `{${link.paymentMethods.join(",")}}`,
          link.redirectUrl,
          JSON.stringify(link.metadata),
        ],
      );
      return r ? toRecord(r) : null;
    },
    async slugsStartingWith(prefix) {
      // Slugs are [a-z0-9-] only, so the prefix never holds a LIKE wildcard.
      const found = await rows<{ slug: string }>(em, "select slug from payment_link where slug like ?", [`${prefix}%`]);
      return found.map((r) => r.slug);
    },
    async list(storeId) {
      return (
        await rows<PaymentLinkRow>(
          em,
          `select ${COLUMNS} from payment_link l where l.store_id = ? order by l.id desc`,
          [storeId],
        )
      ).map(toRecord);
    },
    async findBySlug(slug) {
      const r = await row<PaymentLinkRow>(em, `select ${COLUMNS} from payment_link l where l.slug = ?`, [slug]);
      return r ? toRecord(r) : null;
    },
    async deactivate(storeId, slug) {
      const r = await row<{ id: number }>(
        em,
        "update payment_link set is_active = false where store_id = ? and slug = ? returning id",
        [storeId, slug],
      );
      return r !== undefined;
    },
    async lockOpenInvoices(linkId, visitor, now, draftsSince) {
      // Two statements on purpose: under READ COMMITTED a statement that waited for the row lock
      // still reads with the snapshot it started with, so counting in the locking statement would
      // miss the invoices the previous lock holder just committed (and let a burst past the cap).
      const locked = await row<{ is_active: boolean }>(
        em,
        "select is_active from payment_link where id = ? for update",
        [linkId],
      );
      if (!locked) return { isActive: false, reusableInvoiceId: null, open: 0, nextExpiry: null };
      const r = await row<{
        reusable: number | string | null;
        open: number | string;
        next_expiry: Date | string | null;
      }>(
        em,
        `select
           (select i.id from invoice i
             where i.payment_link_id = ? and i.public_client = ? and i.status = 'pending' and i.expires_at > ?
               and i.total = ?::numeric
             order by i.id desc limit 1) as reusable,
           (select count(*) from invoice i
             where i.payment_link_id = ?
               and ((i.status = 'pending' and i.expires_at > ?) or (i.status = 'draft' and i.created_at > ?))) as open,
           (select min(i.expires_at) from invoice i
             where i.payment_link_id = ? and i.status = 'pending' and i.expires_at > ?) as next_expiry`,
        [linkId, visitor.clientHash, now, visitor.total, linkId, now, draftsSince, linkId, now],
      );
      return {
        isActive: locked.is_active,
        reusableInvoiceId: r?.reusable == null ? null : Number(r.reusable),
        open: Number(r?.open ?? 0),
        nextExpiry: r?.next_expiry == null ? null : toDate(r.next_expiry),
      };
    },
    async attachInvoice(invoiceId, linkId, clientHash) {
      await em("update invoice set payment_link_id = ?, public_client = ? where id = ?", [
        linkId,
        clientHash,
        invoiceId,
      ]);
    },
    async linkOfInvoice(ref) {
      const r = await row<PaymentLinkRow & { invoice_id: number | string }>(
        em,
        `select i.id as invoice_id, ${COLUMNS}
         from invoice i join payment_link l on l.id = i.payment_link_id
         where i.ref = ?`,
        [ref],
      );
      return r ? { invoiceId: Number(r.invoice_id), link: toRecord(r) } : null;
    },
  };
}
