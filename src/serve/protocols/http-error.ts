/** An HTTP error answer: the status, a message for the client and, for 429/503, Retry-After. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** Seconds for a Retry-After header (429, 503). */
    readonly retryAfter?: number,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}
