/**
 * Publishing an object that is already on the server under another key, without its bytes
 * passing through this process (remote staging). CopyObject cannot do it: MinIO ignores its
 * `If-None-Match` and overwrites (reference/services-s3.md 5f). A multipart upload built from
 * UploadPartCopy parts and finished by a conditional CompleteMultipartUpload is honoured by
 * MinIO and AWS alike; the client only names byte ranges of the source.
 */
import type { CompletedPart, S3Client } from '@aws-sdk/client-s3';
import { ArtifactExistsError } from '../../errors.js';
import { loadS3Sdk, s3Client, type S3Sdk } from './client.js';
import {
  S3RequestError,
  isConditionalConflict,
  isPreconditionFailed,
  s3CodeOf,
  s3Error,
} from './errors.js';
import { CONFLICT_RETRIES, QUEUE_SIZE, delay, headObject, type ObjectRef } from './objects.js';

const MiB = 1024 * 1024;
/** Default range per UploadPartCopy: a server-side copy this size ends well within a request timeout. */
export const COPY_PART_SIZE = 128 * MiB;
/** S3's limits: every part but the last at least MIN_PART_SIZE, none above MAX_PART_SIZE. */
export const MIN_PART_SIZE = 5 * MiB;
export const MAX_PART_SIZE = 5 * 1024 * MiB;
const MAX_PARTS = 10_000;
/**
 * User metadata naming the copy an object came from: a completion whose answer was lost (then
 * retried: 412 or NoSuchUpload), or a commit repeated after a crash, is recognised as done.
 */
export const MARKER_KEY = 'dagwright-staging';

export interface CopySource extends ObjectRef {
  readonly size: number;
  /** The version to copy: every part asks for it, so a source replaced meanwhile fails the copy. */
  readonly etag: string;
  readonly contentType?: string | undefined;
  readonly metadata?: Record<string, string> | undefined;
}

export interface CopyOptions {
  /** Bytes per UploadPartCopy, MIN_PART_SIZE..MAX_PART_SIZE; raised when 10,000 parts would not do. */
  readonly partSize: number;
  /** ASCII; stored under MARKER_KEY on the published object. */
  readonly marker: string;
}

/** An inclusive byte range; undefined: the whole source (one part, any size, also empty). */
export type PartRange = { readonly start: number; readonly end: number } | undefined;

const uri = (ref: ObjectRef): string => `s3://${ref.bucket}/${ref.key}`;

/**
 * Copies `source` to `dest` unless `dest` exists: ArtifactExistsError if it does, unless it is
 * this very copy (same marker), published earlier. The multipart upload is aborted on any
 * failure, never left pending.
 */
export async function copyIfAbsent(
  source: CopySource,
  dest: ObjectRef,
  options: CopyOptions,
): Promise<void> {
  const ranges = partRanges(source.size, options.partSize);
  // A 412 only comes at the completion, after every part was copied: look first. The
  // conditional completion remains the guard against a racing writer.
  if (await publishedAlready(dest, options.marker)) return;
  const [client, sdk] = await Promise.all([s3Client(), loadS3Sdk()]);
  let uploadId: string | undefined;
  try {
    const created = await client.send(
      new sdk.CreateMultipartUploadCommand({
        Bucket: dest.bucket,
        Key: dest.key,
        ...(source.contentType === undefined ? {} : { ContentType: source.contentType }),
        Metadata: { ...source.metadata, [MARKER_KEY]: options.marker },
      }),
    );
    uploadId = created.UploadId;
  } catch (error) {
    throw s3Error(error, { action: 'start publishing', ...dest });
  }
  if (uploadId === undefined) {
    throw new S3RequestError(`S3 started no upload for ${uri(dest)}`, 'NoUploadId', undefined);
  }
  let done = false;
  try {
    const parts = await copyParts(client, sdk, source, dest, uploadId, ranges);
    await complete(client, sdk, dest, uploadId, parts, options.marker);
    done = true;
  } finally {
    if (!done) await abortQuietly(client, sdk, dest, uploadId);
  }
}

/** The byte ranges of the parts: as few as the part size allows, at most 10,000. */
export function partRanges(size: number, partSize: number): PartRange[] {
  if (!(partSize >= MIN_PART_SIZE && partSize <= MAX_PART_SIZE)) {
    throw new RangeError(
      `copy part size ${partSize} is outside S3's limits: use ${MIN_PART_SIZE} to ${MAX_PART_SIZE} bytes`,
    );
  }
  if (size <= partSize) return [undefined];
  const step = Math.max(partSize, Math.ceil(size / MAX_PARTS));
  if (step > MAX_PART_SIZE) {
    throw new RangeError(`an object of ${size} bytes is larger than S3 can copy in parts`);
  }
  const ranges: PartRange[] = [];
  for (let start = 0; start < size; start += step) {
    ranges.push({ start, end: Math.min(size, start + step) - 1 });
  }
  return ranges;
}

