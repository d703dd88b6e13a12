/** Artifacts on the local file system. */
import { createReadStream, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { open, readFile, rm, writeFile, type FileHandle } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { Writable, type Readable } from 'node:stream';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ArtifactExistsError, UnsafePathError, UsageError } from '../errors.js';
import {
  ensureDir,
  inDir,
  pathExists,
  publish,
  publishTempFile,
  isTempPathFor,
  tempPathFor,
} from './atomic-file.js';
import type { RemoteStaging, Staging, Store, Target } from './target.js';

const PARENT_SEGMENT = /(^|\/)\.\.(\/|$)/;
/** Below this size a write is done synchronously: faster than a thread-pool round trip. */
const SYNC_WRITE_LIMIT = 64 * 1024;

export class LocalTarget implements Target {
  /** The path as given; relative paths are relative to the working directory. */
  readonly path: string;
  #uri: string | undefined;

  constructor(path: string) {
    if (typeof path !== 'string' || path.length === 0) {
      throw new UnsafePathError(`LocalTarget needs a non-empty path, got ${JSON.stringify(path)}`);
    }
    if (path.includes('\0'))
      throw new UnsafePathError(`artifact path ${JSON.stringify(path)} contains a NUL byte`);
    if (path.includes('..') && PARENT_SEGMENT.test(path)) {
      throw new UnsafePathError(
        `artifact path ${JSON.stringify(path)} contains '..' and could leave its folder; ` +
          `check the parameter values used to build it, or pass an absolute path`,
      );
    }
    this.path = path;
  }

  get uri(): string {
    return (this.#uri ??= pathToFileURL(resolve(this.path)).href);
  }

  get store(): Store {
    return localStore;
  }

  async exists(): Promise<boolean> {
    return pathExists(this.path);
  }

  read(): Promise<Buffer> {
    return readFile(this.path);
  }

  readText(): Promise<string> {
    return readFile(this.path, 'utf8');
  }

  createReadStream(): Readable {
    return createReadStream(this.path);
  }

  async write(data: string | Uint8Array): Promise<void> {
    const small = data.length <= SYNC_WRITE_LIMIT;
    // Fail before writing a large temp file; for a small one, publishing finds out as cheaply.
    if (!small && pathExists(this.path)) throw new ArtifactExistsError(this.uri);
    const dir = dirname(this.path);
    const temp = tempPathFor(this.path);
    try {
      if (small) inDir(dir, () => writeFileSync(temp, data, { flag: 'wx' }));
      else
        await writeFile(
          inDir(dir, () => (writeFileSync(temp, '', { flag: 'wx' }), temp)),
          data,
        );
    } catch (error) {
      rmSync(temp, { force: true });
      throw error;
    }
    publishTempFile(temp, this.path, this);
  }

  createWriteStream(): Writable {
    return new AtomicWriteStream(this);
  }

  async stage(): Promise<Staging> {
    ensureDir(dirname(this.path));
    const temp = tempPathFor(this.path);
    return {
      path: resolve(temp),
      commit: async () => publish(temp, this.path, this),
      discard: () => rm(temp, { recursive: true, force: true }),
    };
  }

  /**
   * A staging for a program on another machine that shares this file system (Nomad with
   * `nomad.sharedPaths`): a temp name beside the artifact, or the one at `uri` made earlier.
   */
  async stageRemote(uri?: string): Promise<RemoteStaging> {
    const final = resolve(this.path);
    let temp: string;
    if (uri === undefined) {
      ensureDir(dirname(final));
      temp = tempPathFor(final);
    } else {
      temp = uri.startsWith('file:') ? fileURLToPath(uri) : uri;
      if (!isTempPathFor(temp, final))
        throw new UsageError(`${uri} is not a staging location of ${this.uri}`);
    }
    return {
      uri: pathToFileURL(temp).href,
      written: async () => pathExists(temp),
      // publish() removes the temp whether it succeeds or not.
      commit: async () => publish(temp, final, this),
      discard: () => rm(temp, { recursive: true, force: true }),
    };
  }

  toString(): string {
    return this.path;
  }
}

/** Writes to a temp file; publishes on finish; removes the temp file if destroyed first. */
class AtomicWriteStream extends Writable {
  readonly #target: LocalTarget;
  readonly #temp: string;
  #file: FileHandle | undefined;

