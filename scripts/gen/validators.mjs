// Ajv standalone validators per operation, as one ESM module plus its .d.ts.
import standaloneCode from "ajv/dist/standalone/index.js";
import { createAjv, rewriteRefs } from "./ajv.mjs";
import { defaultedProperties, HEADER, listOperations, pascal } from "./load.mjs";

const ID_BASE = "https://btpay.invalid/openapi/operations/";
const CODE = { source: true, esm: true, lines: true };

/** Object schema for one parameter location (`query`, `path`, `header`). */
function paramsSchema(params, { lowerCase, additional }) {
  const properties = {};
  const required = [];
  for (const p of params) {
    const name = lowerCase ? p.name.toLowerCase() : p.name;
    properties[name] = rewriteRefs(p.schema ?? {});
    if (p.required) required.push(name);
  }
  return { type: "object", properties, ...(required.length ? { required } : {}), additionalProperties: additional };
}

const objectLiteral = (obj) =>
  `{ ${Object.entries(obj)
    .map(([key, value]) => `${key}: ${JSON.stringify(value)}`)
    .join(", ")} }`;

/**
 * Wraps Ajv's ESM standalone output in a function scope (two Ajv instances produce clashing
 * names such as `validate10`), returns its exports as an object, and hoists its `require()`
 * calls to module-level constants.
 */
function toScopedModule(code, label) {
  const exported = [];
  let body = code.replace(/^export const (\w+) = (\w+);$/gm, (_, name, fn) => {
    exported.push(`${name}: ${fn}`);
    return "";
  });
  body = body.replace(/^"use strict";\n?/, "");
  if (/^\s*(export|import)\b/m.test(body)) throw new Error(`unexpected module syntax in Ajv output (${label})`);
  const modules = new Map();
  body = body.replace(/require\("([^"]+)"\)/g, (_, spec) => {
    // One module-level constant per module, shared by both scopes; `dep_` never clashes with Ajv names.
    if (!modules.has(spec)) modules.set(spec, `dep_${spec.replace(/\W/g, "_")}`);
    return modules.get(spec);
  });
  if (/\brequire\s*\(/.test(body)) throw new Error(`unrewritten require() in Ajv output (${label})`);
  // Ajv's runtime helpers are CommonJS. `import x from` would give module.exports under Node but
  // exports.default under Vite/Vitest interop, so load them with a real require() everywhere.
  const imports = [...modules].map(([spec, local]) => `const ${local} = require(${JSON.stringify(spec)});`);
  const indented = body.trim().replace(/^/gm, "  ");
  return {
    imports,
    code: `const ${label} = (() => {\n${indented}\n  return { ${exported.join(", ")} };\n})();`,
  };
}

/** Builds validators.js and validators.d.ts sources. */
export function generateValidators(spec) {
  const ops = listOperations(spec);
  // JSON bodies: exact types, no coercion. Defaults (e.g. webhook events) are filled in.
  const bodyAjv = createAjv(spec, { coerceTypes: false, useDefaults: true, code: CODE });
  // Query, path and headers arrive as strings: coerce ("50" -> 50) and fill defaults.
  const inputAjv = createAjv(spec, { coerceTypes: true, useDefaults: true, code: CODE });
  const bodyExports = {};
  const inputExports = {};
  const parts = {};

  for (const o of ops) {
    parts[o.id] = {};
    const add = (ajv, exportsMap, part, schema) => {
      const name = `${o.id}_${part}`;
      ajv.addSchema({ $id: `${ID_BASE}${o.id}/${part}`, ...schema });
      exportsMap[name] = `${ID_BASE}${o.id}/${part}`;
      parts[o.id][part] = name;
    };
    const path = o.byLocation("path");
    if (path.length) add(inputAjv, inputExports, "params", paramsSchema(path, { additional: false }));
    // Every operation refuses unknown query parameters (catches typos such as `limt`).
    add(inputAjv, inputExports, "query", paramsSchema(o.byLocation("query"), { additional: false }));
    const headers = o.byLocation("header");
    if (headers.length) {
      add(inputAjv, inputExports, "headers", paramsSchema(headers, { lowerCase: true, additional: true }));
    }
    if (o.bodySchema) add(bodyAjv, bodyExports, "body", rewriteRefs(o.bodySchema));
  }

  const body = toScopedModule(standaloneCode(bodyAjv, bodyExports), "body");
  const input = toScopedModule(standaloneCode(inputAjv, inputExports), "input");
  const scopeOf = (part) => (part === "body" ? "body" : "input");

  const js = [
    HEADER,
    "// Ajv (JSON Schema 2020-12) standalone validators for every operation, plus the route table.",
    "// body: strict types, no coercion. params/query/headers: strings coerced, defaults filled in;",
    "// they mutate their argument, so pass a plain copy of req.query / req.params.",
    "",
    'import { createRequire } from "node:module";',
    "",
    "const require = createRequire(import.meta.url);",
    ...[...new Set([...body.imports, ...input.imports])].sort(),
    "",
    body.code,
    "",
    input.code,
    "",
    "export const validators = Object.freeze({",
    ...ops.map((o) => {
      const entries = Object.entries(parts[o.id]).map(([part, name]) => `${part}: ${scopeOf(part)}.${name}`);
      return `  ${o.id}: Object.freeze({ ${entries.join(", ")} }),`;
    }),
    "});",
    "",
    "export const operations = Object.freeze({",
    ...ops.map(
      (o) =>
        `  ${o.id}: Object.freeze(${objectLiteral({ method: o.method, path: o.expressPath, openapiPath: o.path, tag: o.tag, successStatus: o.successStatus })}),`,
    ),
    "});",
    "",
  ].join("\n");

  return { js, dts: generateDeclarations(spec, ops, parts) };
}

