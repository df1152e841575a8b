/**
 * The invoice the simulate buttons, the JSON view and the event filter act on: the one created
 * here last, or the one a `<btpay-button>` opened last.
 */
type Listener = (ref: string) => void;

let current: string | null = null;
const listeners: Listener[] = [];

export const target = {
  get ref(): string | null {
    return current;
  },
  set(ref: string): void {
    if (ref === current) return;
    current = ref;
    for (const l of listeners) l(ref);
  },
  onChange(listener: Listener): void {
    listeners.push(listener);
  },
};
