// Mounted by frameworks.test.ts in a real browser: <btpay-invoice> inside a React 19 and a Vue 3 app,
// written the way an integrating developer would (attributes, event props, re-renders).
import { createElement, useState } from "react";
import { createRoot } from "react-dom/client";
import { createApp, h, ref } from "vue";

interface Mount {
  /** Re-render the app showing another invoice. */
  show(invoiceRef: string): void;
  /** Statuses the app's own listener received, in order. */
  seen: string[];
}

declare global {
  interface Window {
    mountReact(el: HTMLElement, invoiceRef: string, server: string): Mount;
    mountVue(el: HTMLElement, invoiceRef: string, server: string): Mount;
  }
}

window.mountReact = (el, first, server) => {
  const seen: string[] = [];
  let setRef: (r: string) => void = () => {};
  function App() {
    const [invoiceRef, set] = useState(first);
    setRef = set;
    // React reserves `ref`: the element's `invoice-ref` alias; React 19 wires `on<event>` on custom elements.
    return createElement("btpay-invoice", {
      "invoice-ref": invoiceRef,
      server,
      "onbtpay-status-change": (e: CustomEvent<{ status: string }>) => seen.push(e.detail.status),
    });
  }
  createRoot(el).render(createElement(App));
  return { show: (r) => setRef(r), seen };
};

window.mountVue = (el, first, server) => {
  const seen: string[] = [];
  const invoiceRef = ref(first);
  const app = createApp({
    // Vue reserves `ref` too; `on` + the event name listens to a custom element's event.
    render: () =>
      h("btpay-invoice", {
        "invoice-ref": invoiceRef.value,
        server,
        "onBtpay-status-change": (e: CustomEvent<{ status: string }>) => seen.push(e.detail.status),
      }),
  });
  app.config.compilerOptions.isCustomElement = (tag: string) => tag.startsWith("btpay-");
  app.mount(el);
  return {
    show: (r) => {
      invoiceRef.value = r;
    },
    seen,
  };
};
