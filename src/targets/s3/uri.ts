/**
 * `s3://bucket/key` parsing and the key rules every S3 server accepts. MinIO is stricter than
 * AWS (reference/services-s3.md 5h): it rejects empty, `.` and `..` segments and segments over
 * 255 bytes, and silently strips a leading `/`. Checking here turns a confusing 400 (or a key
 * stored under another name) into a one-line error when the target is made.
 */
import { UnsafePathError } from '../../errors.js';

export interface S3Location {
  readonly bucket: string;
  /** The object key, or a key prefix ('' for the whole bucket). */
  readonly key: string;
}

const SCHEME = 's3://';
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const IP_ADDRESS = /^\d+\.\d+\.\d+\.\d+$/;
const MAX_KEY_BYTES = 1024;
const MAX_SEGMENT_BYTES = 255;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

/** Splits and checks an `s3://bucket/key` URI naming one object. */
export function parseS3Uri(uri: string): S3Location {
  const location = splitUri(uri);
  checkKey(location.key, uri);
  return location;
}

/**
 * Splits and checks an `s3://bucket[/prefix[/]]` URI naming a folder (artifact root, lock
 * store): the prefix may be empty; it comes back with a trailing '/' unless empty.
 */
export function parseS3Prefix(uri: string): S3Location {
  const { bucket, key } = splitUri(uri);
  const prefix = key.endsWith('/') ? key.slice(0, -1) : key;
  if (prefix === '') return { bucket, key: '' };
  checkKey(prefix, uri);
  return { bucket, key: prefix + '/' };
}

function splitUri(uri: string): S3Location {
  if (typeof uri !== 'string' || !uri.startsWith(SCHEME)) {
    throw new UnsafePathError(
      `S3 location ${JSON.stringify(uri)} must look like s3://bucket/path/to/object`,
    );
  }
  const rest = uri.slice(SCHEME.length);
  const slash = rest.indexOf('/');
  const bucket = slash < 0 ? rest : rest.slice(0, slash);
  const key = slash < 0 ? '' : rest.slice(slash + 1);
  checkBucket(bucket, uri);
  return { bucket, key };
}

function checkBucket(bucket: string, uri: string): void {
  if (!BUCKET.test(bucket) || bucket.includes('..') || IP_ADDRESS.test(bucket)) {
    throw new UnsafePathError(
      `S3 bucket name ${JSON.stringify(bucket)} in ${JSON.stringify(uri)} is invalid: use 3 to 63 ` +
        `lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit`,
    );
  }
}

function checkKey(key: string, uri: string): void {
  const fail = (why: string): never => {
    throw new UnsafePathError(
      `S3 key in ${JSON.stringify(uri)} ${why}; check the parameter values used to build it`,
    );
  };
  if (key === '') fail('is empty: name an object after the bucket (s3://bucket/path/file)');
  if (key.startsWith('/')) fail("starts with '/' (S3 servers strip or reject it)");
  if (CONTROL.test(key)) fail('contains a control character');
  if (Buffer.byteLength(key) > MAX_KEY_BYTES) fail(`is longer than ${MAX_KEY_BYTES} bytes`);
  for (const segment of key.split('/')) {
    if (segment === '') fail("has an empty segment ('//' or a trailing '/')");
    if (segment === '.' || segment === '..') fail(`has a '${segment}' segment`);
    if (Buffer.byteLength(segment) > MAX_SEGMENT_BYTES)
      fail(`has a segment longer than ${MAX_SEGMENT_BYTES} bytes (hash long values)`);
  }
}
