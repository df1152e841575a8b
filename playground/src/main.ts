import { createBtpayClient } from "@btpay/sdk";
import { devApi, type Session } from "./dev-api.js";
import { byId, show } from "./dom.js";
import { startEventsFeed } from "./events-feed.js";
import { wireInvoiceForm } from "./invoice-form.js";
import { invoiceJsonView } from "./invoice-json.js";
import { loadElements } from "./load-elements.js";
import { wireSimulate } from "./simulate.js";
import { target } from "./target.js";
import "./style.css";

// The page talks to btpay on its own origin: btpay serves it at /playground/, or the Vite dev
// server proxies /api, /dev and /elements to the running dev server.
const server = location.origin;

async function main(): Promise<void> {
  const status = byId("session");
  const session = await devApi<Session>("GET", "/session");
  // The dev key lives in this page only because this is a local playground. A real shop keeps its
  // key on its server and gives the browser an invoice ref (or uses a payment link).
  const api = createBtpayClient({ baseUrl: server, apiKey: session.apiKey });
  show(
    status,
    `Dev server ${session.apiUrl} · network ${session.network} · store ${session.storeId}${session.simulator ? "" : " · simulator off (own chain)"}`,
  );
  await loadElements();

  const json = invoiceJsonView(api);
  const slot = byId("invoice-slot");
  target.onChange((ref) => {
    byId("target").textContent = ref;
    json.refresh();
  });
  const mountInvoice = (ref: string) => {
    const invoice = document.createElement("btpay-invoice");
    invoice.setAttribute("ref", ref);
    invoice.setAttribute("server", server);
    slot.replaceChildren(invoice);
  };
  wireInvoiceForm(api, (ref) => {
    mountInvoice(ref);
    target.set(ref);
  });
  wireSimulate(api, () => json.refresh());

  const buttons = byId("button-slot");
  for (const link of session.paymentLinks) {
    const button = document.createElement("btpay-button");
    button.setAttribute("slug", link.slug);
    button.setAttribute("server", server);
    button.setAttribute("label", `${link.title}: ${link.amount ? `${link.amount} ${link.currency}` : "any amount"}`);
    buttons.append(button);
  }
  // A button's checkout announces its invoice through the events it bubbles: it becomes the target.
  document.addEventListener("btpay-status-change", (e) => {
    const ref = (e as CustomEvent<{ ref?: string }>).detail?.ref;
    const fromLinks = e.composedPath().some((n) => n instanceof Element && n.id === "links");
    // The dialog makes the rest of the page inert while open; once closed, panel 2 shows the
    // same invoice live and the simulate buttons act on it.
    if (ref && fromLinks && ref !== target.ref) {
      mountInvoice(ref);
      target.set(ref);
    }
    if (ref === target.ref) json.refresh();
  });
  startEventsFeed((e) => {
    const ref = e.payload?.data?.ref;
    if (ref === target.ref) json.refresh();
    // <btpay-invoice> stops polling once an invoice is confirmed, but a reorg can take it back
    // (invoice.reverted): a fresh element shows where it stands now.
    if (e.event === "invoice.reverted" && ref && slot.querySelector("btpay-invoice")?.getAttribute("ref") === ref) {
      mountInvoice(ref);
    }
  });
}

main().catch((err: unknown) => {
  show(byId("session"), `The playground needs a running dev server (npm start): ${String(err)}`, "error");
});
