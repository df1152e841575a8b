/** What the refunds routes need from the btpay server (filled in with the routes). */
// biome-ignore lint/suspicious/noEmptyInterface: filled in with the refunds routes
export interface RefundsBackend {}
