/**
 * The real servers started by services.setup.ts, as the tests see them. The S3 settings are
 * also put into the standard AWS environment of this process, so code under test finds MinIO
 * the way a user's would: through AWS_ENDPOINT_URL_S3 and the credential chain.
 */
import { inject } from 'vitest';

export interface S3Service {
  readonly endpoint: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly bucket: string;
  readonly region: string;
  readonly pid: number;
  /** The AWS variables a user would set to reach this server. */
  readonly env: Record<string, string>;
}

export function s3Service(): S3Service {
  const s = inject('services');
  const env = {
    AWS_ENDPOINT_URL_S3: s.DAG_TEST_S3_ENDPOINT!,
    AWS_ACCESS_KEY_ID: s.DAG_TEST_S3_ACCESS_KEY!,
    AWS_SECRET_ACCESS_KEY: s.DAG_TEST_S3_SECRET_KEY!,
    AWS_REGION: s.DAG_TEST_S3_REGION!,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
  Object.assign(process.env, env);
  return {
    endpoint: s.DAG_TEST_S3_ENDPOINT!,
    accessKeyId: s.DAG_TEST_S3_ACCESS_KEY!,
    secretAccessKey: s.DAG_TEST_S3_SECRET_KEY!,
    bucket: s.DAG_TEST_S3_BUCKET!,
    region: s.DAG_TEST_S3_REGION!,
    pid: Number(s.DAG_TEST_MINIO_PID),
    env,
  };
}

export interface HdfsService {
  /** `http://127.0.0.1:9870` */
  readonly url: string;
  /** `webhdfs://127.0.0.1:9870` */
  readonly root: string;
  readonly pid: number;
}

export function hdfsService(): HdfsService {
  const s = inject('services');
  const url = s.DAG_TEST_WEBHDFS_URL!;
  return { url, root: url.replace(/^http:/, 'webhdfs:'), pid: Number(s.DAG_TEST_HDFS_PID) };
}

/** A prefix no other test (or earlier run) uses. */
export function uniquePrefix(name: string): string {
  return `${name}-${Date.now().toString(36)}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
}

export interface DockerService {
  /** `unix:///var/run/docker.sock` */
  readonly host: string;
  /** A small local image (busybox), never pulled. */
  readonly image: string;
}

export function dockerService(): DockerService {
  const s = inject('services');
  return { host: s.DAG_TEST_DOCKER_HOST!, image: s.DAG_TEST_DOCKER_IMAGE! };
}

export interface NomadService {
  /** `http://127.0.0.1:4646` */
  readonly addr: string;
  readonly pid: number;
}

export function nomadService(): NomadService {
  const s = inject('services');
  return { addr: s.DAG_TEST_NOMAD_ADDR!, pid: Number(s.DAG_TEST_NOMAD_PID) };
}
