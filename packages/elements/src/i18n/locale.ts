/** The languages every btpay element speaks; anything else falls back to English. */
export type Lang = "en" | "es" | "de" | "fr" | "pt";

/** One translation per key, in the order of the key list (a tuple type keeps every row complete). */
export type Row<K extends readonly string[]> = { readonly [I in keyof K]: string };

/**
 * The element's own `lang`, else the nearest ancestor's (crossing shadow roots, so an invoice inside
 * `<btpay-button>` follows the page), else the browser's language.
 */
export function resolveLang(element: Element): string {
  for (
    let node: Element | undefined = element;
    node;
    node = node.parentElement ?? (node.getRootNode() as ShadowRoot).host
  ) {
    const lang = node.getAttribute("lang");
    if (lang) return lang;
  }
  return globalThis.navigator?.language ?? "en";
}

/**
 * A lookup from a language tag ("de-CH") to `{ key: text }`. Rows are positional rather than objects
 * so the keys ship once instead of once per language: the dictionaries are most of the i18n bytes.
 */
export function dictionary<const K extends readonly string[]>(
  keys: K,
  rows: Record<Lang, Row<K>>,
): (lang: string) => Record<K[number], string> {
  return (lang) => {
    const row = rows[lang.slice(0, 2).toLowerCase() as Lang] ?? rows.en;
    return Object.fromEntries(keys.map((key, i) => [key, row[i]])) as Record<K[number], string>;
  };
}
