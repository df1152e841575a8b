/** What the connect routes need from the btpay server (filled in with the routes). */
// biome-ignore lint/suspicious/noEmptyInterface: filled in with the connect routes
export interface ConnectBackend {}
