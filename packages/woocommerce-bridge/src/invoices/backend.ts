/** What the invoices routes need from the btpay server (filled in with the routes). */
// biome-ignore lint/suspicious/noEmptyInterface: filled in with the invoices routes
export interface InvoicesBackend {}
