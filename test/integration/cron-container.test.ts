/**
 * Cron containers (examples/cron): the Dockerfile built with the real dockerd from a local base
 * (no registry here), one pass per container start into a mounted folder, `--watch` stopped by
 * `docker stop`, and the Nomad periodic job spec parsed, registered and launched on the real
 * Nomad agent.
 */
import { execa } from 'execa';
import { chmodSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonOf, repoRoot } from '../helpers/project.js';
import { timeProject } from '../helpers/time-project.js';
import { nomadService, uniquePrefix } from './services.js';

const BASE = 'local/dagwright-cron-base:test';
const IMAGE = 'local/dagwright-cron:test';
const nomad = nomadService();
const containers: string[] = [];
/** The fixture's tasks log their runs here: the image's /app is not the container user's. */
const LOG_ENV = 'EXECUTIONS_LOG=/app/data/executions.log';

/** A host folder the container's user (uid 1000) may write, mounted at /app/data. */
function dataFolder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'dagwright-cron-data-'));
  chmodSync(dir, 0o777);
  return dir;
}

beforeAll(async () => {
  const project = timeProject();
  // The base holds node and dagwright; the project's own node_modules link stays out.
  project.write('.dockerignore', 'node_modules\n.dagwright\ndata\nexecutions.log\n');
  const base = await execa(join(repoRoot, 'scripts/pipeline-image.sh'), [project.dir, BASE], {
    reject: false,
  });
  expect(base.exitCode, base.stderr).toBe(0);
  const build = await execa(
    'docker',
    [
      'build',
      '--build-arg',
      `BASE=${BASE}`,
      '-f',
      join(repoRoot, 'examples/cron/Dockerfile'),
      '-t',
      IMAGE,
      project.dir,
    ],
    { reject: false },
  );
  expect(build.exitCode, `${build.stdout}\n${build.stderr}`).toBe(0);
}, 300_000);

afterAll(async () => {
  if (containers.length > 0) await execa('docker', ['rm', '-f', ...containers], { reject: false });
});