  constructor(target: LocalTarget) {
    super();
    this.#target = target;
    this.#temp = tempPathFor(target.path);
  }

  override _construct(callback: (error?: Error | null) => void): void {
    if (pathExists(this.#target.path)) return callback(new ArtifactExistsError(this.#target.uri));
    open(this.#temp, 'wx')
      .catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw error;
        ensureDir(dirname(this.#target.path));
        return open(this.#temp, 'wx');
      })
      .then((file) => {
        this.#file = file;
        callback();
      }, callback);
  }

  override _write(
    chunk: Buffer,
    _encoding: BufferEncoding,
    callback: (error?: Error | null) => void,
  ): void {
    this.#file!.write(chunk).then(() => callback(), callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    const file = this.#file!;
    this.#file = undefined;
    file.close().then(() => {
      try {
        publishTempFile(this.#temp, this.#target.path, this.#target);
        callback();
      } catch (error) {
        callback(error as Error);
      }
    }, callback);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    const file = this.#file;
    this.#file = undefined;
    if (!file) return callback(error);
    file
      .close()
      .catch(() => undefined)
      .then(() => rm(this.#temp, { force: true }))
      .then(
        () => callback(error),
        () => callback(error),
      );
  }
}

/**
 * Bulk existence. Targets in the same folder come in runs (a task's requirements are made in a
 * loop); a run long enough relative to its folder is answered by one `readdir`, anything else
 * by one `stat` per file (sync: cheaper than a thread-pool round trip). Finding runs needs no
 * map, so a frontier spread over many folders (daily partitions) costs nothing extra.
 */
export const localStore: Store = {
  durable: true,
  async existsMany(targets: readonly Target[]): Promise<boolean[]> {
    const result: boolean[] = new Array(targets.length);
    for (let start = 0; start < targets.length;) {
      const first = (targets[start] as LocalTarget).path;
      const folder = first.slice(0, first.lastIndexOf('/') + 1);
      let end = start + 1;
      while (end < targets.length && inFolder((targets[end] as LocalTarget).path, folder)) end++;
      const long = end - start >= MIN_RUN_TO_LIST;
      const names = long ? listIfCheaper(folder || '.', targets, start, end) : undefined;
      for (let i = start; i < end; i++) {
        const path = (targets[i] as LocalTarget).path;
        result[i] = names ? names.has(path.slice(path.lastIndexOf('/') + 1)) : pathExists(path);
      }
      start = end;
    }
    return result;
  },
};

/** Fewer targets in one folder are cheaper to stat one by one than to list it. */
const MIN_RUN_TO_LIST = 8;
/** A folder in one block (ext4, xfs): one getdents call lists it, whatever it holds. */
const ONE_BLOCK = 4096;

/** `true` when `path` is directly in `folder` (which ends with '/', or is '' for the cwd). */
function inFolder(path: string, folder: string): boolean {
  return path.lastIndexOf('/') + 1 === folder.length && path.startsWith(folder);
}

/**
 * A folder's byte size on ext4, xfs, btrfs and tmpfs grows with its entries (roughly 8 to 20
 * bytes plus the name each); listing wins when we ask for at least a third of the entries, or
 * when the folder is one block (a day's 24 hourly files: one readdir instead of 24 stats).
 */
function listIfCheaper(
  dir: string,
  targets: readonly Target[],
  start: number,
  end: number,
): Set<string> | undefined {
  let info;
  try {
    info = statSync(dir, { throwIfNoEntry: false });
  } catch (error) {
    // A path component is a file: nothing below it exists.
    if ((error as NodeJS.ErrnoException).code === 'ENOTDIR') return new Set();
    throw error;
  }
  if (!info) return new Set();
  if (!info.isDirectory()) return new Set();
  const count = end - start;
  let nameBytes = 0;
  for (let i = start; i < end; i++) {
    const path = (targets[i] as LocalTarget).path;
    nameBytes += path.length - path.lastIndexOf('/') - 1;
  }
  const estimatedEntries = info.size / (nameBytes / count + 8);
  if (info.size > ONE_BLOCK && count * 3 < estimatedEntries) return undefined;
  return new Set(readdirSync(dir));
}
