/**
 * Registers `<btpay-invoice>` and `<btpay-button>`. Under the Vite dev server they come from the
 * workspace source (edit an element, see it here); the built playground loads the one-file bundle
 * btpay serves at /elements/btpay-elements.js with a script tag, exactly as a merchant's page does,
 * so the playground shows what ships.
 */
export async function loadElements(): Promise<void> {
  if (import.meta.env.DEV) {
    await import("@btpay/elements");
  } else {
    await new Promise<void>((resolve, reject) => {
      const script = document.createElement("script");
      script.type = "module";
      script.src = "/elements/btpay-elements.js";
      script.onload = () => resolve();
      script.onerror = () => reject(new Error("could not load /elements/btpay-elements.js (npm run build:elements)"));
      document.head.append(script);
    });
  }
  await Promise.all([customElements.whenDefined("btpay-invoice"), customElements.whenDefined("btpay-button")]);
}
