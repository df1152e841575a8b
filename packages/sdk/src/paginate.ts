import { unwrap } from "./errors.js";

interface Page<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/**
 * Every item of a paginated list, fetching pages of `limit` as the loop asks for them:
 *
 *   for await (const invoice of paginate((page) => btpay.GET("/invoices", { params: { query: page } }), (d) => d.invoices)) { ... }
 *
 * Lists are newest first, so items created during the walk shift later pages; an item already
 * yielded (same `id`) is not yielded again. A failed page throws `BtpayApiError`.
 */
export async function* paginate<T, Item>(
  fetchPage: (page: { limit: number; offset: number }) => Promise<Page<T>>,
  items: (data: NonNullable<T>) => Item[],
  limit = 100,
): AsyncGenerator<Item> {
  const seen = new Set<unknown>();
  for (let offset = 0; ; offset += limit) {
    const list = items(unwrap(await fetchPage({ limit, offset })));
    for (const item of list) {
      const id = (item as { id?: unknown }).id;
      if (id !== undefined) {
        if (seen.has(id)) continue;
        seen.add(id);
      }
      yield item;
    }
    if (list.length < limit) return;
  }
}
