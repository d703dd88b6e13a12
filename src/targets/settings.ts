/**
 * Where artifacts live and how to reach remote stores. Set once per process, by the CLI from
 * `--artifact-root` and dag.config, or by library users with `configureStorage()`. Secrets are
 * never settings: S3 credentials come from the AWS chain (env, profile), HDFS delegation tokens
 * from the environment.
 */

export interface S3Settings {
  /**
   * e.g. `http://127.0.0.1:9000`. Default: the AWS SDK's own (`AWS_ENDPOINT_URL_S3`,
   * `AWS_ENDPOINT_URL`, the shared config file), else AWS.
   */
  readonly endpoint?: string;
  /** Default: the AWS chain (`AWS_REGION`, profile), else `us-east-1`. */
  readonly region?: string;
  /** Path-style addressing. Default: on for any endpoint that is not an AWS host. */
  readonly forcePathStyle?: boolean;
  /** A profile of ~/.aws/config and ~/.aws/credentials. Default: `AWS_PROFILE`, else `default`. */
  readonly profile?: string;
  /** Per-request limit; the SDK has none and hangs on a stalled server. Default 30 s. */
  readonly requestTimeoutMs?: number;
  /** Attempts per request, retries included. Default 3. */
  readonly maxAttempts?: number;
}

export interface HdfsSettings {
  /**
   * WebHDFS base URLs of `hdfs://` authorities, e.g. `{ "nn1:8020": "http://nn1:9870" }`.
   * Default: the same host on port 9870 (Hadoop 3's NameNode HTTP port).
   */
  readonly namenodes?: Readonly<Record<string, string>>;
  /** `user.name` of requests (simple auth). Default `HADOOP_USER_NAME`, else the OS user. */
  readonly user?: string;
  /** Per-request limit. Default 30 s. */
  readonly requestTimeoutMs?: number;
}

export interface StorageSettings {
  /**
   * Root of the artifacts that tasks name with `artifact(path)`: a folder or `file://` URL,
   * `s3://bucket/prefix`, `webhdfs://host:port/path` or `hdfs://host/path`. Default: the
   * working directory.
   */
  readonly artifactRoot?: string;
  readonly s3?: S3Settings;
  readonly hdfs?: HdfsSettings;
}

let current: StorageSettings = {};
let generation = 0;

/** Replaces the storage settings of this process; clients made for older settings are dropped. */
export function configureStorage(settings: StorageSettings): void {
  current = settings;
  generation++;
}

export function storageSettings(): StorageSettings {
  return current;
}

/** Changes whenever the settings do: caches of clients key on it. */
export function settingsGeneration(): number {
  return generation;
}