describe('the cron image', () => {
  it('makes one pass per start: the due partitions, then nothing to do', async () => {
    const data = dataFolder();
    const pass = () =>
      execa(
        'docker',
        [
          'run',
          '--rm',
          '-v',
          `${data}:/app/data`,
          '-e',
          LOG_ENV,
          IMAGE,
          '0 6 * * *',
          'Daily',
          '--catch-up',
          '2',
          '--now',
          '2024-01-10T07:00:00Z',
          '--json',
        ],
        { reject: false },
      );
    const first = await pass();
    expect(first.exitCode, first.stderr).toBe(0);
    const doc = jsonOf(first);
    expect(doc.status).toBe('success');
    expect(
      (doc.partitions as { partition: string; status: string }[]).map((p) => p.status),
    ).toEqual(['succeeded', 'succeeded', 'succeeded']);
    expect(readdir(join(data, 'daily/country=de'))).toEqual([
      'date=2024-01-08.txt',
      'date=2024-01-09.txt',
      'date=2024-01-10.txt',
    ]);
    expect(readFileSync(join(data, 'executions.log'), 'utf8').trim().split('\n')).toHaveLength(3);
    const second = await pass();
    expect(second.exitCode, second.stderr).toBe(0);
    expect(jsonOf(second)).toMatchObject({
      status: 'nothing_to_do',
      partitionCounts: { total: 3, present: 3, missing: 0 },
    });
  }, 120_000);

  it('with --watch, runs each tick and exits 0 when docker stop sends SIGTERM between passes', async () => {
    const data = dataFolder();
    const name = uniquePrefix('cron-watch').replace(/[^a-zA-Z0-9_.-]/g, '-');
    containers.push(name);
    const started = await execa('docker', [
      'run',
      '-d',
      '--name',
      name,
      '-v',
      `${data}:/app/data`,
      '-e',
      LOG_ENV,
      IMAGE,
      '* * * * *',
      'Minutely',
      '--watch',
      '--now',
      '2024-01-10T12:00:57Z',
    ]);
    expect(started.exitCode).toBe(0);
    const logs = async () => (await execa('docker', ['logs', name], { reject: false })).stderr;
    // Between passes: the tick of 12:01 has run and the loop sleeps until 12:02.
    let text = '';
    for (let i = 0; i < 300 && !text.includes('next pass at 2024-01-10T12:02:00'); i++) {
      text = await logs();
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(text).toContain('next pass at 2024-01-10T12:02:00+00:00[UTC]');
    expect(readdir(join(data, 'minutely'))).toEqual([
      'minute=2024-01-10T1200.txt',
      'minute=2024-01-10T1201.txt',
    ]);
    await execa('docker', ['stop', '-t', '30', name]);
    const state = await execa('docker', ['inspect', '-f', '{{.State.ExitCode}}', name]);
    expect(state.stdout).toBe('0');
    expect(await logs()).toContain('SIGTERM: no pass running; exiting');
  }, 120_000);
});

describe('the Nomad periodic job spec', () => {
  it('parses, and a forced launch makes one pass with the cron image', async () => {
    const api = async (method: string, path: string, body?: unknown) => {
      const response = await fetch(new URL(path, nomad.addr), {
        method,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await response.text();
      expect(response.status, `${method} ${path}: ${text}`).toBe(200);
      return JSON.parse(text) as Record<string, unknown> & unknown[];
    };
    const hcl = readFileSync(join(repoRoot, 'examples/cron/periodic.nomad.hcl'), 'utf8');
    const job = (await api('POST', '/v1/jobs/parse', {
      JobHCL: hcl,
      Canonicalize: true,
    })) as Record<
      string,
      any // eslint-disable-line @typescript-eslint/no-explicit-any
    >;
    expect(job.Periodic).toMatchObject({
      Specs: ['0 6 * * *'],
      TimeZone: 'Europe/Berlin',
      ProhibitOverlap: true,
    });
    const task = job.TaskGroups[0].Tasks[0];
    expect(task.Config.args.slice(0, 2)).toEqual(['0 6 * * *', 'Report']);
    // The Kubernetes CronJob (no cluster here: read as YAML only) makes the same pass.
    const cronJob = await execa('python3', [
      '-c',
      'import json, sys, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))',
      join(repoRoot, 'examples/cron/cronjob.yaml'),
    ]);
    const k8s = JSON.parse(cronJob.stdout);
    expect(k8s).toMatchObject({
      kind: 'CronJob',
      spec: { schedule: '0 6 * * *', timeZone: 'Europe/Berlin' },
    });
    expect(k8s.spec.jobTemplate.spec.template.spec.containers[0].args).toEqual(task.Config.args);
    const validation = await api('POST', '/v1/validate/job', { Job: job });
    expect(validation.ValidationErrors ?? []).toEqual([]);

    // The same job, here: the test image, this project's family, a mounted folder for the
    // artifacts instead of S3, and no Nomad Variables.
    const data = dataFolder();
    const id = uniquePrefix('cron-periodic').replace(/[^a-zA-Z0-9_-]/g, '-');
    job.ID = job.Name = id;
    task.Config = {
      image: IMAGE,
      args: ['0 6 * * *', 'Daily', '--catch-up', '1', '--now', '2024-01-10T07:00:00Z'],
      volumes: [`${data}:/app/data`],
    };
    task.Templates = null;
    task.Env = { EXECUTIONS_LOG: '/app/data/executions.log' };
    task.Resources = { CPU: 200, MemoryMB: 256 };
    await api('PUT', '/v1/jobs', { Job: job });
    try {
      await api('POST', `/v1/job/${id}/periodic/force`);
      let status = '';
      for (let i = 0; i < 600 && status !== 'complete' && status !== 'failed'; i++) {
        const children = (await api('GET', `/v1/jobs?prefix=${id}/periodic-`)) as { ID: string }[];
        const allocations = children.length
          ? ((await api('GET', `/v1/job/${encodeURIComponent(children[0]!.ID)}/allocations`)) as {
              ClientStatus: string;
            }[])
          : [];
        status = allocations[0]?.ClientStatus ?? '';
        if (status !== 'complete') await new Promise((resolve) => setTimeout(resolve, 200));
      }
      expect(status).toBe('complete');
      expect(readdir(join(data, 'daily/country=de'))).toEqual([
        'date=2024-01-09.txt',
        'date=2024-01-10.txt',
      ]);
    } finally {
      const children = (await api('GET', `/v1/jobs?prefix=${id}`)) as { ID: string }[];
      for (const child of children.reverse())
        await fetch(new URL(`/v1/job/${encodeURIComponent(child.ID)}?purge=true`, nomad.addr), {
          method: 'DELETE',
        });
    }
  }, 180_000);
});

function readdir(path: string): string[] {
  try {
    return readdirSync(path).sort();
  } catch {
    return [];
  }
}
