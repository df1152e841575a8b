// TypeScript types: openapi-typescript's output, plus named aliases for the server.
import openapiTS, { astToString } from "openapi-typescript";
import { defaultedProperties, listOperations, pascal, schemaRefName } from "./load.mjs";

/** Schema aliases that would shadow a global type get another name. */
const ALIAS_RENAMES = { Error: "ErrorResponse" };

/** openapi-typescript's output for the spec (what openapi-fetch wants). */
export async function generateTypes(spec) {
  const ast = await openapiTS(structuredClone(spec), {
    // A default is filled in by the server, so the client may omit the field (e.g. webhook `events`).
    defaultNonNullable: false,
    silent: false,
  });
  return astToString(ast);
}

const schemaType = (name) => `components["schemas"][${JSON.stringify(name)}]`;
const opType = (id) => `operations[${JSON.stringify(id)}]`;
const union = (names) => names.map((n) => JSON.stringify(n)).join(" | ");

/** Named exports appended to the server's copy of the types. Returns [source, names]. */
export function generateAliases(spec) {
  const lines = [];
  const names = new Set();
  const add = (name, doc, type) => {
    if (names.has(name)) throw new Error(`generated type name collision: ${name}`);
    names.add(name);
    lines.push(`/** ${doc} */`, `export type ${name} = ${type};`);
  };

  lines.push(
    "",
    "// ---- Named aliases (scripts/gen.mjs) --------------------------------------------------------",
    "",
    "/** `T` with the keys `K` required: validators fill in their defaults (Ajv `useDefaults`). */",
    "export type WithDefaults<T, K extends keyof T> = Omit<T, K> & { [P in K]-?: Exclude<T[P], undefined> };",
    "/** Header names as Node.js delivers them: lower-cased. */",
    "export type LowercaseKeys<T> = { [K in keyof T as Lowercase<K & string>]: T[K] };",
    "",
  );
  names.add("WithDefaults").add("LowercaseKeys");

  for (const name of Object.keys(spec.components?.schemas ?? {})) {
    add(ALIAS_RENAMES[name] ?? name, `Schema \`${name}\`.`, schemaType(name));
  }
  lines.push("");

  for (const o of listOperations(spec)) {
    const P = pascal(o.id);
    const route = `${o.method.toUpperCase()} ${o.path}`;
    const query = o.byLocation("query");
    if (query.length) {
      const base = `NonNullable<${opType(o.id)}["parameters"]["query"]>`;
      const withDefault = query.filter((p) => p.schema?.default !== undefined).map((p) => p.name);
      add(
        `${P}Query`,
        `${route}: query string after validation${withDefault.length ? " (defaults filled in)" : ""}.`,
        withDefault.length ? `WithDefaults<${base}, ${union(withDefault)}>` : base,
      );
    }
    if (o.byLocation("path").length) {
      add(`${P}Params`, `${route}: path parameters after validation.`, `${opType(o.id)}["parameters"]["path"]`);
    }
    if (o.byLocation("header").length) {
      add(
        `${P}Headers`,
        `${route}: validated request headers (lower-cased names).`,
        `LowercaseKeys<NonNullable<${opType(o.id)}["parameters"]["header"]>>`,
      );
    }
    if (o.bodySchema) {
      const ref = schemaRefName(o.bodySchema);
      const base = ref ? schemaType(ref) : `NonNullable<${opType(o.id)}["requestBody"]>["content"]["application/json"]`;
      const withDefault = defaultedProperties(spec, o.bodySchema);
      add(
        `${P}Body`,
        `${route}: JSON request body after validation${withDefault.length ? " (defaults filled in)" : ""}.`,
        withDefault.length ? `WithDefaults<${base}, ${union(withDefault)}>` : base,
      );
    }
    if (o.successSchema) {
      const ref = schemaRefName(o.successSchema);
      add(
        `${P}Response`,
        `${route}: ${o.successStatus} response body.`,
        ref ? schemaType(ref) : `${opType(o.id)}["responses"][${o.successStatus}]["content"]["application/json"]`,
      );
    }
  }
  return [`${lines.join("\n")}\n`, names];
}
