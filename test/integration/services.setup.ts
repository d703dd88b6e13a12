/**
 * Vitest global setup: starts the real servers the integration tests talk to (MinIO and HDFS
 * on 127.0.0.1, dockerd on its socket, a Nomad dev agent, by scripts/services/*.sh) unless they already run, and
 * stops what it started.
 * A server that cannot start fails the whole run: no test is skipped for it.
 */
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import type { TestProject } from 'vitest/node';

const scripts = resolve(import.meta.dirname, '../../scripts/services');

interface Service {
  readonly script: string;
  /** The variable of the script's output that holds the server's pid. */
  readonly pidKey: string;
  /** Set when this setup started it (and so stops it). */
  startedHere: boolean;
}

function exportsOf(output: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of output.split('\n')) {
    const match = /^export ([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (match) env[match[1]!] = match[2]!;
  }
  return env;
}

/** Starts the service unless it runs; a server that was already there is left running. */
function start(service: Service): Record<string, string> {
  const script = resolve(scripts, service.script);
  const envBefore = exportsOf(execFileSync(script, ['env'], { encoding: 'utf8' }));
  const before = Number(envBefore[service.pidKey]);
  const wasRunning = before > 0 && isRunning(before);
  const output = execFileSync(script, ['start'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const env = exportsOf(output);
  const after = Number(env[service.pidKey]);
  service.startedHere = after > 0 && !(wasRunning && after === before);
  return env;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export default function setup(project: TestProject): () => void {
  const minio: Service = { script: 'minio.sh', pidKey: 'MINIO_PID', startedHere: false };
  const hdfs: Service = { script: 'hdfs.sh', pidKey: 'HDFS_PID', startedHere: false };
  const docker: Service = { script: 'docker.sh', pidKey: 'DOCKERD_PID', startedHere: false };
  const nomad: Service = { script: 'nomad.sh', pidKey: 'NOMAD_PID', startedHere: false };
  const s3 = start(minio);
  const webhdfs = start(hdfs);
  const dockerd = start(docker);
  // After dockerd: Nomad's docker driver is healthy only while dockerd runs.
  const nomadAgent = start(nomad);
  const env = {
    DAG_TEST_S3_ENDPOINT: s3.S3_ENDPOINT!,
    DAG_TEST_S3_ACCESS_KEY: s3.S3_ACCESS_KEY!,
    DAG_TEST_S3_SECRET_KEY: s3.S3_SECRET_KEY!,
    DAG_TEST_S3_BUCKET: s3.S3_BUCKET!,
    DAG_TEST_S3_REGION: s3.S3_REGION!,
    DAG_TEST_MINIO_PID: s3.MINIO_PID!,
    DAG_TEST_WEBHDFS_URL: webhdfs.WEBHDFS_URL!,
    DAG_TEST_HDFS_PID: webhdfs.HDFS_PID!,
    DAG_TEST_DOCKER_HOST: dockerd.DOCKER_HOST!,
    DAG_TEST_DOCKER_IMAGE: dockerd.DOCKER_TEST_IMAGE!,
    DAG_TEST_NOMAD_ADDR: nomadAgent.NOMAD_ADDR!,
    DAG_TEST_NOMAD_PID: nomadAgent.NOMAD_PID!,
  };
  project.provide('services', env);
  return () => {
    for (const service of [nomad, docker, hdfs, minio]) {
      if (service.startedHere)
        execFileSync(resolve(scripts, service.script), ['stop'], { stdio: 'inherit' });
    }
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    services: Record<string, string>;
  }
}
