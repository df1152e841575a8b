/** The languages the hosted pages and `<btpay-invoice>` speak. */
export const PAGE_LANGUAGES = ["en", "es", "de", "fr", "pt"] as const;
export type PageLanguage = (typeof PAGE_LANGUAGES)[number];

/**
 * `?lang=` when it names one of ours, else the first of the browser's Accept-Language that does
 * (by primary subtag, in the order the browser gives, ignoring q-values of 0), else English.
 */
export function pageLanguage(query: unknown, acceptLanguage: string | undefined): PageLanguage {
  const ours = (tag: string): PageLanguage | undefined => {
    const primary = tag.trim().toLowerCase().split("-")[0] ?? "";
    return (PAGE_LANGUAGES as readonly string[]).includes(primary) ? (primary as PageLanguage) : undefined;
  };
  if (typeof query === "string") {
    const chosen = ours(query);
    if (chosen) return chosen;
  }
  const ranked = (acceptLanguage ?? "")
    .split(",")
    .slice(0, 20)
    .map((part, i) => {
      const [tag = "", ...params] = part.split(";");
      const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
      return { tag, q: q === undefined ? 1 : Number(q), i };
    })
    .filter((t) => t.q > 0)
    .sort((a, b) => b.q - a.q || a.i - b.i);
  for (const { tag } of ranked) {
    const found = ours(tag);
    if (found) return found;
  }
  return "en";
}
