export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`playground: #${id} is missing from index.html`);
  return el as T;
}

/** A status line: text plus an ok/error look (and data-kind for tests). */
export function show(el: HTMLElement, text: string, kind: "ok" | "error" = "ok"): void {
  el.textContent = text;
  el.dataset.kind = kind;
}

/** The `{"error": "..."}` body of a failed API call, as text. */
export function apiError(error: unknown): string {
  return (error as { error?: string } | undefined)?.error ?? JSON.stringify(error);
}

export function short(id: string): string {
  return id.length > 16 ? `${id.slice(0, 8)}…${id.slice(-6)}` : id;
}
