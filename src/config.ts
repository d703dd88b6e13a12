/** The shape of `dag.config.*`; the CLI loads and validates it (src/cli/config.ts). */
import type { HdfsSettings, S3Settings } from './targets/settings.js';

export interface DagConfig {
  /** Task modules, relative to the config file. */
  modules?: string[];
  workers?: number;
  /** Where tasks run unless their family or class says otherwise. Default 'local'. */
  executor?: 'local' | 'docker' | 'nomad';
  /** Executor per task family, e.g. `{ TrainModel: 'docker' }`. */
  executors?: Record<string, 'local' | 'docker' | 'nomad'>;
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
  /**
   * The nomad executor. The cluster comes from NOMAD_ADDR, NOMAD_TOKEN, NOMAD_NAMESPACE,
   * NOMAD_REGION and NOMAD_CACERT/NOMAD_CLIENT_CERT/NOMAD_CLIENT_KEY, as for the nomad CLI.
   */
  nomad?: {
    /** Fixed variables for every task. Not for secrets: job specs are readable through the API. */
    env?: Record<string, string>;
    /**
     * Names of variables copied from dag's environment (secrets): stored in the job's Nomad
     * Variable and read by the task through a template; never in a job spec or a log.
     */
    passEnv?: string[];
    /** Docker network mode of the tasks (default: the driver's, bridge). */
    network?: string;
    /** Folders every Nomad client mounts at the same path; local artifacts must lie in one. */
    sharedPaths?: string[];
    /** Default `['*']`. */
    datacenters?: string[];
    /** Longest an attempt waits for a place on a busy cluster (default 5 minutes). */
    queueTimeoutMs?: number;
    /** MHz reserved per unit of a task's `cpu` resource (default 1000). */
    mhzPerCpu?: number;
  };
  /**
   * The image that runs tasks other than CommandTasks with an `image` on docker (and nomad), as
   * `dag exec-task <Family> --<param>=<value>...`: dagwright and this project, e.g. made by
   * scripts/pipeline-image.sh.
   */
  pipeline?: {
    image: string;
    /** How the image runs dag. Default `['dag']`. */
    command?: string[];
    /** Working directory in the container. Default: the image's WORKDIR. */
    workdir?: string;
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
