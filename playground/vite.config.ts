import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "..");

/**
 * The running dev server (`npm start`) from its dev.json; BTPAY_DATA_DIR as for the server, else
 * ./data of the repository. Without one, the default port, with a hint.
 */
function devServerOrigin(): string {
  const file = path.resolve(root, process.env.BTPAY_DATA_DIR ?? "data", "dev.json");
  try {
    return new URL((JSON.parse(readFileSync(file, "utf8")) as { apiUrl: string }).apiUrl).origin;
  } catch {
    console.warn(`playground: no ${file}; start the dev server first (npm start). Proxying to http://127.0.0.1:5000`);
    return "http://127.0.0.1:5000";
  }
}

export default defineConfig(({ command }) => {
  const target = command === "serve" ? devServerOrigin() : "";
  // Everything btpay answers goes to the dev server, so the page stays same-origin as when btpay serves it.
  const proxy = Object.fromEntries(
    ["/api", "/dev", "/elements", "/i/", "/pay", "/docs"].map((p) => [p, { target, changeOrigin: true }]),
  );
  return {
    root: here,
    base: "/playground/",
    // The Vite dev server runs the elements from source (edit them, see it); the built playground
    // loads the element bundle btpay serves, like a merchant's page (src/load-elements.ts).
    resolve: { alias: { "@btpay/elements": path.join(root, "packages/elements/src/index.ts") } },
    server: { host: "127.0.0.1", proxy },
    build: { outDir: "dist", emptyOutDir: true, target: "es2022" },
  };
});
