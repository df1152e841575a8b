import { devApi } from "./dev-api.js";
import { byId } from "./dom.js";

/** One delivery as dev mode's webhook sink recorded it (GET /dev/api/events). */
export interface SinkEvent {
  seq: number;
  received_at: string;
  delivery: string | null;
  event: string | null;
  verified: boolean;
  error?: string;
  repeat: boolean;
  payload: { data?: { ref?: string; invoice_number?: string; status?: string } } | null;
}

const POLL_MS = 1_000;
const SHOWN = 200;

/** Polls the sink and lists each delivery, newest first, with whether its signature checked out. */
export function startEventsFeed(onEvent: (e: SinkEvent) => void): void {
  const list = byId<HTMLOListElement>("event-list");
  let after = 0;
  async function poll(): Promise<void> {
    let wait = POLL_MS;
    try {
      const page = await devApi<{ events: SinkEvent[]; last_seq: number }>("GET", `/events?after=${after}`);
      // A restarted dev server counts from 1 again.
      if (page.last_seq < after) after = 0;
      for (const e of page.events) {
        list.prepend(render(e));
        after = Math.max(after, e.seq);
        onEvent(e);
      }
      while (list.children.length > SHOWN) list.lastElementChild?.remove();
    } catch {
      wait = POLL_MS * 3;
    }
    setTimeout(() => void poll(), wait);
  }
  void poll();
}

function render(e: SinkEvent): HTMLLIElement {
  const li = document.createElement("li");
  li.value = e.seq;
  li.dataset.event = e.event ?? "";
  li.dataset.verified = String(e.verified);
  const data = e.payload?.data;
  const head = document.createElement("div");
  head.className = "event-head";
  const badge = document.createElement("span");
  badge.className = e.verified ? "badge ok" : "badge bad";
  badge.textContent = e.verified ? "signature verified" : "NOT verified";
  if (e.error) badge.title = e.error;
  const name = document.createElement("strong");
  name.textContent = e.event ?? "(no X-BTPay-Event)";
  const about = document.createElement("span");
  about.textContent = [data?.invoice_number, data?.status, e.repeat ? "(repeat delivery)" : ""]
    .filter(Boolean)
    .join(" · ");
  const seq = document.createElement("span");
  seq.className = "seq";
  seq.textContent = `#${e.seq}`;
  const time = document.createElement("time");
  time.dateTime = e.received_at;
  time.textContent = new Date(e.received_at).toLocaleTimeString();
  head.append(seq, time, name, about, badge);
  const details = document.createElement("details");
  const summary = document.createElement("summary");
  summary.textContent = `payload (${e.delivery ?? "no delivery id"})`;
  const pre = document.createElement("pre");
  pre.textContent = JSON.stringify(e.payload, null, 2);
  details.append(summary, pre);
  li.append(head, details);
  return li;
}
