import { esc, renderPage } from "./layout.js";

const HEADINGS: Record<number, string> = {
  400: "Please check the amount",
  404: "Not found",
  429: "Too many requests",
};

/**
 * The HTML answer of a failed page request. `message` is a DomainError's (client-safe) message;
 * `back` a same-site path to try again from.
 */
export function renderErrorPage(status: number, message: string, back?: string): string {
  const heading = HEADINGS[status] ?? "Something went wrong";
  return renderPage({
    title: heading,
    body: `<h1>${esc(heading)}</h1>
<p class="error" role="alert">${esc(message)}</p>
${back ? `<a class="button" href="${esc(back)}">Try again</a>` : ""}`,
  });
}
