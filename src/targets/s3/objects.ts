/**
 * The few object operations targets, the store and the lock store share, with the S3 rules of
 * reference/services-s3.md built in: a HEAD 404 is "missing" only once the bucket is known to
 * exist; a HEAD 403 is an error, never "missing"; publishing is a conditional PutObject or a
 * conditional multipart completion (never CopyObject, which MinIO does not condition).
 */
import type { HeadObjectCommandOutput } from '@aws-sdk/client-s3';
import type { Readable } from 'node:stream';
import { ArtifactExistsError } from '../../errors.js';
import { loadLibStorage, loadS3Sdk, s3Client } from './client.js';
import {
  S3BucketMissingError,
  httpStatusOf,
  bucketMissing,
  isConditionalConflict,
  isNotFound,
  s3Error,
} from './errors.js';
import { settingsGeneration } from '../settings.js';

/** Parts of multipart uploads; bodies up to this size go in one PutObject. */
export const PART_SIZE = 8 * 1024 * 1024;
/** Parts in flight per upload; a stream's upload holds about PART_SIZE × (QUEUE_SIZE + 2). */
export const QUEUE_SIZE = 4;
/** Attempts of a conditional write that AWS answers 409 (racing writers) before looking. */
export const CONFLICT_RETRIES = 3;

export interface ObjectRef {
  readonly bucket: string;
  readonly key: string;
}

const uri = (ref: ObjectRef): string => `s3://${ref.bucket}/${ref.key}`;

let checkedBuckets = { generation: -1, buckets: new Map<string, Promise<void>>() };

/**
 * Rejects with S3BucketMissingError when the bucket does not exist; asked once per bucket and
 * settings generation. A 403 proves nothing either way (no s3:ListBucket permission) and passes.
 */
export function checkBucket(bucket: string): Promise<void> {
  if (checkedBuckets.generation !== settingsGeneration()) {
    checkedBuckets = { generation: settingsGeneration(), buckets: new Map() };
  }
  let check = checkedBuckets.buckets.get(bucket);
  if (!check) {
    check = headBucket(bucket);
    checkedBuckets.buckets.set(bucket, check);
    // Only a definite answer is remembered; a network error is asked again next time.
    const buckets = checkedBuckets.buckets;
    check.catch((error: unknown) => {
      if (!(error instanceof S3BucketMissingError) && buckets.get(bucket) === check)
        buckets.delete(bucket);
    });
  }
  return check;
}

async function headBucket(bucket: string): Promise<void> {
  const [client, { HeadBucketCommand }] = await Promise.all([s3Client(), loadS3Sdk()]);
  try {
    await client.send(new HeadBucketCommand({ Bucket: bucket }));
  } catch (error) {
    if (httpStatusOf(error) === 404) throw bucketMissing(bucket);
    if (httpStatusOf(error) === 403) return;
    throw s3Error(error, { action: 'check the bucket', bucket });
  }
}

/** HeadObject: `true` if the object exists, `false` if not (and the bucket does). */
export async function objectExists(ref: ObjectRef): Promise<boolean> {
  return (await headObject(ref)) !== undefined;
}

/** HeadObject's answer (size, ETag, metadata); undefined if missing (and the bucket exists). */
export async function headObject(ref: ObjectRef): Promise<HeadObjectCommandOutput | undefined> {
  const [client, { HeadObjectCommand }] = await Promise.all([s3Client(), loadS3Sdk()]);
  try {
    return await client.send(new HeadObjectCommand({ Bucket: ref.bucket, Key: ref.key }));
  } catch (error) {
    if (!isNotFound(error)) throw s3Error(error, { action: 'check', ...ref });
  }
  await checkBucket(ref.bucket);
  return undefined;
}

/** GetObject's body as a Node stream. */
export async function getObjectStream(ref: ObjectRef, signal?: AbortSignal): Promise<Readable> {
  const [client, { GetObjectCommand }] = await Promise.all([s3Client(), loadS3Sdk()]);
  try {
    const response = await client.send(
      new GetObjectCommand({ Bucket: ref.bucket, Key: ref.key }),
      signal ? { abortSignal: signal } : {},
    );
    return response.Body as Readable;
  } catch (error) {
    throw s3Error(error, { action: 'read', ...ref });
  }
}

export async function getObjectBytes(ref: ObjectRef): Promise<Buffer> {
  const [client, { GetObjectCommand }] = await Promise.all([s3Client(), loadS3Sdk()]);
  try {
    const response = await client.send(new GetObjectCommand({ Bucket: ref.bucket, Key: ref.key }));
    const bytes = await response.Body!.transformToByteArray();
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  } catch (error) {
    throw s3Error(error, { action: 'read', ...ref });
  }
}

/**
 * Creates the object unless it exists (PutObject `If-None-Match: *`): ArtifactExistsError if it
 * does. A 409 (AWS, racing conditional writes) is retried; if it persists, the object is
 * looked at: present means someone else won.
 */
export async function putIfAbsent(ref: ObjectRef, body: Uint8Array): Promise<void> {
  const [client, { PutObjectCommand }] = await Promise.all([s3Client(), loadS3Sdk()]);
  for (let attempt = 1; ; attempt++) {
    try {
      await client.send(
        new PutObjectCommand({
          Bucket: ref.bucket,
          Key: ref.key,
          Body: body,
          ContentLength: body.byteLength,
          IfNoneMatch: '*',
        }),
      );
      return;
    } catch (error) {
      if (!isConditionalConflict(error))
        throw s3Error(error, { action: 'write', ...ref, publish: true });
      if (attempt < CONFLICT_RETRIES) {
        await delay(100 * 2 ** attempt);
        continue;
      }
      if (await objectExists(ref)) throw new ArtifactExistsError(uri(ref));
      throw s3Error(error, { action: 'write', ...ref, publish: true });
    }
  }
}

/**
 * Creates the object unless it exists, from a stream or a large buffer: a lib-storage upload
 * whose completion is conditional (`If-None-Match: *`); bodies under one part become a
 * conditional PutObject. On any failure lib-storage aborts the multipart upload before `done()`
 * settles, so nothing is left pending; a rejected completion (412) too. An error of `body` makes
 * the upload fail (and abort): destroy the body WITH an error to cancel, since a body that just
 * ends would be published as it is.
 */
export async function uploadIfAbsent(
  ref: ObjectRef,
  body: Readable | Uint8Array,
  contentLength?: number,
): Promise<void> {
  const [client, { Upload }] = await Promise.all([s3Client(), loadLibStorage()]);
  const upload = new Upload({
    client,
    params: {
      Bucket: ref.bucket,
      Key: ref.key,
      Body: body,
      IfNoneMatch: '*',
      ...(contentLength === undefined ? {} : { ContentLength: contentLength }),
    },
    partSize: PART_SIZE,
    queueSize: QUEUE_SIZE,
  });
  try {
    await upload.done();
  } catch (error) {
    // Re-uploading a stream is not possible; a persistent 409 is settled by looking.
    if (isConditionalConflict(error) && (await objectExists(ref))) {
      throw new ArtifactExistsError(uri(ref));
    }
    throw s3Error(error, { action: 'write', ...ref, publish: true });
  }
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
