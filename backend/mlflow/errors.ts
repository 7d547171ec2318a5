/**
 * MLflow's error shape, `{"error_code": "RESOURCE_DOES_NOT_EXIST", "message": "..."}`, with the HTTP statuses
 * MLflow's server uses for each code. runtrail's own ApiErrors are translated, so shared services (the
 * registry) throw one error type for both APIs.
 */
import { ApiError } from '../errors';

/** An error answered in MLflow's shape. */
export class MlflowError extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 413 | 503,
    readonly errorCode: string,
    message: string,
  ) {
    super(message);
    this.name = 'MlflowError';
  }

  /** The JSON body MLflow clients parse. */
  toBody(): { error_code: string; message: string } {
    return { error_code: this.errorCode, message: this.message };
  }
}

/** 404 RESOURCE_DOES_NOT_EXIST. */
export const doesNotExist = (message: string) => new MlflowError(404, 'RESOURCE_DOES_NOT_EXIST', message);
/** 400 INVALID_PARAMETER_VALUE. */
export const invalidParameter = (message: string) => new MlflowError(400, 'INVALID_PARAMETER_VALUE', message);
/** 400 RESOURCE_ALREADY_EXISTS (MLflow answers it with 400, not 409). */
export const alreadyExists = (message: string) => new MlflowError(400, 'RESOURCE_ALREADY_EXISTS', message);

/** Converts any 4xx or 503 error of the backend into MLflow's shape; other errors are returned unchanged. */
export function toMlflowError(error: unknown): unknown {
  if (error instanceof MlflowError || !(error instanceof ApiError)) return error;
  if (error.status === 404) return doesNotExist(error.message);
  if (error.status === 401) return new MlflowError(401, 'UNAUTHENTICATED', error.message);
  if (error.status === 403) return new MlflowError(403, 'PERMISSION_DENIED', error.message);
  if (error.status === 413) return new MlflowError(413, 'INVALID_PARAMETER_VALUE', error.message);
  if (error.status === 503) return new MlflowError(503, 'TEMPORARILY_UNAVAILABLE', error.message);
  if (error.code === 'RESOURCE_ALREADY_EXISTS') return alreadyExists(error.message);
  const where = error.path ? ` (${error.path})` : '';
  return invalidParameter(`${error.message}${error.message.includes(error.path) ? '' : where}`);
}
