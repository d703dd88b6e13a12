/**
 * `dag clean-temp` for S3. A writer killed in the middle of a multipart upload leaves the upload
 * pending (invisible to GET and LIST, but its parts are stored and billed) until someone aborts
 * it; a remote staging object (remote-staging.ts) that was never committed, because the engine
 * died, stays as a hidden temp object next to its artifact. This aborts the pending uploads and
 * removes the temp objects under an artifact root that are older than a cutoff.
 */
import type { MultipartUpload } from '@aws-sdk/client-s3';
import { TEMP_NAME } from '../atomic-file.js';
import { loadS3Sdk, s3Client } from './client.js';
import { s3Error } from './errors.js';
import { parseS3Prefix } from './uri.js';

export interface CleanS3Options {
  /** Only entries at least this old (ms): younger ones may still be in use. */
  readonly olderThanMs: number;
  /** List what would be removed, remove nothing. */
  readonly dryRun: boolean;
}

/**
 * Aborts the stale multipart uploads and removes the stale temp objects under `rootUri`
 * (`s3://bucket/prefix`), or with `dryRun` only lists them; returns one line each:
 * `s3://bucket/key (multipart upload <id> started <iso>)`, `s3://bucket/key (temp object
 * written <iso>)`.
 */
export async function cleanS3Temp(rootUri: string, options: CleanS3Options): Promise<string[]> {
  const { bucket, key: prefix } = parseS3Prefix(rootUri);
  const cutoff = Date.now() - options.olderThanMs;
  return [
    ...(await abortStaleUploads(bucket, prefix, cutoff, options.dryRun)),
    ...(await removeStaleTempObjects(bucket, prefix, cutoff, options.dryRun)),
  ];
}

async function abortStaleUploads(
  bucket: string,
  prefix: string,
  cutoff: number,
  dryRun: boolean,
): Promise<string[]> {
  const found: string[] = [];
  for (const upload of await pendingUploads(bucket, prefix)) {
    const started = upload.Initiated;
    if (started === undefined || started.getTime() > cutoff) continue;
    if (!dryRun) await abortUpload(bucket, upload);
    found.push(
      `s3://${bucket}/${upload.Key!} (multipart upload ${upload.UploadId} started ${started.toISOString()})`,
    );
  }
  return found;
}

/**
 * Aborts every pending upload of exactly `key` (a remote staging being discarded). A whole key
 * is a Prefix MinIO matches, so no bucket-wide listing is needed.
 */
export async function abortUploadsOf(bucket: string, key: string): Promise<void> {
  for (const upload of await listUploads(bucket, key)) {
    if (upload.Key === key) await abortUpload(bucket, upload);
  }
}

async function abortUpload(bucket: string, upload: MultipartUpload): Promise<void> {
  const [client, { AbortMultipartUploadCommand }] = await Promise.all([s3Client(), loadS3Sdk()]);
  const key = upload.Key!;
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

/**
 * Temp objects (`.<name>.dagwright-tmp-<pid>-<hex>`, remote staging) last written before the
 * cutoff, by the server's LastModified. The whole prefix is listed: clean-temp is maintenance,
 * not on any run's path.
 */
async function removeStaleTempObjects(
  bucket: string,
  prefix: string,
  cutoff: number,
  dryRun: boolean,
): Promise<string[]> {
  const [client, { DeleteObjectCommand, paginateListObjectsV2 }] = await Promise.all([
    s3Client(),
    loadS3Sdk(),
  ]);
  const stale: { key: string; written: Date }[] = [];
  try {
    const pages = paginateListObjectsV2(
      { client },
      { Bucket: bucket, ...(prefix === '' ? {} : { Prefix: prefix }) },
    );
    for await (const page of pages) {
      for (const { Key: key, LastModified: written } of page.Contents ?? []) {
        if (key === undefined || written === undefined || written.getTime() > cutoff) continue;
        if (TEMP_NAME.test(key.slice(key.lastIndexOf('/') + 1))) stale.push({ key, written });
      }
    }
  } catch (error) {
    throw s3Error(error, { action: 'list temp objects under', bucket, key: prefix });
  }
  const found: string[] = [];
  for (const { key, written } of stale) {
    if (!dryRun) {
      try {
        await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
      } catch (error) {
        throw s3Error(error, { action: 'remove the temp object', bucket, key });
      }
    }
    found.push(`s3://${bucket}/${key} (temp object written ${written.toISOString()})`);
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
