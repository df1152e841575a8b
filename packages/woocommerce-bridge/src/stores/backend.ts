/** What the stores routes need from the btpay server (filled in with the routes). */
// biome-ignore lint/suspicious/noEmptyInterface: filled in with the stores routes
export interface StoresBackend {}
