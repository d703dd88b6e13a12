import { existsSync, readFileSync, rmSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { jsonOf, pipelineProject, waitFor, type Project } from '../helpers/project.js';

function executions(project: Project): string[] {
  const path = project.path('executions.log');
  return existsSync(path) ? readFileSync(path, 'utf8').trim().split('\n') : [];
}

describe('dag run', () => {
  it('runs a pipeline from a clean folder and reports it as JSON', async () => {
    const project = pipelineProject();
    const result = await project.dag([
      'run',
      'Report',
      '--date',
      '2024-01-01',
      '--countries',
      'de,fr',
      '--json',
    ]);
    expect(result.exitCode).toBe(0);
    const doc = jsonOf(result);
    expect(doc.status).toBe('success');
    expect(doc.exitCode).toBe(0);
    expect(doc.counts).toMatchObject({ total: 5, succeeded: 5, complete: 0, failed: 0 });
    expect(Object.keys(doc.counts)).toEqual(
      expect.arrayContaining([
        'total',
        'complete',
        'succeeded',
        'failed',
        'upstream_failed',
        'missing_external',
        'running_elsewhere',
      ]),
    );
    const report = doc.tasks.find(
      (task) => task.id === 'Report(date=2024-01-01, countries=de,fr)',
    )!;
    expect(report).toMatchObject({
      family: 'Report',
      params: { date: '2024-01-01', countries: 'de,fr' },
      status: 'succeeded',
      attempts: 1,
    });
    expect(report.outputs).toEqual([
      `file://${project.dir}/data/report/date=2024-01-01/countries=de,fr/report.txt`,
    ]);
    expect(Object.keys(report).sort()).toEqual([
      'attempts',
      'durationMs',
      'family',
      'hash',
      'id',
      'outputs',
      'params',
      'reason',
      'status',
    ]);
    expect(project.read('data/report/date=2024-01-01/countries=de,fr/report.txt')).toContain(
      'scale,1.5',
    );
    expect(executions(project)).toHaveLength(5);
  });

  it('does nothing on a second run: nothing_to_do, no task runs', async () => {
    const project = pipelineProject();
    await project.dag(['run', 'Report', '--date', '2024-01-01']);
    const second = await project.dag(['run', 'Report', '--date', '2024-01-01', '--json']);
    expect(second.exitCode).toBe(0);
    expect(jsonOf(second).status).toBe('nothing_to_do');
    expect(jsonOf(second).counts.succeeded).toBe(0);
    expect(executions(project)).toHaveLength(7);
  });

  it('after an intermediate artifact is deleted, re-runs only what is missing below the root', async () => {
    const project = pipelineProject();
    await project.dag(['run', 'Report', '--date', '2024-01-01']);
    rmSync(project.path('data/transform/date=2024-01-01/country=fr/scale=1.5/rows.csv'));
    rmSync(project.path('data/report/date=2024-01-01/countries=de,fr,nl/report.txt'));
    const result = await project.dag(['run', 'Report', '--date', '2024-01-01', '--json']);
    expect(jsonOf(result).counts).toMatchObject({ total: 5, succeeded: 2, complete: 3 });
    expect(executions(project).slice(7)).toEqual([
      'Transform(date=2024-01-01, country=fr, scale=1.5)',
      'Report(date=2024-01-01, countries=de,fr,nl)',
    ]);
  });

  it('retries a failing task, marks dependents upstream_failed, lets other branches finish, exit 1', async () => {
    const project = pipelineProject();
    const result = await project.dag(
      [
        'run',
        'Report',
        '--date',
        '2024-01-01',
        '--retries',
        '2',
        '--retry-delay',
        '10ms',
        '--json',
      ],
      {
        env: { FAIL_TRANSFORM: 'fr' },
      },
    );
    expect(result.exitCode).toBe(1);
    const doc = jsonOf(result);
    expect(doc.status).toBe('failed');
    const byId = Object.fromEntries(doc.tasks.map((task) => [task.id, task]));
    expect(byId['Transform(date=2024-01-01, country=fr, scale=1.5)']).toMatchObject({
      status: 'failed',
      attempts: 3,
      reason: 'transform failed for fr',
    });
    expect(byId['Report(date=2024-01-01, countries=de,fr,nl)']!.status).toBe('upstream_failed');
    expect(byId['Transform(date=2024-01-01, country=nl, scale=1.5)']!.status).toBe('succeeded');
    expect(executions(project).filter((id) => id.includes('country=fr, scale'))).toHaveLength(3);
  });

  it('prints a summary and the failure on the terminal-less text output', async () => {
    const project = pipelineProject();
    const result = await project.dag(
      ['run', 'Transform', '--date', '2024-01-01', '--country', 'fr'],
      { env: { FAIL_TRANSFORM: 'fr' } },
    );
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(
      '✗ Transform(date=2024-01-01, country=fr, scale=1.5) failed: transform failed for fr',
    );
    expect(result.stdout).toMatch(/^failed: 1 succeeded, 1 failed in /);
  });

  it('exits 3 for missing external input and runs nothing that needs it', async () => {
    const project = pipelineProject();
    const result = await project.dag(['run', 'Ingest', '--date', '2024-03-01', '--json']);
    expect(result.exitCode).toBe(3);
    const doc = jsonOf(result);
    expect(doc.status).toBe('missing_external');
    expect(doc.tasks.map((task) => [task.id, task.status])).toEqual([
      ['Incoming(date=2024-03-01)', 'missing_external'],
      ['Ingest(date=2024-03-01)', 'upstream_missing'],
    ]);
    project.write('incoming/2024-03-01.csv', 'a\n1\n');
    expect((await project.dag(['run', 'Ingest', '--date', '2024-03-01'])).exitCode).toBe(0);
  });

  it('sets upstream parameters with --Family.param and from the config', async () => {
    const project = pipelineProject();
    project.write(
      'dag.config.json',
      JSON.stringify({ modules: ['pipeline.ts'], params: { Transform: { scale: 3 } } }),
    );
    await project.dag(['run', 'Report', '--date', '2024-01-01', '--countries', 'de']);
    expect(
      existsSync(project.path('data/transform/date=2024-01-01/country=de/scale=3/rows.csv')),
    ).toBe(true);
    await project.dag([
      'run',
      'Report',
      '--date',
      '2024-01-02',
      '--countries',
      'de',
      '--Transform.scale',
      '0.25',
    ]);
    expect(
      existsSync(project.path('data/transform/date=2024-01-02/country=de/scale=0.25/rows.csv')),
    ).toBe(true);
  });

  it('prints one JSON event per line with --log-format json', async () => {
    const project = pipelineProject();
    const result = await project.dag([
      'run',
      'Extract',
      '--date',
      '2024-01-01',
      '--log-format',
      'json',
    ]);
    const events = result.stderr
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { event: string; id?: string });
    expect(events.map((event) => event.event)).toEqual([
      'planned',
      'started',
      'succeeded',
      'finished',
    ]);
    expect(events[1]!.id).toBe('Extract(date=2024-01-01, country=de)');
  });

  it('leaves no artifact when killed with SIGKILL mid-write, and the next run completes it', async () => {
    const project = pipelineProject();
    const child = project.dag(['run', 'SlowWrite', '--name', 'x'], { env: { SLOW_MS: '30000' } });
    await waitFor(() => existsSync(project.path('write-started.marker')));
    child.kill('SIGKILL');
    await child;
    expect(existsSync(project.path('data/slow/x.bin'))).toBe(false);
    const leftovers = (await import('node:fs')).readdirSync(project.path('data/slow'));
    expect(leftovers).toHaveLength(1);
    expect(leftovers[0]).toMatch(/^\.x\.bin\.dagwright-tmp-\d+-[0-9a-f]+$/);

    const next = await project.dag(['run', 'SlowWrite', '--name', 'x', '--json']);
    expect(jsonOf(next).status).toBe('success');
    expect(project.read('data/slow/x.bin')).toBe('first half\nsecond half\n');

    const cleaned = await project.dag(['clean-temp', 'data', '--older-than', '0s']);
    expect(cleaned.stdout).toContain('1 temp entries removed');
    expect((await import('node:fs')).readdirSync(project.path('data/slow'))).toEqual(['x.bin']);
  });

  it('on SIGINT lets the running task finish, starts nothing new, exits 130', async () => {
    const project = pipelineProject();
    const child = project.dag(['run', 'Steps', '--json'], { env: { SLOW_MS: '700' } });
    await waitFor(() => existsSync(project.path('write-started.marker')));
    child.kill('SIGINT');
    const result = await child;
    expect(result.exitCode).toBe(130);
    const doc = jsonOf(result);
    expect(doc.status).toBe('interrupted');
    expect(doc.counts).toMatchObject({ succeeded: 1, not_run: 3 });
    expect(executions(project)).toEqual(['SlowWrite(name=a)']);
    expect(project.read('data/slow/a.bin')).toBe('first half\nsecond half\n');
  });
});
