import type { GreenfieldBackend } from "@btpay/woocommerce-bridge";
import type { GreenfieldDeps } from "./deps.js";

/** Placeholder: filled in with this area of the Greenfield API. */
export function connectBackend(_deps: GreenfieldDeps): GreenfieldBackend["connect"] {
  return {};
}
