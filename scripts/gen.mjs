#!/usr/bin/env node
// `npm run gen`: regenerates every file derived from openapi.yaml. Deterministic: CI runs it and
// fails on a diff. Outputs:
//   packages/sdk/src/generated/openapi.ts            openapi-typescript types (for openapi-fetch)
//   packages/server/src/http/generated/openapi.ts    same types + named aliases (CreateInvoiceBody, ...)
//   packages/server/src/http/generated/validators.js Ajv standalone validators + route table (ESM)
//   packages/server/src/http/generated/validators.d.ts
//   packages/server/src/http/generated/spec.ts       the spec as a JS object (served as openapi.json)
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { checkSpec } from "./gen/check.mjs";
import { HEADER, loadSpec } from "./gen/load.mjs";
import { generateAliases, generateTypes } from "./gen/types.mjs";
import { generateValidators } from "./gen/validators.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const at = (path) => `${root}${path}`;

/** Writes only when the content changed, so watchers and mtimes stay quiet. */
function write(path, content) {
  const file = at(path);
  let current;
  try {
    current = readFileSync(file, "utf8");
  } catch {}
  if (current === content) return console.log(`  unchanged ${path}`);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, content);
  console.log(`  wrote     ${path}`);
}

const spec = loadSpec(at("openapi.yaml"));
checkSpec(spec);

const types = await generateTypes(spec);
const [aliases] = generateAliases(spec);
const { js, dts } = generateValidators(spec);

console.log(`gen: ${relative(process.cwd(), at("openapi.yaml")) || "openapi.yaml"}`);
write("packages/sdk/src/generated/openapi.ts", `${HEADER}\n\n${types}`);
write("packages/server/src/http/generated/openapi.ts", `${HEADER}\n\n${types}${aliases}`);
write("packages/server/src/http/generated/validators.js", js);
write("packages/server/src/http/generated/validators.d.ts", dts);
write(
  "packages/server/src/http/generated/spec.ts",
  [
    HEADER,
    "// The OpenAPI document, served as GET /api/v1/openapi.json without reading YAML at runtime.",
    `export const openapiDocument: Record<string, unknown> = ${JSON.stringify(spec, null, 2)};`,
    "",
  ].join("\n"),
);
