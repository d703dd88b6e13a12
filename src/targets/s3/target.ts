/**
 * Artifacts on S3 (or any server speaking its API, e.g. MinIO). Writes are atomic because S3
 * objects appear whole or not at all, and append-only because every write is conditional
 * (`If-None-Match: *` on PutObject or on the multipart completion): a second writer gets 412,
 * which becomes ArtifactExistsError, and the first writer's object is untouched.
 */
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable, Writable } from 'node:stream';
import { ArtifactExistsError, UsageError } from '../../errors.js';
import type { RemoteStaging, Staging, Store, Target } from '../target.js';
import {
  PART_SIZE,
  getObjectBytes,
  getObjectStream,
  objectExists,
  putIfAbsent,
  uploadIfAbsent,
} from './objects.js';
import { stageS3Remote } from './remote-staging.js';
import { s3Store } from './store.js';
import { parseS3Uri } from './uri.js';

export class S3Target implements Target {
  readonly uri: string;
  readonly bucket: string;
  readonly key: string;

  /** `s3://bucket/path/to/object`; throws UnsafePathError for names S3 servers mishandle. */
  constructor(uri: string) {
    const { bucket, key } = parseS3Uri(uri);
    this.uri = uri;
    this.bucket = bucket;
    this.key = key;
  }

  get store(): Store {
    return s3Store;
  }

  exists(): Promise<boolean> {
    return objectExists(this);
  }

  read(): Promise<Buffer> {
    return getObjectBytes(this);
  }

  async readText(): Promise<string> {
    return (await this.read()).toString('utf8');
  }

  /** Streams the object in bounded memory; the request starts when the stream is first read. */
  createReadStream(): Readable {
    return new S3ReadStream(this);
  }

  async write(data: string | Uint8Array): Promise<void> {
    const body = typeof data === 'string' ? Buffer.from(data) : data;
    if (body.byteLength <= PART_SIZE) return putIfAbsent(this, body);
    // A 412 only comes at the completion, after every part was sent: ask first. The
    // conditional completion remains the guard against a racing writer.
    if (await objectExists(this)) throw new ArtifactExistsError(this.uri);
    return uploadIfAbsent(this, body);
  }

  /** The object appears when the stream finishes; destroying it first leaves nothing behind. */
  createWriteStream(): Writable {
    return new S3WriteStream(this);
  }

  /** A local temp file that commit() uploads with the same conditional publish. */
  async stage(): Promise<Staging> {
    const dir = await mkdtemp(join(tmpdir(), 'dagwright-s3-'));
    const path = join(dir, this.key.slice(this.key.lastIndexOf('/') + 1));
    const discard = (): Promise<void> => rm(dir, { recursive: true, force: true });
    return {
      path,
      commit: async () => {
        try {
          await this.#publishFile(path);
        } finally {
          await discard();
        }
      },
      discard,
    };
  }

  /**
   * A hidden sibling object for a program on another machine to write; commit() publishes it
   * on the server (a conditional multipart copy), without the bytes passing through here.
   */
  stageRemote(uri?: string): Promise<RemoteStaging> {
    return stageS3Remote(this, uri);
  }

  async #publishFile(path: string): Promise<void> {
    let info;
    try {
      info = await stat(path);
    } catch {
      throw new UsageError(`nothing was written for ${this.uri}: expected a file at ${path}`);
    }
    if (!info.isFile()) {
      throw new UsageError(
        `${this.uri} is one S3 object: write a single file at ${path} (e.g. a tar archive), not a folder`,
      );
    }
    if (info.size <= PART_SIZE) return putIfAbsent(this, await readFile(path));
    if (await objectExists(this)) throw new ArtifactExistsError(this.uri);
    return uploadIfAbsent(this, createReadStream(path), info.size);
  }

  toString(): string {
    return this.uri;
  }
}

/** GetObject on first read; relays the body with backpressure; aborts the request if destroyed. */
class S3ReadStream extends Readable {
  readonly #target: S3Target;
  readonly #abort = new AbortController();
  #body: Readable | undefined;
  #started = false;

  constructor(target: S3Target) {
    super();
    this.#target = target;
  }

  override _read(): void {
    if (this.#started) return this.#pump();
    this.#started = true;
    getObjectStream(this.#target, this.#abort.signal).then(
      (body) => {
        if (this.destroyed) return void body.destroy();
        this.#body = body;
        body.on('readable', () => this.#pump());
        body.on('end', () => this.push(null));
        body.on('error', (error) => this.destroy(error));
        this.#pump();
      },
      (error: Error) => this.destroy(error),
    );
  }

  #pump(): void {
    const body = this.#body;
    if (!body) return;
    for (let chunk: Buffer | null; (chunk = body.read() as Buffer | null) !== null;) {
      if (!this.push(chunk)) return;
    }
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#abort.abort();
    this.#body?.destroy();
    callback(error);
  }
}

/**
 * Feeds a lib-storage upload through a PassThrough, so the writer gets backpressure from the
 * upload: memory stays near PART_SIZE × (QUEUE_SIZE + 2) whatever the size. Destroyed before
 * finishing, it fails the upload on purpose, which aborts the multipart upload; `close` comes
 * after that.
 */
class S3WriteStream extends Writable {
  readonly #target: S3Target;
  #body: PassThrough | undefined;
  #upload: Promise<void> | undefined;
  #bytes = 0;
  #checkedExisting = false;
  #finishing = false;

  constructor(target: S3Target) {
    super();
    this.#target = target;
  }

  override _construct(callback: (error?: Error | null) => void): void {
    const body = new PassThrough();
    this.#body = body;
    const upload = uploadIfAbsent(this.#target, body);
    this.#upload = upload;
    // A failure while the writer still writes (network, 412 of a small body): stop it now.
    upload.catch((error: Error) => {
      if (!this.#finishing) this.destroy(error);
    });
    callback();
  }

  override _write(
    chunk: Buffer,
    _encoding: BufferEncoding,
    callback: (error?: Error | null) => void,
  ): void {
    this.#bytes += chunk.length;
    if (this.#checkedExisting || this.#bytes <= PART_SIZE) return this.#forward(chunk, callback);
    // Now it will be a multipart upload: fail fast rather than after sending everything.
    this.#checkedExisting = true;
    objectExists(this.#target).then((exists) => {
      if (exists) callback(new ArtifactExistsError(this.#target.uri));
      else this.#forward(chunk, callback);
    }, callback);
  }

  #forward(chunk: Buffer, callback: (error?: Error | null) => void): void {
    if (this.#body!.write(chunk)) callback();
    else this.#body!.once('drain', () => callback());
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.#finishing = true;
    this.#body!.end();
    this.#upload!.then(() => callback(), callback);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    const upload = this.#upload;
    if (!upload) return callback(error);
    if (!this.#finishing) {
      // An error, not a plain end: lib-storage would publish what it got so far.
      this.#body!.destroy(new Error(`write to ${this.#target.uri} cancelled`));
    }
    // The upload's own failure was reported already (it is why we are destroyed), and a cancel
    // is not an error: only the destroy's error is passed on.
    upload.then(
      () => callback(error),
      () => callback(error),
    );
  }
}
