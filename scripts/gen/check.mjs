// House rules for openapi.yaml that no off-the-shelf linter knows, plus: every example is valid.
import { COMPONENTS_ID, createAjv, rewriteRefs } from "./ajv.mjs";
import { HTTP_METHODS, listOperations, resolve } from "./load.mjs";

const ALWAYS = ["400", "401", "403", "429"];

/** Throws one error listing every problem found. */
export function checkSpec(spec) {
  const problems = [];
  if (!String(spec.openapi).startsWith("3.1.")) problems.push(`openapi must be 3.1.x, got ${spec.openapi}`);

  const seen = new Set();
  for (const o of listOperations(spec)) {
    const where = `${o.method.toUpperCase()} ${o.path}`;
    if (!o.id || !/^[a-z][A-Za-z0-9]*$/.test(o.id)) problems.push(`${where}: operationId missing or not camelCase`);
    if (seen.has(o.id)) problems.push(`${where}: duplicate operationId ${o.id}`);
    seen.add(o.id);
    if (o.op.tags?.length !== 1) problems.push(`${where}: needs exactly one tag`);
    if (!o.op.summary || !o.op.description) problems.push(`${where}: needs a summary and a description`);
    if (!o.successStatus) problems.push(`${where}: needs a 2xx response`);
    // Public operations (`security: []`) have no key to be unauthorized or forbidden with.
    const isPublic = Array.isArray(o.op.security) && o.op.security.length === 0;
    const always = isPublic ? ALWAYS.filter((c) => c !== "401" && c !== "403") : ALWAYS;
    const codes = [...always, ...(o.byLocation("path").length ? ["404"] : [])];
    for (const code of codes) {
      if (!o.op.responses?.[code]) problems.push(`${where}: missing ${code} response`);
    }
  }

  for (const [name, schema] of Object.entries(spec.components?.schemas ?? {})) {
    if (schema.example === undefined && !schema.examples?.length) problems.push(`schema ${name}: needs examples`);
  }

  problems.push(...checkExamples(spec));
  if (problems.length) throw new Error(`openapi.yaml:\n  ${problems.join("\n  ")}`);
}

/** Validates schema, parameter, header and media-type examples against their schemas. */
function checkExamples(spec) {
  const ajv = createAjv(spec, { allErrors: true });
  const problems = [];
  const validate = (where, schema, value) => {
    const fn = schema.$ref?.startsWith("#/components/schemas/")
      ? ajv.getSchema(`${COMPONENTS_ID}#/$defs/${schema.$ref.slice("#/components/schemas/".length)}`)
      : ajv.compile(rewriteRefs(schema));
    if (!fn(value)) problems.push(`${where}: example invalid: ${ajv.errorsText(fn.errors)}`);
  };

  for (const [name, schema] of Object.entries(spec.components?.schemas ?? {})) {
    const fn = ajv.getSchema(`${COMPONENTS_ID}#/$defs/${name}`); // compiles, so strict mode sees it
    for (const value of [...(schema.examples ?? []), ...(schema.example === undefined ? [] : [schema.example])]) {
      if (!fn(value)) problems.push(`schema ${name}: example invalid: ${ajv.errorsText(fn.errors)}`);
    }
  }

  const mediaExamples = (where, media) => {
    if (!media?.schema) return;
    if (media.example !== undefined) validate(where, media.schema, media.example);
    for (const [key, ex] of Object.entries(media.examples ?? {})) {
      validate(`${where} example ${key}`, media.schema, resolve(spec, ex).value);
    }
  };
  const paramExamples = (where, param) => {
    if (param.example !== undefined) validate(`${where} parameter ${param.name}`, param.schema, param.example);
  };

  for (const [group, items] of [
    ["paths", spec.paths],
    ["webhooks", spec.webhooks],
  ]) {
    for (const [path, rawItem] of Object.entries(items ?? {})) {
      const item = resolve(spec, rawItem);
      for (const p of item.parameters ?? []) paramExamples(`${group} ${path}`, resolve(spec, p));
      for (const method of HTTP_METHODS) {
        const op = item[method];
        if (!op) continue;
        const where = `${group} ${method.toUpperCase()} ${path}`;
        for (const p of op.parameters ?? []) paramExamples(where, resolve(spec, p));
        const body = op.requestBody && resolve(spec, op.requestBody);
        mediaExamples(`${where} request`, body?.content?.["application/json"]);
        for (const [code, raw] of Object.entries(op.responses ?? {})) {
          const response = resolve(spec, raw);
          mediaExamples(`${where} ${code}`, response.content?.["application/json"]);
          for (const [name, header] of Object.entries(response.headers ?? {})) {
            const h = resolve(spec, header);
            if (h.example !== undefined) validate(`${where} ${code} header ${name}`, h.schema, h.example);
          }
        }
      }
    }
  }
  return problems;
}
