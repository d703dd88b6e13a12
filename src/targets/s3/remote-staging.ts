/**
 * Remote staging on S3: a program on another machine writes the output as a hidden sibling of
 * the artifact, `.<name>.dagwright-tmp-<pid>-<hex>` (tempPathFor, the temp naming of every
 * store). That name is never the artifact's own key nor a prefix-path of another key, so bulk
 * existence never mistakes it for the artifact, and `dag clean-temp` finds it when the engine
 * died before committing. commit() publishes it server-side (copy-publish.ts).
 */
import { ArtifactExistsError, UsageError } from '../../errors.js';
import { isTempPathFor, TEMP_NAME, tempPathFor } from '../atomic-file.js';
import type { RemoteStaging } from '../target.js';
import { abortUploadsOf } from './clean.js';
import { loadS3Sdk, s3Client } from './client.js';
import { COPY_PART_SIZE, MARKER_KEY, copyIfAbsent } from './copy-publish.js';
import { s3Error } from './errors.js';
import { headObject, objectExists, type ObjectRef } from './objects.js';
import { parseS3Uri } from './uri.js';

/** What remote staging needs of an S3Target. */
export interface S3Artifact extends ObjectRef {
  readonly uri: string;
}

export interface S3StagingOptions {
  /** Bytes per server-side part copy (copy-publish.ts); tests force several parts with it. */
  readonly partSize?: number;
}

/**
 * A new staging location for `target`, or with `uri` the one made earlier under that uri;
 * UsageError if `uri` is not a staging location of `target`.
 */
export async function stageS3Remote(
  target: S3Artifact,
  uri?: string,
  options: S3StagingOptions = {},
): Promise<RemoteStaging> {
  const key = uri === undefined ? newStagingKey(target) : stagingKeyOf(target, uri);
  return new S3RemoteStaging(target, key, options.partSize ?? COPY_PART_SIZE);
}

function newStagingKey(target: S3Artifact): string {
  const key = tempPathFor(target.key);
  // The name is longer than the artifact's: check it against the key rules (segment length).
  parseS3Uri(`s3://${target.bucket}/${key}`);
  return key;
}

function stagingKeyOf(target: S3Artifact, uri: string): string {
  const prefix = `s3://${target.bucket}/`;
  const key = uri.startsWith(prefix) ? uri.slice(prefix.length) : '';
  if (!isTempPathFor(key, target.key)) {
    throw new UsageError(
      `${JSON.stringify(uri)} is not a staging location of ${target.uri}: ` +
        `pass a uri that stageRemote() returned for this target`,
    );
  }
  return key;
}

class S3RemoteStaging implements RemoteStaging {
  readonly uri: string;
  readonly #target: S3Artifact;
  readonly #staged: ObjectRef;
  readonly #partSize: number;
  /** `<pid>-<hex>` of the staging name: ASCII, unique per staging, marks the published copy. */
  readonly #marker: string;

  constructor(target: S3Artifact, key: string, partSize: number) {
    this.#target = target;
    this.#staged = { bucket: target.bucket, key };
    this.#partSize = partSize;
    const match = TEMP_NAME.exec(key.slice(key.lastIndexOf('/') + 1))!;
    this.#marker = `${match[2]}-${match[3]}`;
    this.uri = `s3://${target.bucket}/${key}`;
  }

  written(): Promise<boolean> {
    return objectExists(this.#staged);
  }

  async commit(): Promise<void> {
    const target = this.#target;
    const head = await headObject(this.#staged);
    if (head === undefined) {
      // A commit repeated after a crash that followed the publish: already done.
      if ((await headObject(target))?.Metadata?.[MARKER_KEY] === this.#marker) return;
      throw new UsageError(
        `nothing was written at ${this.uri}: the program must write the output of ${target.uri} there`,
      );
    }
    try {
      await copyIfAbsent(
        {
          ...this.#staged,
          size: head.ContentLength ?? 0,
          etag: head.ETag!,
          contentType: head.ContentType,
          metadata: head.Metadata,
        },
        target,
        { partSize: this.#partSize, marker: this.#marker },
      );
    } catch (error) {
      // Any other failure keeps the staging: it is the only copy, and commit() may be retried.
      if (error instanceof ArtifactExistsError) await this.#removeQuietly();
      throw error;
    }
    // Published: a staging left by a failed delete must not fail the commit; clean-temp finds it.
    await this.#removeQuietly();
  }

  async discard(): Promise<void> {
    await this.#deleteStaged();
    // A program killed while uploading in parts leaves a pending upload of the staging key.
    await abortUploadsOf(this.#staged.bucket, this.#staged.key);
  }

  /** Deleting a missing key succeeds: safe to repeat. */
  async #deleteStaged(): Promise<void> {
    const [client, { DeleteObjectCommand }] = await Promise.all([s3Client(), loadS3Sdk()]);
    try {
      await client.send(
        new DeleteObjectCommand({ Bucket: this.#staged.bucket, Key: this.#staged.key }),
      );
    } catch (error) {
      throw s3Error(error, { action: 'remove the staging object', ...this.#staged });
    }
  }

  async #removeQuietly(): Promise<void> {
    try {
      await this.#deleteStaged();
    } catch {
      // `dag clean-temp` removes what is left.
    }
  }
}
