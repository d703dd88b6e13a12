/**
 * Whole pipelines on the real servers through the real `dag` executable: the example moved to
 * MinIO and to HDFS by `--artifact-root` alone, runs on several "machines" sharing only an S3
 * lock store, and the one-line errors of a misconfigured store, which never show a secret.
 */
import { cpSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jsonOf, makeProject, repoRoot, type Project } from '../helpers/project.js';
import { hdfsService, s3Service, uniquePrefix } from './services.js';

const s3 = s3Service();
const hdfs = hdfsService();

function exampleProject(): Project {
  const project = makeProject();
  const source = join(repoRoot, 'examples/ml-pipeline');
  for (const name of readdirSync(source).filter((n) => !['data', '.dagwright'].includes(n)))
    cpSync(join(source, name), project.path(name), { recursive: true });
  return project;
}

/** Everything a run printed must be free of the credentials it used. */
function expectNoSecrets(...texts: unknown[]): void {
  for (const text of texts) {
    expect(String(text)).not.toContain(s3.secretAccessKey);
    expect(String(text)).not.toContain(s3.accessKeyId);
  }
}

describe('the example pipeline on remote stores, by --artifact-root alone', () => {
  it.each([
    ['MinIO', () => `s3://${s3.bucket}/${uniquePrefix('example')}`],
    ['HDFS', () => `${hdfs.root}/${uniquePrefix('example')}`],
  ])('runs end to end on %s, then has nothing to do', async (_name, rootOf) => {
    const root = rootOf();
    const project = exampleProject();
    const args = ['run', 'Report', '--date', '2024-01-01', '--artifact-root', root, '--json'];
    const first = await project.dag(args, { timeoutMs: 120_000 });
    expect(first.exitCode, String(first.stderr)).toBe(0);
    const document = jsonOf(first);
    expect(document.counts).toMatchObject({ total: 22, succeeded: 22 });
    const report = document.tasks.find((task) => task.family === 'Report')!;
    expect(report.outputs).toEqual([
      `${root}/reports/date=2024-01-01/countries=de,fr,nl/l2=1/report.md`,
    ]);
    // Nothing was written locally: the artifacts are on the server.
    expect(readdirSync(project.dir)).not.toContain('data');
    expectNoSecrets(first.stdout, first.stderr);

    const second = await project.dag(args);
    expect(second.exitCode).toBe(0);
    expect(jsonOf(second).status).toBe('nothing_to_do');
  });
});

describe('several machines sharing only a remote artifact root and lock store', () => {
  it.each([
    ['S3', () => `s3://${s3.bucket}/${uniquePrefix('shared')}`],
    ['HDFS', () => `${hdfs.root}/${uniquePrefix('shared')}`],
  ])(
    'four `dag run` in separate working directories on %s execute every task exactly once',
    async (_name, rootOf) => {
      const shared = rootOf();
      const log = makeProject();
      const executions = log.path('executions.log');
      const machines = [1, 2, 3, 4].map(() => {
        const project = makeProject();
        project.fixture('shared-pipeline.ts');
        project.write(
          'dag.config.json',
          JSON.stringify({
            modules: ['shared-pipeline.ts'],
            artifactRoot: `${shared}/artifacts`,
            lockStore: `${shared}/locks`,
          }),
        );
        return project;
      });
      const results = await Promise.all(
        machines.map((project) =>
          project.dag(['run', 'Week', '--workers', '3', '--json'], {
            env: { TASK_DELAY_MS: '150', EXECUTIONS_LOG: executions },
            timeoutMs: 120_000,
          }),
        ),
      );
      for (const result of results) expect(result.exitCode, String(result.stderr)).toBe(0);
      const executed = readFileSync(executions, 'utf8').trim().split('\n');
      expect(executed).toHaveLength(32);
      expect(new Set(executed).size).toBe(32);
      let ran = 0;
      for (const result of results)
        for (const task of jsonOf(result).tasks) if (task.status === 'succeeded') ran++;
      // 32 tasks with outputs, plus the Week wrapper that each process completes itself.
      expect(ran).toBe(32 + 4);
      // No machine made a local lease folder: the leases were on the shared store.
      for (const project of machines)
        expect(existsSync(project.path('.dagwright/locks'))).toBe(false);
    },
  );
});

describe('a misconfigured S3 store', () => {
  const root = () => `s3://${s3.bucket}/${uniquePrefix('errors')}`;

  it('wrong credentials: one line, exit 2, and neither key appears in any output', async () => {
    const project = exampleProject();
    const wrongSecret = 'not-the-secret-' + Math.random().toString(36).slice(2);
    const result = await project.dag(
      ['run', 'Report', '--date', '2024-01-01', '--artifact-root', root()],
      { env: { AWS_SECRET_ACCESS_KEY: wrongSecret } },
    );
    expect(result.exitCode).toBe(2);
    const lines = String(result.stderr).trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^dag: error: .*S3.*(denied|credentials)/i);
    expect(String(result.stderr) + String(result.stdout)).not.toContain(wrongSecret);
    expectNoSecrets(result.stdout, result.stderr);
  });

  it('a missing bucket: one line naming the bucket, exit 2', async () => {
    const project = exampleProject();
    const result = await project.dag([
      'run',
      'Report',
      '--date',
      '2024-01-01',
      '--artifact-root',
      's3://no-such-bucket-dagwright/run1',
    ]);
    expect(result.exitCode).toBe(2);
    const lines = String(result.stderr).trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/no-such-bucket-dagwright/);
    expect(lines[0]).toMatch(/does not exist/);
  });

  it('a bad artifact root is a usage error that names the flag', async () => {
    const project = exampleProject();
    const result = await project.dag([
      'plan',
      'Report',
      '--date',
      '2024-01-01',
      '--artifact-root',
      'gs://bucket/x',
    ]);
    expect(result.exitCode).toBe(2);
    expect(String(result.stderr).trim()).toBe(
      'dag: error: --artifact-root: unsupported artifact root "gs://bucket/x"; use a folder, s3://bucket/prefix, webhdfs://host:port/path or hdfs://host/path',
    );
  });

  it('refuses credentials in dag.config', async () => {
    const project = exampleProject();
    project.write(
      'dag.config.json',
      JSON.stringify({
        modules: ['pipeline.ts'],
        s3: { endpoint: s3.endpoint, secretAccessKey: 'in-the-config' },
      }),
    );
    const result = await project.dag(['plan', 'Report', '--date', '2024-01-01']);
    expect(result.exitCode).toBe(2);
    expect(String(result.stderr).trim()).toBe(
      `dag: error: ${project.path('dag.config.json')}: 's3.secretAccessKey' is a secret and does not belong in a config file; set it through AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or a profile (s3.profile / AWS_PROFILE)`,
    );
  });
});
