import type { AuthorizeRequest } from "./authorize-request.js";
import type { ConnectStore, ConnectUser } from "./backend.js";
import { esc, renderPage, STYLE_SRC, sha256 } from "./page-layout.js";
import { GREENFIELD_STORE_POLICIES } from "./permissions.js";

const action = (ask: AuthorizeRequest) => `/api-keys/authorize${ask.query}`;
const appName = (ask: AuthorizeRequest) => `<strong>${esc(ask.applicationName)}</strong>`;
const destination = (ask: AuthorizeRequest) => `<code>${esc(ask.redirect.origin)}</code>`;

/** Leaving without a key, from either page: back to the app (see routes.ts). */
const cancelButton = `<button class="quiet" type="submit" name="step" value="cancel" formnovalidate>Cancel</button>`;

export function loginPage(ask: AuthorizeRequest, csrf: string, error?: string): string {
  return renderPage({
    title: "Sign in · btpay",
    body: `<h1>Sign in</h1>
<p>${appName(ask)} asks for access to one of your btpay stores. Sign in as the store's owner to continue.</p>
${error ? `<p class="error" role="alert">${esc(error)}</p>` : ""}
<form method="post" action="${esc(action(ask))}">
<input type="hidden" name="csrf" value="${esc(csrf)}">
<label for="email">Email</label><input id="email" name="email" type="email" autocomplete="username" required autofocus>
<label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit" name="step" value="login">Sign in</button>
${cancelButton}
</form>`,
  });
}

export function consentPage(
  ask: AuthorizeRequest,
  user: ConnectUser,
  stores: ConnectStore[],
  csrf: string,
  error?: string,
): string {
  const permissions = ask.permissions.granted
    .map((p) => `<li>${esc(GREENFIELD_STORE_POLICIES[p])} <span class="muted">(${esc(p)})</span></li>`)
    .join("");
  const ignored = ask.permissions.ignored.length
    ? `<p class="muted">Not granted (btpay does not offer them): ${ask.permissions.ignored.map(esc).join(", ")}</p>`
    : "";
  const choice = stores
    .map(
      (s, i) =>
        `<label><input type="radio" name="storeId" value="${esc(s.id)}" required${i === 0 ? " checked" : ""}> ${esc(
          s.name,
        )} <span class="muted">${esc(s.id)}</span></label>`,
    )
    .join("");
  const form = stores.length
    ? `<fieldset><legend>Store</legend>${choice}</fieldset>
<button type="submit" name="step" value="authorize">Authorize</button>`
    : `<p class="error">You own no store${ask.permissions.stores.length ? " the application asked for" : ""}. A store is given an owner with <code>btpay store set-owner --store &lt;id&gt; --email ${esc(user.email)}</code>.</p>`;
  return renderPage({
    title: `Authorize ${ask.applicationName} · btpay`,
    body: `<h1>Authorize ${esc(ask.applicationName)}</h1>
<p>${appName(ask)} asks for these permissions on one of your stores:</p>
<ul class="permissions">${permissions}</ul>
${ignored}
<p class="muted">The new API key will be sent to ${destination(ask)}. You can revoke it at any time with <code>btpay api-key revoke</code>.</p>
${error ? `<p class="error" role="alert">${esc(error)}</p>` : ""}
<form method="post" action="${esc(action(ask))}">
<input type="hidden" name="csrf" value="${esc(csrf)}">
${form}
${cancelButton}
<p class="muted">Signed in as ${esc(user.email)} · <button class="link" type="submit" name="step" value="logout" formnovalidate>Sign out</button></p>
</form>`,
  });
}

/** The only script btpay's pages inline: submit the key form at once (its hash is in the CSP). */
const SUBMIT_SCRIPT = `document.getElementById("send").submit();`;

/**
 * The answer to Authorize, as BTCPay's "PostRedirect" view: a form that posts `apiKey`, `userId`
 * and `permissions[]` (each `policy:storeId`) to the app's redirect URL, submitted by script at
 * once, with a button for browsers without script. Its CSP allows that one script by hash and
 * forms to any http(s) destination: the shop's URL often redirects on (http to https, to www), and
 * browsers check form-action on those redirects too.
 */
export function postRedirectPage(redirect: URL, fields: [string, string][]): { html: string; csp: string } {
  const inputs = fields
    .map(([name, value]) => `<input type="hidden" name="${esc(name)}" value="${esc(value)}">`)
    .join("\n");
  const html = renderPage({
    title: "Returning to the application · btpay",
    body: `<h1>Key created</h1>
<p>Sending it to <code>${esc(redirect.origin)}</code>…</p>
<form id="send" method="post" action="${esc(redirect.href)}">
${inputs}
<button type="submit">Continue</button>
</form>
<script>${SUBMIT_SCRIPT}</script>`,
  });
  const csp = [
    "default-src 'none'",
    `style-src ${STYLE_SRC}`,
    `script-src ${sha256(SUBMIT_SCRIPT)}`,
    "form-action http: https:",
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join("; ");
  return { html, csp };
}
