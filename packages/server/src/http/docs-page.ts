/**
 * A readable, self-contained API reference rendered from the spec at start: no CDN, no script, so it
 * works offline and under the strict CSP. (Swagger UI/Redoc would add ~1 MB of JS for the same facts.)
 */
type Json = Record<string, unknown>;

const esc = (s: unknown): string =>
  String(s ?? "").replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] as string,
  );

function resolve(doc: Json, node: unknown): Json {
  const ref = (node as Json | undefined)?.$ref;
  if (typeof ref !== "string") return (node ?? {}) as Json;
  return ref
    .replace(/^#\//, "")
    .split("/")
    .reduce<Json>((at, key) => (at[key] ?? {}) as Json, doc);
}

function schemaName(node: unknown): string {
  const ref = (node as Json | undefined)?.$ref;
  return typeof ref === "string" ? (ref.split("/").pop() ?? "") : "";
}

function example(doc: Json, content: unknown): string {
  const media = (resolve(doc, content) as Json)["application/json"] as Json | undefined;
  if (!media) return "";
  const ex =
    media.example ??
    Object.values((media.examples ?? {}) as Record<string, Json>)[0]?.value ??
    resolve(doc, media.schema).example;
  return ex === undefined ? "" : `<pre>${esc(JSON.stringify(ex, null, 2))}</pre>`;
}

function operation(doc: Json, method: string, path: string, op: Json): string {
  const params = ((op.parameters ?? []) as unknown[]).map((p) => resolve(doc, p));
  const rows = params
    .map(
      (p) =>
        `<tr><td><code>${esc(p.name)}</code></td><td>${esc(p.in)}</td><td>${esc((p.schema as Json)?.type)}</td><td>${esc(p.description)}</td></tr>`,
    )
    .join("");
  const body = resolve(doc, op.requestBody);
  const responses = Object.entries((op.responses ?? {}) as Json)
    .map(([code, r]) => {
      const resp = resolve(doc, r);
      return `<li><b>${esc(code)}</b> ${esc(resp.description)}${example(doc, resp.content)}</li>`;
    })
    .join("");
  return `<section id="${esc(op.operationId)}"><h3><span class="m ${esc(method)}">${esc(method.toUpperCase())}</span> <code>/api/v1${esc(path)}</code></h3>
<p>${esc(op.summary)}</p><p>${esc(op.description)}</p>
${rows ? `<table><tr><th>parameter</th><th>in</th><th>type</th><th></th></tr>${rows}</table>` : ""}
${body.content ? `<h4>Request body ${esc(schemaName(((body.content as Json)["application/json"] as Json)?.schema))}</h4>${example(doc, body.content)}` : ""}
<h4>Responses</h4><ul>${responses}</ul></section>`;
}

export function renderDocsPage(doc: Json): string {
  const info = (doc.info ?? {}) as Json;
  const sections = Object.entries((doc.paths ?? {}) as Record<string, Json>)
    .flatMap(([path, item]) =>
      Object.entries(item)
        .filter(([m]) => ["get", "post", "put", "patch", "delete"].includes(m))
        .map(([m, op]) => operation(doc, m, path, op as Json)),
    )
    .join("\n");
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(info.title)} API</title><style>
body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1d1d1f}
pre{background:#f5f5f7;padding:.75rem;overflow:auto;border-radius:6px}table{border-collapse:collapse}
td,th{border:1px solid #ddd;padding:.25rem .5rem;text-align:left}section{border-top:1px solid #eee;padding-top:.5rem}
.m{font:bold 12px monospace;padding:.1rem .4rem;border-radius:4px;color:#fff}.get{background:#2b7}.post{background:#27c}.delete{background:#c33}
@media (prefers-color-scheme: dark){body{background:#111;color:#eee}pre{background:#222}td,th{border-color:#333}}
</style></head><body><h1>${esc(info.title)} API <small>${esc(info.version)}</small></h1>
<p>${esc(info.description)}</p><p>Machine-readable: <a href="/api/v1/openapi.json">/api/v1/openapi.json</a>.
Every call needs <code>Authorization: Bearer &lt;API key&gt;</code>.</p>
${sections}</body></html>`;
}
