/**
 * Building blocks shared by every record and request: ids, keys, timestamps, JSON values and the limits
 * that mirror MLflow's (so an MLflow client meets the same rules here).
 */
import { z } from 'zod';

/** Limits enforced on every write path; the numbers are MLflow's so both APIs reject the same inputs. */
export const LIMITS = {
  maxKeyLength: 250,
  maxParamValueLength: 6000,
  maxTagValueLength: 8000,
  maxMetricsPerBatch: 1000,
  maxParamsPerBatch: 100,
  maxTagsPerBatch: 100,
  maxJsonBodyBytes: 1024 * 1024,
  maxCellsPerBatch: 500,
  maxSourceLength: 200_000,
  maxNameLength: 500,
  maxPageSize: 1000,
} as const;

/** An entity id: client-generated (UUIDv7 for runtrail, 32 hex for MLflow), so retries never duplicate. */
export const EntityId = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, 'must be 1-64 characters of letters, digits, "_" or "-"');

/** The characters of a key (MLflow's set). */
export const KEY_PATTERN = /^[\w\-. /:]+$/;

/** A metric, param or tag key: MLflow's character set and length. */
export const Key = z
  .string()
  .min(1, 'must not be empty')
  .max(LIMITS.maxKeyLength, `must be at most ${LIMITS.maxKeyLength} characters`)
  .regex(KEY_PATTERN, 'may contain only letters, digits, "_", "-", ".", " ", "/" and ":"');

/** Milliseconds since the Unix epoch. */
export const Timestamp = z.number().int('must be an integer (ms since epoch)').nonnegative();

/** A display name (experiment, run, model). */
export const Name = z.string().min(1, 'must not be empty').max(LIMITS.maxNameLength);

/** sha256 of a blob's content, lowercase hex: the blob's address. */
export const Sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex characters (sha256)');

/** Any JSON value (param values are JSON, not strings). */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
/** Schema of any JSON value. */
export const JsonValue: z.ZodType<JsonValue> = z.lazy(() =>
  z.union([
    z.string(),
    z.number().refine(Number.isFinite, 'must be a finite number'),
    z.boolean(),
    z.null(),
    z.array(JsonValue),
    z.record(z.string(), JsonValue),
  ]),
);

/** A key-value tag; values are strings as in MLflow. */
export const Tag = z.object({
  key: Key,
  value: z.string().max(LIMITS.maxTagValueLength, `must be at most ${LIMITS.maxTagValueLength} characters`),
});
export type Tag = z.infer<typeof Tag>;
