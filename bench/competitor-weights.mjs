// Gzip weight of what a browser downloads for two comparison products, next to btpay's <btpay-invoice>.
// Run: node bench/competitor-weights.mjs [--no-bundle]   (needs the npm registry; Vite from the repo).
// (a) @getalby/bitcoin-connect is measured afresh from the npm registry: its published dist files, and a
//     self-contained browser build made with Vite (what an app bundle or a bundling CDN serves).
// (b) BTCPay Server's checkout page is printed from recorded numbers (see BTCPAY below).
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const BC = "@getalby/bitcoin-connect@3.12.3";
const gz = (buf) => gzipSync(buf, { level: 9 }).length;
const fmt = (n) => n.toLocaleString("en-US");
const row = (cells) => `| ${cells.join(" | ")} |`;
const table = (rows) => [row(["file", "raw bytes", "gzip -9 bytes"]), row(["---", "---:", "---:"]), ...rows].join("\n");
const npm = (args, cwd) => execFileSync("npm", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });

const dir = mkdtempSync(join(tmpdir(), "competitor-weights-"));
try {
  // (a1) The published files. The `unpkg` UMD bundle and the ESM builds all leave @getalby/sdk, zustand,
  // @getalby/lightning-tools and qrcode-generator as external imports, so none of them runs alone.
  const tgz = npm(["pack", BC, "--silent"], dir).trim().split("\n").pop();
  execFileSync("tar", ["xzf", tgz], { cwd: dir });
  const pkgDir = join(dir, "package");
  const pkg = JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8"));
  const files = [pkg.exports?.default, pkg.module, pkg.unpkg, pkg.main].filter(Boolean);
  const published = [...new Set(files)].map((f) => {
    const b = readFileSync(join(pkgDir, f));
    return row([`\`${f.replace(/^\.\//, "")}\` (package's own code only)`, fmt(b.length), fmt(gz(b))]);
  });
  console.log(`## (a) ${BC}\n\nPublished dist files (dependencies not included):\n\n${table(published)}\n`);

  // (a2) Self-contained builds: everything a page must load, the way btpay's own bundle is built.
  if (!process.argv.includes("--no-bundle")) {
    const { build } = await import("vite");
    writeFileSync(join(dir, "package.json"), '{"name":"weights","private":true,"type":"module"}');
    npm(["install", "--no-save", "--no-audit", "--no-fund", "--prefix", dir, BC], dir);
    const entries = {
      "whole package (`export *`, as a bundling CDN serves it)": 'export * from "@getalby/bitcoin-connect";\n',
      "app importing `launchPaymentModal` only": `import { launchPaymentModal } from "@getalby/bitcoin-connect";
export const pay = (invoice) => launchPaymentModal({ invoice });\n`,
    };
    let i = 0;
    for (const [label, code] of Object.entries(entries)) {
      const name = `entry${i++}`;
      writeFileSync(join(dir, `${name}.js`), code);
      const [out] = [].concat(
        await build({
          root: dir,
          configFile: false,
          logLevel: "silent",
          build: {
            write: false,
            target: "es2022",
            minify: true,
            sourcemap: false,
            lib: { entry: join(dir, `${name}.js`), formats: ["es"], fileName: () => `${name}.js` },
            rolldownOptions: { output: { minify: true, comments: false } },
          },
        }),
      );
      const chunks = new Map(out.output.filter((o) => o.type === "chunk").map((c) => [c.fileName, c]));
      const eager = new Set();
      const visit = (f) => {
        if (eager.has(f)) return;
        eager.add(f);
        for (const d of chunks.get(f)?.imports ?? []) visit(d);
      };
      visit(`${name}.js`);
      const rows = [];
      const sum = { eager: [0, 0], lazy: [0, 0] };
      for (const [f, c] of chunks) {
        const b = Buffer.from(c.code);
        const kind = eager.has(f) ? "eager" : "lazy";
        const what =
          kind === "lazy" ? `${c.moduleIds.some((m) => m.includes("lnc-web")) ? "lnc-web, " : ""}lazy` : "eager";
        sum[kind][0] += b.length;
        sum[kind][1] += gz(b);
        rows.push(row([`\`${f}\` (${what})`, fmt(b.length), fmt(gz(b))]));
      }
      rows.push(
        row([
          "**eager total (needed to show the payment UI)**",
          `**${fmt(sum.eager[0])}**`,
          `**${fmt(sum.eager[1])}**`,
        ]),
      );
      console.log(`Vite build, minified, ES2022 — ${label}:\n\n${table(rows)}\n`);
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

// (b) BTCPay Server checkout page (BTCPayServer/Views/UIInvoice/Checkout.cshtml, the Checkout V2 design),
// recorded 2026-11-21 from a stored copy of btcpayserver/btcpayserver (GitHub is not reachable from here):
// view Checkout.cshtml @ aee86941285b. Read from the repo (file @ commit): wwwroot/checkout/checkout.js
// @ 03c5c98e98ce, js/copy-to-clipboard.js @ 2eb4a5fd4f4c, js/vue-utils.js @ 3c8c95c953f7, main/utils.js
// @ 2f34656ebc24, vendor/dom-confetti/dom-confetti.min.js @ 81d7990f71cf. vendor/vue-qrcode/vue-qrcode.min.js
// @ 13bc8d67748f has the same length, header and tail as @chenfengyuan/vue-qrcode@1.0.0's, which was measured.
// The other vendor files could not be read, so their npm releases were measured: vue.min.js = vue@2.6.12 (the
// version of the repo's vendored vue.js), i18next.min.js = i18next@22.5.1, i18nextHttpBackend.min.js =
// i18next-http-backend@2.1.1, vue-i18next.js = @panter/vue-i18next@0.15.2 dist/vue-i18next.js (estimates).
// Each file is its own request, so each is gzipped on its own. Inline scripts in the HTML are not counted.
const BTCPAY = [
  ["`vendor/vuejs/vue.min.js` (vue 2.6.12, full build with template compiler)", 93670, 34043],
  ["`vendor/vue-qrcode/vue-qrcode.min.js` (1.0.0)", 32863, 11888],
  ["`vendor/i18next/i18next.min.js` (22.5.1)", 58739, 15499],
  ["`vendor/i18next/i18nextHttpBackend.min.js` (2.1.1)", 9871, 3345],
  ["`vendor/i18next/vue-i18next.js` (@panter/vue-i18next 0.15.2)", 14381, 4024],
  ["`js/copy-to-clipboard.js`", 3270, 1066],
  ["`js/vue-utils.js`", 1484, 358],
  ["`main/utils.js`", 522, 283],
  ["`checkout/checkout.js`", 18715, 4500],
];
const CONFETTI = ["`vendor/dom-confetti/dom-confetti.min.js` (only if the store celebrates payments)", 2746, 1363];
const total = (rows) => rows.reduce((s, r) => [s[0] + r[1], s[1] + r[2]], [0, 0]);
const [raw, zipped] = total(BTCPAY);
const [rawC, zippedC] = total([...BTCPAY, CONFETTI]);
console.log(`## (b) BTCPay Server checkout page scripts (recorded)\n
${table([
  ...[...BTCPAY, CONFETTI].map(([f, r, g]) => row([f, fmt(r), fmt(g)])),
  row(["**total without confetti**", `**${fmt(raw)}**`, `**${fmt(zipped)}**`]),
  row(["**total with confetti**", `**${fmt(rawC)}**`, `**${fmt(zippedC)}**`]),
])}\n`);

const own = fileURLToPath(new URL("../packages/elements/dist/btpay-invoice.js", import.meta.url));
if (existsSync(own)) {
  const b = readFileSync(own);
  console.log(`For reference, btpay's \`btpay-invoice.js\`: ${fmt(b.length)} B raw, ${fmt(gz(b))} B gzip -9.`);
}
