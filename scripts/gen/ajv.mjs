// Ajv 2020 instances that know the spec's component schemas.
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";

/** `$id` under which `components.schemas` is registered (as `$defs`). Never fetched. */
export const COMPONENTS_ID = "https://btpay.invalid/openapi/components.json";

/** Deep copy of `node` with `#/components/schemas/X` refs pointed at the registered components. */
export function rewriteRefs(node) {
  if (Array.isArray(node)) return node.map(rewriteRefs);
  if (node === null || typeof node !== "object") return node;
  const out = {};
  for (const [key, value] of Object.entries(node)) {
    out[key] =
      key === "$ref" && typeof value === "string" && value.startsWith("#/components/schemas/")
        ? `${COMPONENTS_ID}#/$defs/${value.slice("#/components/schemas/".length)}`
        : rewriteRefs(value);
  }
  return out;
}

/**
 * A strict Ajv 2020 instance with ajv-formats and the component schemas registered.
 * `options` override the defaults (e.g. coerceTypes for query strings, code for standalone).
 */
export function createAjv(spec, options = {}) {
  const ajv = new Ajv2020({
    strict: true,
    // DecimalInput is `type: [string, number]`; unions give clearer errors than oneOf.
    allowUnionTypes: true,
    allErrors: false,
    removeAdditional: false,
    ...options,
  });
  addFormats(ajv);
  // OpenAPI-only annotation keywords that may appear inside schemas.
  ajv.addVocabulary(["example", "xml", "externalDocs", "discriminator"]);
  ajv.addSchema({ $id: COMPONENTS_ID, $defs: rewriteRefs(spec.components?.schemas ?? {}) });
  return ajv;
}
