/**
 * The `--blobs s3://bucket/prefix?endpoint=...&forcePathStyle=true&region=...` syntax of `runtrail serve`.
 * Credentials never go in the URL: they come from the standard AWS environment (AWS_ACCESS_KEY_ID, ...).
 */

/** Where and how to reach an S3-compatible bucket. */
export interface S3BlobLocation {
  bucket: string;
  /** Key prefix without leading or trailing slash; '' for the bucket root. */
  prefix: string;
  /** Endpoint of an S3-compatible store (MinIO, Ceph, moto...); default AWS (or AWS_ENDPOINT_URL_S3). */
  endpoint?: string;
  /** Address buckets as `endpoint/bucket` instead of `bucket.endpoint` (most self-hosted stores need it). */
  forcePathStyle?: boolean;
  region?: string;
}

const QUERY_KEYS = ['endpoint', 'forcePathStyle', 'region'] as const;

/** Bucket names as S3 allows them (3-63 lowercase letters, digits, dots, hyphens; also what most clones accept). */
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

function fail(problem: string): never {
  throw new Error(`--blobs ${problem}`);
}

function decode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    fail(`prefix has a malformed %-escape in '${part}'`);
  }
}

/** Parses an `s3://` blob URL; an Error starting with `--blobs ` names what is wrong (never echoing secrets). */
export function parseS3BlobUrl(text: string): S3BlobLocation {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    fail(`must be an s3://bucket/prefix URL, got '${text.replace(/\/\/[^@/]*@/, '//***@')}'`);
  }
  if (url.protocol !== 's3:') fail(`must be an s3://bucket/prefix URL, got scheme '${url.protocol}'`);
  if (url.username || url.password) {
    fail('must not contain credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment instead');
  }
  if (url.port) fail(`takes the endpoint as ?endpoint=http://host:port, not a port on the bucket (got ':${url.port}')`);
  const bucket = url.hostname;
  if (!BUCKET.test(bucket)) fail(`bucket '${bucket}' is not a valid bucket name (3-63 of a-z 0-9 . -)`);
  // The URL parser resolves '.' and '..' away (a/../b becomes b): look at the text as given.
  const rawPath = text.slice('s3://'.length).split(/[?#]/)[0]!.split('/').slice(1);
  if (rawPath.some((part) => ['.', '..'].includes(decode(part)))) fail(`prefix '${rawPath.join('/')}' must not contain '.' or '..' segments`);
  const prefix = decode(url.pathname).replace(/^\/+|\/+$/g, '');

  const location: S3BlobLocation = { bucket, prefix };
  for (const key of url.searchParams.keys()) {
    if (!(QUERY_KEYS as readonly string[]).includes(key)) fail(`has unknown option '${key}'; known: ${QUERY_KEYS.join(', ')}`);
  }
  const endpoint = url.searchParams.get('endpoint');
  if (endpoint !== null) {
    let parsed: URL;
    try {
      parsed = new URL(endpoint);
    } catch {
      fail(`option endpoint must be an http(s):// URL, got '${endpoint}'`);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') fail(`option endpoint must be an http(s):// URL, got '${endpoint}'`);
    if (parsed.username || parsed.password) fail('option endpoint must not contain credentials');
    location.endpoint = endpoint;
  }
  const pathStyle = url.searchParams.get('forcePathStyle');
  if (pathStyle !== null) {
    if (pathStyle !== 'true' && pathStyle !== 'false') fail(`option forcePathStyle must be true or false, got '${pathStyle}'`);
    location.forcePathStyle = pathStyle === 'true';
  }
  const region = url.searchParams.get('region');
  if (region !== null) {
    if (!/^[a-z0-9-]+$/.test(region)) fail(`option region must look like us-east-1, got '${region}'`);
    location.region = region;
  }
  return location;
}

/** The location as `s3://bucket/prefix` plus its endpoint, for logs and errors (it holds no secrets). */
export function describeS3Location(location: S3BlobLocation): string {
  const where = `s3://${location.bucket}${location.prefix ? `/${location.prefix}` : ''}`;
  return location.endpoint ? `${where} at ${location.endpoint}` : where;
}
