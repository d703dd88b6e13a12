/**
 * AWS SDK errors as one-line dagwright errors. The SDK's errors are objects with a name, an HTTP
 * status and sometimes an XML body; what a user needs is which object, which server, and what to
 * fix. Messages are composed here, never copied wholesale, and anything that could carry a
 * credential is scrubbed: the original error is deliberately not attached as `cause`, because
 * its raw response may be logged by whoever prints the chain.
 */
import { ArtifactExistsError, DagwrightError, ExitCode, UsageError } from '../../errors.js';
import { s3EndpointLabel, s3RequestTimeoutMs } from './client.js';

/** The credentials were refused (wrong key, wrong secret, expired token, no permission). */
export class S3AccessError extends UsageError {
  readonly code: string;

  constructor(message: string, code: string) {
    super(message);
    this.code = code;
  }
}

/** The bucket of an artifact, lock store or root does not exist at the endpoint. */
export class S3BucketMissingError extends UsageError {
  readonly bucket: string;

  constructor(message: string, bucket: string) {
    super(message);
    this.bucket = bucket;
  }
}

/** The server could not be reached, or did not answer in time. */
export class S3ConnectionError extends DagwrightError {
  readonly code: string;

  constructor(message: string, code: string) {
    super(message, ExitCode.taskFailed);
    this.code = code;
  }
}

/** Any other failed request; `code` is the S3 error code (`NoSuchKey`, `InternalError`, ...). */
export class S3RequestError extends DagwrightError {
  readonly code: string;
  readonly status: number | undefined;

  constructor(message: string, code: string, status: number | undefined) {
    super(message, ExitCode.taskFailed);
    this.code = code;
    this.status = status;
  }
}

/** What was being done, for the message. */
export interface S3Operation {
  /** A verb phrase: `read`, `write`, `check`, `list`, `take the lease`. */
  readonly action: string;
  readonly bucket: string;
  readonly key?: string;
  /** A conditional create: 412 means the artifact exists. */
  readonly publish?: boolean;
}

interface SdkError {
  readonly name?: unknown;
  readonly code?: unknown;
  readonly Code?: unknown;
  readonly message?: unknown;
  readonly errors?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: number };
}

const ACCESS_CODES = new Set([
  'AccessDenied',
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'InvalidToken',
  'ExpiredToken',
  'TokenRefreshRequired',
  'AllAccessDisabled',
]);
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'ETIMEDOUT',
]);

export function httpStatusOf(error: unknown): number | undefined {
  return (error as SdkError | undefined)?.$metadata?.httpStatusCode;
}

/** S3 error code, else the error's name (`NotFound`, `TimeoutError`), else `Error`. */
export function s3CodeOf(error: unknown): string {
  const e = (error ?? {}) as SdkError;
  if (typeof e.Code === 'string' && e.Code !== '') return e.Code;
  if (typeof e.name === 'string' && e.name !== '' && e.name !== 'Error') return e.name;
  if (typeof e.code === 'string') return e.code;
  return 'Error';
}

/** `true` for the answer to a failed `If-None-Match` / `If-Match` condition. */
export function isPreconditionFailed(error: unknown): boolean {
  return (error as SdkError)?.name === 'PreconditionFailed' && httpStatusOf(error) === 412;
}

/** AWS may answer 409 when conditional writes to one key race; retry, then look again. */
export function isConditionalConflict(error: unknown): boolean {
  return httpStatusOf(error) === 409 && s3CodeOf(error) === 'ConditionalRequestConflict';
}

/** HEAD and GET of a missing key (a missing bucket also gives `NotFound` on HEAD). */
export function isNotFound(error: unknown): boolean {
  const code = s3CodeOf(error);
  return httpStatusOf(error) === 404 && (code === 'NotFound' || code === 'NoSuchKey');
}

