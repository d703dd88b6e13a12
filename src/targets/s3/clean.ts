/**
 * `dag clean-temp` for S3: a writer killed in the middle of a multipart upload leaves the upload
 * pending (invisible to GET and LIST, but its parts are stored and billed) until someone aborts
 * it. This aborts the pending uploads under an artifact root that were started before a cutoff.
 */
import type { MultipartUpload } from '@aws-sdk/client-s3';
import { loadS3Sdk, s3Client } from './client.js';
import { s3Error } from './errors.js';
import { parseS3Prefix } from './uri.js';

export interface CleanS3Options {
  /** Only uploads started at least this long ago (ms): younger ones may still be running. */
  readonly olderThanMs: number;
  /** List what would be aborted, abort nothing. */
  readonly dryRun: boolean;
}

/**
 * Aborts (or with `dryRun` only lists) the stale multipart uploads under `rootUri`
 * (`s3://bucket/prefix`); returns `s3://bucket/key (multipart upload <id> started <iso>)` each.
 */
export async function cleanS3Temp(rootUri: string, options: CleanS3Options): Promise<string[]> {
  const { bucket, key: prefix } = parseS3Prefix(rootUri);
  const [client, { AbortMultipartUploadCommand }] = await Promise.all([s3Client(), loadS3Sdk()]);
  const cutoff = Date.now() - options.olderThanMs;
  const found: string[] = [];
  for (const upload of await pendingUploads(bucket, prefix)) {
    const key = upload.Key!;
    const started = upload.Initiated;
    if (started === undefined || started.getTime() > cutoff) continue;
    if (!options.dryRun) {
      try {
        await client.send(
          new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: upload.UploadId }),
        );
      } catch (error) {
        // Finished or aborted meanwhile: nothing left to clean.
        if ((error as { name?: string }).name !== 'NoSuchUpload') {
          throw s3Error(error, { action: 'abort the pending upload of', bucket, key });
        }
      }
    }
    found.push(
      `s3://${bucket}/${key} (multipart upload ${upload.UploadId} started ${started.toISOString()})`,
    );
  }
  return found;
}

/**
 * Pending uploads whose key starts with `prefix`. MinIO only matches a Prefix that is a whole
 * key (a folder prefix lists nothing) but lists every upload of the bucket for no Prefix; so
 * when the prefix listing is empty, the bucket's list is filtered here instead.
 *
 * MinIO answers the bucket-wide listing from an in-memory registry of the server process: an
 * upload started before a server restart, or whose creation request was cut off by the kill,
 * is not listed, and only MinIO's own sweeper removes it (after 24 h by default,
 * MINIO_API_STALE_UPLOADS_EXPIRY). Such uploads are never visible as artifacts; they only take
 * space until then.
 */
async function pendingUploads(bucket: string, prefix: string): Promise<MultipartUpload[]> {
  const uploads = await listUploads(bucket, prefix);
  if (uploads.length > 0 || prefix === '') return uploads;
  return (await listUploads(bucket, '')).filter((upload) => upload.Key?.startsWith(prefix));
}

async function listUploads(bucket: string, prefix: string): Promise<MultipartUpload[]> {
  const [client, { ListMultipartUploadsCommand }] = await Promise.all([s3Client(), loadS3Sdk()]);
  const uploads: MultipartUpload[] = [];
  let keyMarker: string | undefined;
  let uploadIdMarker: string | undefined;
  for (;;) {
    let page;
    try {
      page = await client.send(
        new ListMultipartUploadsCommand({
          Bucket: bucket,
          ...(prefix === '' ? {} : { Prefix: prefix }),
          ...(keyMarker === undefined ? {} : { KeyMarker: keyMarker }),
          ...(uploadIdMarker === undefined ? {} : { UploadIdMarker: uploadIdMarker }),
        }),
      );
    } catch (error) {
      throw s3Error(error, { action: 'list pending uploads under', bucket, key: prefix });
    }
    for (const upload of page.Uploads ?? []) {
      if (upload.Key !== undefined && upload.UploadId !== undefined) uploads.push(upload);
    }
    // MinIO may say "truncated" without markers: stop rather than list the same page again.
    const nextKey = page.NextKeyMarker || undefined;
    const nextId = page.NextUploadIdMarker || undefined;
    if (!page.IsTruncated || nextKey === undefined) return uploads;
    if (nextKey === keyMarker && nextId === uploadIdMarker) return uploads;
    keyMarker = nextKey;
    uploadIdMarker = nextId;
  }
}
