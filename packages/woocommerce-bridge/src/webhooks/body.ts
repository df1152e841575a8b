import { type FieldError, GreenfieldValidationError } from "../errors.js";
import type { GreenfieldWebhookInput } from "./backend.js";
import { outboxTypesFor } from "./events.js";

/**
 * The create/update body BTCPay takes: `{url, enabled?, automaticRedelivery?, authorizedEvents?,
 * secret?}`. Defaults are BTCPay's: enabled and automaticRedelivery true, and without
 * `authorizedEvents` every event (with it, `everything` defaults to false). An empty secret counts as
 * none. Event names btpay never emits (payouts, payment requests, ...) are kept as sent and simply
 * never occur. Errors are Greenfield's 422 array.
 */
export function parseWebhookBody(body: unknown): GreenfieldWebhookInput {
  const errors: FieldError[] = [];
  const b = isObject(body) ? body : {};
  if (!isObject(body)) errors.push({ path: "", message: "the body must be a JSON object" });

  const url = typeof b.url === "string" ? b.url.trim() : "";
  if (!isHttpUrl(url)) errors.push({ path: "url", message: "Invalid url: an absolute http(s) URL is required" });

  const enabled = flag(b, "enabled", true, errors);
  const automaticRedelivery = flag(b, "automaticRedelivery", true, errors);

  let everything = true;
  let specificEvents: string[] = [];
  const authorized = b.authorizedEvents;
  if (authorized !== undefined && authorized !== null) {
    if (!isObject(authorized)) {
      errors.push({ path: "authorizedEvents", message: "must be an object {everything, specificEvents}" });
    } else {
      everything = flag(authorized, "everything", false, errors, "authorizedEvents.");
      const specific = authorized.specificEvents;
      if (specific === undefined || specific === null) specificEvents = [];
      else if (!Array.isArray(specific) || !specific.every((e) => typeof e === "string" && e.length > 0)) {
        errors.push({ path: "authorizedEvents.specificEvents", message: "must be an array of event names" });
      } else specificEvents = [...new Set(specific as string[])];
    }
  }

  let secret: string | null = null;
  if (typeof b.secret === "string") secret = b.secret === "" ? null : b.secret;
  else if (b.secret !== undefined && b.secret !== null) errors.push({ path: "secret", message: "must be a string" });
  if (secret !== null && secret.length > 500)
    errors.push({ path: "secret", message: "must be at most 500 characters" });

  if (errors.length > 0) throw new GreenfieldValidationError(errors);
  const settings = { enabled, automaticRedelivery, authorizedEvents: { everything, specificEvents } };
  return { url, settings, outboxTypes: outboxTypesFor(settings), secret };
}

function flag(o: Record<string, unknown>, key: string, fallback: boolean, errors: FieldError[], prefix = ""): boolean {
  const v = o[key];
  if (v === undefined || v === null) return fallback;
  if (typeof v === "boolean") return v;
  errors.push({ path: `${prefix}${key}`, message: "must be true or false" });
  return fallback;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function isHttpUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return u.protocol === "http:" || u.protocol === "https:";
  } catch {
    return false;
  }
}
