/**
 * The target contract (DESIGN.md 4). A target is one artifact: it exists or it does not, it is
 * written once, atomically, and never replaced.
 */
import type { Readable, Writable } from 'node:stream';

/** Where a program writes an output before the engine publishes it (CommandTask). */
export interface Staging {
  /** Local path the program writes: a file, or a folder for folder artifacts. */
  readonly path: string;
  /** Publishes what was written under the final name; throws ArtifactExistsError if taken. */
  commit(): Promise<void>;
  /** Removes what was written. Safe to call more than once. */
  discard(): Promise<void>;
}

/** Where a program on another machine writes an output: a location in the artifact's own store. */
export interface RemoteStaging {
  /**
   * Given to the program, e.g. `s3://bucket/path/.model.bin.dagwright-tmp-<pid>-<hex>` or a
   * webhdfs:// URI: a hidden sibling of the artifact, named like every other dagwright temp.
   */
  readonly uri: string;
  /** `true` once the program wrote something there. */
  written(): Promise<boolean>;
  /**
   * Publishes it under the final name on the server (no bytes through this process);
   * ArtifactExistsError if taken (staging then removed). Removes the staging after success.
   * After other failures the staging stays, so commit() can be called again.
   */
  commit(): Promise<void>;
  /** Removes the staging. Safe to call more than once, and when nothing was written. */
  discard(): Promise<void>;
}

/** A family of targets that can answer existence for many of them at once. */
export interface Store {
  /**
   * `true` when artifacts outlive the process and can be shared with other processes; the
   * scheduler only takes leases for tasks with durable outputs.
   */
  readonly durable: boolean;
  /** Existence of each target (all belong to this store), in the same order. */
  existsMany(targets: readonly Target[]): Promise<boolean[]>;
}

export interface Target {
  /** `file:///abs/path`, `s3://bucket/key`, `hdfs://host/path`, `memory://...`. */
  readonly uri: string;
  readonly store: Store;
  exists(): Promise<boolean>;
  read(): Promise<Buffer>;
  readText(): Promise<string>;
  createReadStream(): Readable;
  /** Atomic, append-only write: throws ArtifactExistsError and changes nothing if it exists. */
  write(data: string | Uint8Array): Promise<void>;
  /** Atomic, append-only write stream: the artifact appears when the stream finishes. */
  createWriteStream(): Writable;
  /** A staging location for a program's output; see CommandTask. */
  stage(): Promise<Staging>;
  /**
   * A staging location in the artifact's own store, for a program on another machine. Without
   * `uri`: a new, unique one. With `uri`: re-attaches to one made earlier (possibly by a process
   * that has died since); throws UsageError if `uri` is not a staging location of this target.
   * Targets whose store a program on another machine cannot reach (memory) do not implement it.
   */
  stageRemote?(uri?: string): Promise<RemoteStaging>;
}

/** Duck-typed, without reading `uri`: that getter may compute the uri. */
export function isTarget(value: unknown): value is Target {
  return (
    typeof value === 'object' &&
    value !== null &&
    'uri' in value &&
    typeof (value as Target).exists === 'function' &&
    typeof (value as Target).store === 'object'
  );
}
