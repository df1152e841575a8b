/** An API answer that was not a success, as a typed error (thrown by `unwrap`). */
export class BtpayApiError extends Error {
  override readonly name = "BtpayApiError";
  constructor(
    /** HTTP status (e.g. 400, 401, 404, 429). */
    readonly status: number,
    message: string,
    /** The parsed error body, `{ "error": "..." }` for btpay. */
    readonly body: unknown,
    /** The server's request id (`X-Request-Id`), to quote when asking for help. */
    readonly requestId: string | null,
  ) {
    super(message);
  }
}

interface Result<D> {
  data?: D;
  error?: unknown;
  response: Response;
}

/**
 * The data of a successful call, or a thrown `BtpayApiError`: for code that prefers exceptions.
 * `const invoice = unwrap(await btpay.POST("/invoices", { body }))`.
 */
export function unwrap<D>(result: Result<D>): NonNullable<D> {
  const { data, error, response } = result;
  if (response.ok && data !== undefined && data !== null) return data as NonNullable<D>;
  const message =
    typeof error === "object" && error !== null && typeof (error as { error?: unknown }).error === "string"
      ? (error as { error: string }).error
      : `HTTP ${response.status}`;
  throw new BtpayApiError(response.status, message, error, response.headers.get("x-request-id"));
}