/** The dagwright error for a failed S3 request. Errors that are already ours pass through. */
export function s3Error(error: unknown, operation: S3Operation): Error {
  if (error instanceof DagwrightError) return error;
  const status = httpStatusOf(error);
  const code = s3CodeOf(error);
  const where = `s3://${operation.bucket}${operation.key === undefined ? '' : '/' + operation.key}`;
  if (operation.publish && isPreconditionFailed(error) && operation.key !== undefined) {
    return new ArtifactExistsError(where);
  }
  if (code === 'NoSuchBucket') {
    return bucketMissing(operation.bucket);
  }
  if (status === 403 || ACCESS_CODES.has(code)) {
    const shown = code === 'Unknown' || code === 'Error' ? `HTTP ${status ?? 403}` : code;
    return new S3AccessError(
      `S3 denied access to ${where} (${shown}): check the credentials in ` +
        `AWS_ACCESS_KEY_ID/AWS_PROFILE and their permissions`,
      shown,
    );
  }
  if (status === undefined) {
    const network = networkCodeOf(error);
    if (code === 'TimeoutError' || network === 'ETIMEDOUT') {
      return new S3ConnectionError(
        `S3 at ${s3EndpointLabel()} did not answer within ${s3RequestTimeoutMs()} ms ` +
          `when trying to ${operation.action} ${where}`,
        'ETIMEDOUT',
      );
    }
    if (network !== undefined) {
      return new S3ConnectionError(
        `cannot reach S3 at ${s3EndpointLabel()} (${network}) to ${operation.action} ${where}: ` +
          `check that the server runs and the endpoint (AWS_ENDPOINT_URL_S3 or the s3.endpoint setting)`,
        network,
      );
    }
  }
  if (status === 404 && (code === 'NoSuchKey' || code === 'NotFound')) {
    return new S3RequestError(
      `cannot ${operation.action} ${where}: no such object`,
      'NoSuchKey',
      status,
    );
  }
  const detail = scrub(messageText(error));
  const statusText = status === undefined ? '' : ` (HTTP ${status})`;
  return new S3RequestError(
    `S3 ${code}${statusText} when trying to ${operation.action} ${where}` +
      (detail && detail !== 'UnknownError' ? `: ${detail}` : ''),
    code,
    status,
  );
}

export function bucketMissing(bucket: string): S3BucketMissingError {
  return new S3BucketMissingError(
    `S3 bucket '${bucket}' does not exist at ${s3EndpointLabel()}: create it or fix the artifact root`,
    bucket,
  );
}

/** A Node network error code, also inside the AggregateError of a multi-address connect. */
function networkCodeOf(error: unknown): string | undefined {
  const e = error as SdkError | undefined;
  if (typeof e?.code === 'string' && NETWORK_CODES.has(e.code)) return e.code;
  if (Array.isArray(e?.errors)) {
    for (const inner of e.errors) {
      const code = networkCodeOf(inner);
      if (code !== undefined) return code;
    }
  }
  return undefined;
}

function messageText(error: unknown): string {
  const message = (error as SdkError | undefined)?.message;
  return typeof message === 'string' ? message : String(error);
}

const USERINFO = /\/\/[^/\s@]*@/g;
const AWS_KEY_ID = /\b(?:AKIA|ASIA|AROA|AIDA)[A-Z0-9]{12,}\b/g;
const SIGNATURE_PARTS = /\b(Credential|Signature|X-Amz-Credential|X-Amz-Signature)=[^\s,&]+/gi;

/** One line, no credentials: known secrets, key-id shapes, URL userinfo and signatures go. */
export function scrub(text: string): string {
  let result = text.replace(/\s+/g, ' ').trim();
  for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN']) {
    const secret = process.env[name];
    if (secret && secret.length >= 3) result = result.split(secret).join('***');
  }
  result = result
    .replace(USERINFO, '//')
    .replace(AWS_KEY_ID, '***')
    .replace(SIGNATURE_PARTS, '$1=***');
  return result.length > 300 ? result.slice(0, 297) + '...' : result;
}
