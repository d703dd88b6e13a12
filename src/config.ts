/** The shape of `dag.config.*`; the CLI loads and validates it (src/cli/config.ts). */
import type { HdfsSettings, S3Settings } from './targets/settings.js';

export interface DagConfig {
  /** Task modules, relative to the config file. */
  modules?: string[];
  workers?: number;
  /** Where tasks run unless their family or class says otherwise. Default 'local'. */
  executor?: 'local' | 'docker';
  /** Executor per task family, e.g. `{ TrainModel: 'docker' }`. */
  executors?: Record<string, 'local' | 'docker'>;
  /** The docker executor: dockerd's socket, the containers' network, and their environment. */
  docker?: {
    /** Default /var/run/docker.sock (or DOCKER_HOST=unix://...). */
    socket?: string;
    /** Default 'host': containers reach services on this machine's loopback. */
    network?: string;
    /** Fixed variables for every container. */
    env?: Record<string, string>;
    /** Names of variables copied from dag's own environment (secrets): never logged. */
    passEnv?: string[];
  };
  failFast?: boolean;
  /** `false` behaves like `--no-wait`. */
  wait?: boolean;
  retries?: number;
  retryDelayMs?: number;
  timeoutMs?: number;
  /** Capacities of named resources, e.g. `{ gpu: 1 }`. */
  resources?: Record<string, number>;
  /**
   * Root of `artifact()` paths: a folder (relative to this file), `s3://bucket/prefix`,
   * `webhdfs://host:port/path` or `hdfs://host/path`. `--artifact-root` overrides it.
   */
  artifactRoot?: string;
  /** S3 client settings; credentials come from the AWS chain (env, profile), never from here. */
  s3?: S3Settings;
  /** WebHDFS settings; a delegation token comes from HDFS_DELEGATION_TOKEN, never from here. */
  hdfs?: HdfsSettings;
  /** Lease folder on this machine (default `.dagwright/locks`). */
  lockDir?: string;
  /**
   * Where leases live when runs on several machines share artifacts: `s3://bucket/prefix` or
   * `webhdfs://host:port/path`; a folder works too. Overrides `lockDir`.
   */
  lockStore?: string;
  logDir?: string;
  logFormat?: 'text' | 'json';
  /** Per-family parameter values: `{ TrainModel: { depth: 8 } }`. */
  params?: Record<string, Record<string, unknown>>;
}

/** Identity function that gives a `dag.config.ts` its types. */
export function defineConfig(config: DagConfig): DagConfig {
  return config;
}