/**
 * `true` if `dest` is the copy made with `marker`; `false` if it does not exist;
 * ArtifactExistsError if it is someone else's.
 */
async function publishedAlready(dest: ObjectRef, marker: string): Promise<boolean> {
  const head = await headObject(dest);
  if (head === undefined) return false;
  if (head.Metadata?.[MARKER_KEY] === marker) return true;
  throw new ArtifactExistsError(uri(dest));
}

/** UploadPartCopy of every range, QUEUE_SIZE at a time; on a failure, no new part starts. */
async function copyParts(
  client: S3Client,
  sdk: S3Sdk,
  source: CopySource,
  dest: ObjectRef,
  uploadId: string,
  ranges: readonly PartRange[],
): Promise<CompletedPart[]> {
  const parts = new Array<CompletedPart>(ranges.length);
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (failure === undefined && next < ranges.length) {
      const index = next++;
      try {
        parts[index] = await copyPart(client, sdk, source, dest, uploadId, index, ranges[index]);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  // Every copy has settled before the caller aborts: a part finishing after the abort could
  // otherwise outlive it (AWS documents this).
  await Promise.all(Array.from({ length: Math.min(QUEUE_SIZE, ranges.length) }, worker));
  if (failure !== undefined) throw failure.error;
  return parts;
}

async function copyPart(
  client: S3Client,
  sdk: S3Sdk,
  source: CopySource,
  dest: ObjectRef,
  uploadId: string,
  index: number,
  range: PartRange,
): Promise<CompletedPart> {
  let result;
  try {
    result = await client.send(
      new sdk.UploadPartCopyCommand({
        Bucket: dest.bucket,
        Key: dest.key,
        UploadId: uploadId,
        PartNumber: index + 1,
        CopySource: `${source.bucket}/${encodeKey(source.key)}`,
        CopySourceIfMatch: source.etag,
        ...(range === undefined ? {} : { CopySourceRange: `bytes=${range.start}-${range.end}` }),
      }),
    );
  } catch (error) {
    if (isPreconditionFailed(error)) {
      throw new S3RequestError(
        `${uri(source)} was replaced while being published to ${uri(dest)}: publish it again`,
        'PreconditionFailed',
        412,
      );
    }
    throw s3Error(error, { action: `publish ${uri(dest)} from`, ...source });
  }
  const { ETag, LastModified: _, ...checksums } = result.CopyPartResult ?? {};
  if (ETag === undefined) {
    throw new S3RequestError(
      `S3 returned no ETag for part ${index + 1} of ${uri(dest)}`,
      'NoETag',
      undefined,
    );
  }
  // Checksums only come back when the upload has an algorithm; the completion must repeat them.
  return { PartNumber: index + 1, ETag, ...checksums };
}

/** CompleteMultipartUpload `If-None-Match: *`; ArtifactExistsError if the name was taken. */
async function complete(
  client: S3Client,
  sdk: S3Sdk,
  dest: ObjectRef,
  uploadId: string,
  parts: CompletedPart[],
  marker: string,
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await client.send(
        new sdk.CompleteMultipartUploadCommand({
          Bucket: dest.bucket,
          Key: dest.key,
          UploadId: uploadId,
          IfNoneMatch: '*',
          MultipartUpload: { Parts: parts },
        }),
      );
      return;
    } catch (error) {
      if (isConditionalConflict(error) && attempt < CONFLICT_RETRIES) {
        await delay(100 * 2 ** attempt);
        continue;
      }
      // The name is taken, or the upload is gone: possibly by this very completion, whose
      // answer was lost and which the SDK then sent again. The marker tells.
      const settled =
        isPreconditionFailed(error) ||
        isConditionalConflict(error) ||
        s3CodeOf(error) === 'NoSuchUpload';
      if (settled && (await publishedAlready(dest, marker))) return;
      throw s3Error(error, { action: 'publish', ...dest, publish: true });
    }
  }
}

/** Best effort: the error that got us here matters more; `dag clean-temp` aborts what is left. */
async function abortQuietly(
  client: S3Client,
  sdk: S3Sdk,
  dest: ObjectRef,
  uploadId: string,
): Promise<void> {
  try {
    await client.send(
      new sdk.AbortMultipartUploadCommand({
        Bucket: dest.bucket,
        Key: dest.key,
        UploadId: uploadId,
      }),
    );
  } catch {
    // NoSuchUpload (completed after all) or unreachable: nothing more to do here.
  }
}

/** CopySource is `bucket/key`, URL-encoded; each segment alone, so the slashes stay. */
function encodeKey(key: string): string {
  return key.split('/').map(encodeURIComponent).join('/');
}