function generateDeclarations(spec, ops, parts) {
  const imported = new Set();
  const guard = (o, part) => {
    const P = pascal(o.id);
    let type = "Record<string, never>";
    if (part === "query" && o.byLocation("query").length) type = `${P}Query`;
    if (part === "params") type = `${P}Params`;
    if (part === "headers") type = `${P}Headers`;
    if (part === "body") type = `${P}Body`;
    if (type !== "Record<string, never>") imported.add(type);
    return `ValidateFunction<${type}>`;
  };
  const methods = [...new Set(ops.map((o) => JSON.stringify(o.method)))];
  const validatorLines = ops.map((o) => {
    const members = ["params", "query", "headers", "body"].map((part) =>
      parts[o.id][part] ? `readonly ${part}: ${guard(o, part)}` : `readonly ${part}?: undefined`,
    );
    return `  readonly ${o.id}: { ${members.join("; ")} };`;
  });
  const defaults = ops.filter((o) => defaultedProperties(spec, o.bodySchema).length).map((o) => o.id);

  return [
    HEADER,
    'import type { ValidateFunction } from "ajv";',
    `import type {\n${[...imported]
      .sort()
      .map((t) => `  ${t},`)
      .join("\n")}\n} from "./openapi.js";`,
    "",
    `export type OperationId =\n${ops.map((o) => `  | ${JSON.stringify(o.id)}`).join("\n")};`,
    "",
    `export type HttpMethod = ${methods.join(" | ")};`,
    "",
    "/** Validators of one operation; a missing one means the operation has no such input. */",
    "export interface OperationValidators {",
    "  /** Path parameters (coerced). */",
    "  params?: ValidateFunction;",
    "  /** Query string (coerced, defaults filled in, unknown parameters refused). */",
    "  query?: ValidateFunction;",
    "  /** Request headers, lower-cased names (other headers allowed). */",
    "  headers?: ValidateFunction;",
    `  /** JSON body (exact types, no coercion; defaults filled in: ${defaults.join(", ") || "none"}). */`,
    "  body?: ValidateFunction;",
    "}",
    "",
    "export interface OperationRoute {",
    "  method: HttpMethod;",
    "  /** Express-style path relative to /api/v1, e.g. `/invoices/:ref`. */",
    "  path: string;",
    "  /** The path as written in openapi.yaml, e.g. `/invoices/{ref}`. */",
    "  openapiPath: string;",
    "  /** The operation's (single) tag: one router per tag. */",
    "  tag: string;",
    "  /** Status code of the success response. */",
    "  successStatus: number;",
    "}",
    "",
    "/** Per-operation validators; each is a type guard for the validated (coerced) input. */",
    `export declare const validators: {\n${validatorLines.join("\n")}\n};`,
    "",
    "export declare const operations: Readonly<Record<OperationId, Readonly<OperationRoute>>>;",
    "",
  ].join("\n");
}
