/**
 * An atomic write stream to HDFS: the bytes are streamed (with backpressure, so memory stays
 * bounded) into a unique temp file next to the artifact, which is published by RENAME NONE when
 * the stream finishes. Destroyed before that, it deletes the temp and publishes nothing.
 */
import { PassThrough, Writable } from 'node:stream';
import { ArtifactExistsError } from '../../errors.js';
import { tempPathFor } from '../atomic-file.js';
import { removeQuietly, renameTemp } from './publish.js';
import type { WebHdfsClient } from './webhdfs.js';

export interface StreamDestination {
  readonly uri: string;
  readonly path: string;
  readonly client: WebHdfsClient;
  exists(): Promise<boolean>;
}

export class HdfsWriteStream extends Writable {
  readonly #target: StreamDestination;
  readonly #client: WebHdfsClient;
  readonly #temp: string;
  /** What the upload reads: our writes go in here. */
  readonly #body = new PassThrough();
  #upload: Promise<void> | undefined;
  #uploadError: Error | undefined;
  /** The callback of a write that waits for the upload to take more. */
  #waiting: ((error?: Error) => void) | undefined;
  #published = false;

  constructor(target: StreamDestination) {
    super();
    this.#target = target;
    this.#client = target.client;
    this.#temp = tempPathFor(target.path);
    // Failures surface through the upload's promise; the body's own 'error' would be unhandled.
    this.#body.on('error', () => undefined);
    this.#body.on('drain', () => this.#resume());
  }

  override _construct(callback: (error?: Error | null) => void): void {
    // Streams are usually large: find out before uploading anything that the name is taken.
    this.#target.exists().then((exists) => {
      if (exists) return callback(new ArtifactExistsError(this.#target.uri));
      this.#upload = this.#client.create(this.#temp, this.#body);
      this.#upload.catch((error: Error) => {
        this.#uploadError = error;
        this.#resume(error);
      });
      callback();
    }, callback);
  }

  override _write(
    chunk: Buffer,
    _encoding: BufferEncoding,
    callback: (error?: Error | null) => void,
  ): void {
    if (this.#uploadError) return callback(this.#uploadError);
    if (this.#body.write(chunk)) callback();
    else this.#waiting = callback;
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.#finish().then(() => callback(), callback);
  }

  async #finish(): Promise<void> {
    this.#body.end();
    try {
      await this.#upload;
    } catch (error) {
      await removeQuietly(this.#client, this.#temp);
      throw error;
    }
    await renameTemp(this.#client, this.#temp, this.#target.path, this.#target.uri);
    this.#published = true;
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    const upload = this.#upload;
    if (!upload || this.#published) return callback(error);
    // Finishes the upload with what was written, then deletes the temp file. Aborting it
    // instead would race: the DataNode can create the file after our DELETE.
    if (!this.#body.writableEnded) this.#body.end();
    upload
      .catch(() => undefined)
      .then(() => removeQuietly(this.#client, this.#temp))
      .then(() => callback(error));
  }

  #resume(error?: Error): void {
    const callback = this.#waiting;
    this.#waiting = undefined;
    callback?.(error);
  }
}
