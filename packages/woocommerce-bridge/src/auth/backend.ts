/** What the auth routes need from the btpay server (filled in with the routes). */
// biome-ignore lint/suspicious/noEmptyInterface: filled in with the auth routes
export interface AuthBackend {}
