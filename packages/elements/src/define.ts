/**
 * Registers a tag unless it already is. Loading the bundle twice (a CMS plugin plus a page script)
 * must not throw, and in Node without a DOM shim there is no registry: importing stays harmless.
 */
export function define(tag: string, element: CustomElementConstructor): void {
  if (typeof customElements !== "undefined" && !customElements.get(tag)) customElements.define(tag, element);
}

/** Dispatches a `btpay-*` event that bubbles out of shadow roots; false when a listener cancelled it. */
export function emit<K extends keyof HTMLElementEventMap>(
  from: EventTarget,
  type: K,
  detail: HTMLElementEventMap[K] extends CustomEvent<infer D> ? D : never,
  cancelable = false,
): boolean {
  return from.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true, cancelable }));
}
