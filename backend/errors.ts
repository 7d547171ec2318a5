/**
 * The one error type of the backend: carries the HTTP status and the `{ error: { code, message, path } }` body
 * that every 4xx answer has (and 503 when a store the backend depends on does not answer). Anything else thrown is
 * a bug and becomes a 500.
 */
export class ApiError extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 503,
    readonly code: string,
    message: string,
    readonly path = '',
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** The JSON body of this error. */
  toBody(): { error: { code: string; message: string; path: string } } {
    return { error: { code: this.code, message: this.message, path: this.path } };
  }
}

/** A 404 for an entity that does not exist. */
export function notFound(kind: string, id: string, path: string): ApiError {
  return new ApiError(404, 'NOT_FOUND', `${kind} '${id}' does not exist`, path);
}
