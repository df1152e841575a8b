/** What the webhooks routes need from the btpay server (filled in with the routes). */
// biome-ignore lint/suspicious/noEmptyInterface: filled in with the webhooks routes
export interface WebhooksBackend {}
