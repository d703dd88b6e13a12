/**
 * A store that stops answering in the middle of a run: a private MinIO and a private HDFS are
 * frozen with SIGSTOP (a stalled server, the worst case: connections open, no answers). The run
 * must end with a clear error instead of hanging, and everything published before must be
 * intact once the server is back; a second run then does only the rest.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { targetFromUri, configureStorage } from '../../src/index.js';
import { jsonOf, makeProject, repoRoot, waitFor } from '../helpers/project.js';
import { uniquePrefix } from './services.js';

const scripts = resolve(repoRoot, 'scripts/services');
const MINIO_PORT = '9100';
const WEBHDFS_PORT = '9880';
const HDFS_RPC_PORT = '8030';

function service(script: string, command: string, env: Record<string, string>) {
  const output = execFileSync(resolve(scripts, script), [command], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return Object.fromEntries(
    [...output.matchAll(/^export ([A-Z0-9_]+)=(.*)$/gm)].map((m) => [m[1]!, m[2]!]),
  );
}

const minioEnv = { S3_PORT: MINIO_PORT };
const hdfsEnv = { WEBHDFS_PORT, HDFS_RPC_PORT };
let minio: Record<string, string>;
let hdfs: Record<string, string>;

beforeAll(() => {
  minio = service('minio.sh', 'start', minioEnv);
  hdfs = service('hdfs.sh', 'start', hdfsEnv);
}, 240_000);

afterAll(() => {
  for (const pid of [minio?.MINIO_PID, hdfs?.HDFS_PID]) {
    try {
      if (pid) process.kill(Number(pid), 'SIGCONT');
    } catch {
      // Already gone.
    }
  }
  service('minio.sh', 'stop', minioEnv);
  service('hdfs.sh', 'stop', hdfsEnv);
}, 120_000);

describe.each([
  ['MinIO', () => `s3://${minio.S3_BUCKET}/${uniquePrefix('outage')}`, () => minio.MINIO_PID!],
  [
    'HDFS',
    () => `webhdfs://127.0.0.1:${WEBHDFS_PORT}/${uniquePrefix('outage')}`,
    () => hdfs.HDFS_PID!,
  ],
])('a %s server that stops answering mid-run', (_name, rootOf, pidOf) => {
  it('fails the run with a clear error, keeps what was published, and a rerun does the rest', async () => {
    const root = rootOf();
    const project = makeProject();
    project.fixture('shared-pipeline.ts');
    project.write(
      'dag.config.json',
      JSON.stringify({
        modules: ['shared-pipeline.ts'],
        artifactRoot: root,
        s3: { endpoint: minio.S3_ENDPOINT, requestTimeoutMs: 4000, maxAttempts: 1 },
        hdfs: { requestTimeoutMs: 4000 },
      }),
    );
    const executions = project.path('executions.log');
    const env = {
      TASK_DELAY_MS: '100',
      EXECUTIONS_LOG: executions,
      AWS_ACCESS_KEY_ID: minio.S3_ACCESS_KEY!,
      AWS_SECRET_ACCESS_KEY: minio.S3_SECRET_KEY!,
      AWS_ENDPOINT_URL_S3: minio.S3_ENDPOINT!,
    };
    const executed = () => {
      try {
        return readFileSync(executions, 'utf8').trim().split('\n').filter(Boolean);
      } catch {
        return [];
      }
    };
    const pid = Number(pidOf());
    const running = project.dag(['run', 'Week', '--json', '--fail-fast'], {
      env,
      timeoutMs: 120_000,
    });
    let exited = false;
    void running.finally(() => (exited = true));
    await waitFor(() => exited || executed().length >= 6, 90_000);
    // It must still be running: the outage is what we test.
    if (exited) expect.fail(`dag run ended before the outage:\n${(await running).stderr}`);
    process.kill(pid, 'SIGSTOP');
    let result;
    try {
      result = await running;
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    expect(result.exitCode).toBe(1);
    const document = jsonOf(result);
    const failed = document.tasks.filter((task) => task.status === 'failed');
    expect(failed.length).toBeGreaterThanOrEqual(1);
    for (const task of failed) {
      expect(task.reason).not.toContain('\n');
      expect(task.reason).toMatch(/timed out|timeout|not answer|unreachable|cannot reach/i);
    }

    // Everything reported as published is there, whole, after the server came back.
    configureStorage({ s3: { endpoint: minio.S3_ENDPOINT } });
    Object.assign(process.env, env);
    const succeeded = document.tasks.filter((task) => task.status === 'succeeded');
    expect(succeeded.length).toBeGreaterThanOrEqual(5);
    for (const task of succeeded) {
      for (const uri of task.outputs as string[]) {
        const text = await targetFromUri(uri).readText();
        expect(text).toMatch(/^date,country\n/);
      }
    }

    const rerun = await project.dag(['run', 'Week', '--json'], { env, timeoutMs: 120_000 });
    expect(rerun.exitCode, String(rerun.stderr)).toBe(0);
    const again = jsonOf(rerun);
    // Nothing published before runs again; everything else is done now.
    const before = new Set(succeeded.map((task) => task.id));
    for (const task of again.tasks) {
      if (before.has(task.id)) expect(task.status).toBe('complete');
      else expect(['succeeded', 'complete']).toContain(task.status);
    }
    configureStorage({});
  }, 240_000);
});
