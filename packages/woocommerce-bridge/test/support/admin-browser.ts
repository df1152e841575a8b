/**
 * The shop admin's browser in miniature, for the connect flow's pages: keeps btpay's one cookie,
 * follows no redirect, and reads what a browser would act on (the CSRF field, the auto-submitting form).
 */
export class AdminBrowser {
  cookie = "";
  constructor(private readonly base: string) {}

  async request(path: string, form?: Record<string, string>) {
    const res = await fetch(path.startsWith("http") ? path : `${this.base}${path}`, {
      method: form ? "POST" : "GET",
      redirect: "manual",
      headers: {
        ...(this.cookie ? { cookie: this.cookie } : {}),
        ...(form ? { "content-type": "application/x-www-form-urlencoded" } : {}),
      },
      ...(form ? { body: new URLSearchParams(form).toString() } : {}),
    });
    for (const c of res.headers.getSetCookie()) {
      const [pair = ""] = c.split(";");
      this.cookie = /Max-Age=0/.test(c) ? "" : pair;
    }
    return { status: res.status, html: await res.text(), headers: res.headers };
  }
}

/** The page's CSRF field. */
export const csrfOf = (html: string) => /name="csrf" value="([^"]+)"/.exec(html)?.[1] ?? "";

/** The auto-submitting form (`<form id="send">`): its action and its hidden fields, in order. */
export function autoSubmitForm(html: string): { action: string; fields: [string, string][] } {
  const unesc = (s: string) => s.replaceAll("&quot;", '"').replaceAll("&amp;", "&");
  const action = unesc(/<form id="send" method="post" action="([^"]+)"/.exec(html)?.[1] ?? "");
  const fields = [...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map(
    (m): [string, string] => [unesc(m[1] ?? ""), unesc(m[2] ?? "")],
  );
  return { action, fields };
}

/** What the browser does with that form once its script runs: POST it, form-urlencoded, to the action. */
export async function submit(form: { action: string; fields: [string, string][] }): Promise<number> {
  const res = await fetch(form.action, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(form.fields).toString(),
  });
  await res.arrayBuffer();
  return res.status;
}
