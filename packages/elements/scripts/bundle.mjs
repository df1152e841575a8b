// The single-file browser bundles: dist/btpay-invoice.js (<btpay-invoice> only) and
// dist/btpay-elements.js (every tag), each self-contained (Lit, qrcode core and the SDK inlined) for
// a plain <script type="module"> tag. One Vite build per file, so nothing is split into shared chunks.
// Run after `tsc -b` (the SDK is bundled from its compiled output).
import { fileURLToPath } from "node:url";
import { build } from "vite";

const root = fileURLToPath(new URL("..", import.meta.url));
const slim = (file) => fileURLToPath(new URL(`slim-qrcode/${file}`, import.meta.url));

/**
 * qrcode's core carries a segment optimiser (dijkstrajs), kanji and numeric modes and a large kanji
 * regex that the elements provably never run: they pass explicit segments (src/invoice/qr.ts). Swapping
 * those two modules for the stubs in slim-qrcode/ saves ~1.6 KB gzip of an 18 KB budget. The tsc
 * output (npm consumers with their own bundler, Node) keeps the untouched package.
 */
const slimQrcode = {
  name: "btpay-slim-qrcode",
  enforce: "pre",
  resolveId(id, importer) {
    if (!importer?.includes("/qrcode/lib/core/")) return null;
    if (id === "./segments") return slim("segments.js");
    if (id === "./regex") return slim("regex.js");
    return null;
  },
};

const bundles = { "btpay-invoice": "src/invoice.ts", "btpay-elements": "src/index.ts" };

for (const [name, entry] of Object.entries(bundles)) {
  await build({
    root,
    configFile: false,
    logLevel: "warn",
    plugins: [slimQrcode],
    build: {
      outDir: "dist",
      emptyOutDir: false,
      target: "es2022",
      minify: true,
      sourcemap: false,
      lib: { entry, formats: ["es"], fileName: () => `${name}.js` },
      // Vite keeps whitespace and /*#__PURE__*/ notes in ES library output, for consumers that bundle
      // again; these files go to browsers as they are, so minify completely.
      rolldownOptions: { output: { minify: true, comments: false, codeSplitting: false } },
    },
  });
}
