/** The other subcommands: plan, check, graph, list, exec-task, help; --no-wait; TS modules. */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { dagBin, jsonOf, makeProject, pipelineProject, waitFor } from '../helpers/project.js';

describe('dag plan and dag check', () => {
  it('plan --json lists every task with status, reason, deps and outputs, and changes nothing', async () => {
    const project = pipelineProject();
    await project.dag(['run', 'Extract', '--date', '2024-01-01', '--country', 'fr']);
    const result = await project.dag([
      'plan',
      'Report',
      '--date',
      '2024-01-01',
      '--countries',
      'de,fr',
      '--json',
    ]);
    expect(result.exitCode).toBe(0);
    const { tasks } = JSON.parse(result.stdout) as { tasks: Array<Record<string, unknown>> };
    expect(tasks.map((task) => [task.id, task.status, task.reason])).toEqual([
      [
        'Extract(date=2024-01-01, country=de)',
        'pending',
        'missing data/extract/date=2024-01-01/country=de/rows.csv',
      ],
      ['Extract(date=2024-01-01, country=fr)', 'complete', 'outputs exist'],
      [
        'Transform(date=2024-01-01, country=de, scale=1.5)',
        'pending',
        'missing data/transform/date=2024-01-01/country=de/scale=1.5/rows.csv',
      ],
      [
        'Transform(date=2024-01-01, country=fr, scale=1.5)',
        'pending',
        'missing data/transform/date=2024-01-01/country=fr/scale=1.5/rows.csv',
      ],
      [
        'Report(date=2024-01-01, countries=de,fr)',
        'pending',
        'missing data/report/date=2024-01-01/countries=de,fr/report.txt',
      ],
    ]);
    const report = tasks.at(-1)!;
    expect(report.deps).toEqual([
      'Transform(date=2024-01-01, country=de, scale=1.5)',
      'Transform(date=2024-01-01, country=fr, scale=1.5)',
    ]);
    expect(Object.keys(report).sort()).toEqual([
      'deps',
      'family',
      'hash',
      'id',
      'outputs',
      'params',
      'reason',
      'status',
    ]);
    expect(existsSync(project.path('data/report'))).toBe(false);
    expect(readFileSync(project.path('executions.log'), 'utf8').trim().split('\n')).toHaveLength(1);
  });

  it('check exits 1 while anything is missing and 0 once everything is complete', async () => {
    const project = pipelineProject();
    const before = await project.dag(['check', 'Transform', '--date', '2024-01-01']);
    expect(before.exitCode).toBe(1);
    expect(before.stdout).toContain(
      'incomplete: Transform(date=2024-01-01, country=de, scale=1.5)',
    );
    await project.dag(['run', 'Transform', '--date', '2024-01-01']);
    const after = await project.dag(['check', 'Transform', '--date', '2024-01-01', '--json']);
    expect(after.exitCode).toBe(0);
    expect(JSON.parse(after.stdout)).toMatchObject({ complete: true });
  });
});

describe('dag graph', () => {
  it('prints dot, mermaid and graphlib json, with edges from dependency to dependent', async () => {
    const project = pipelineProject();
    const args = ['graph', 'Transform', '--date', '2024-01-01'];
    const dot = (await project.dag([...args, '--format', 'dot'])).stdout;
    expect(dot).toMatch(/^digraph dag \{/);
    expect(dot).toContain(
      'label="Transform(date=2024-01-01, country=de, scale=1.5)", fillcolor="#fff3cd"',
    );
    const mermaid = (await project.dag([...args, '--format', 'mermaid'])).stdout;
    expect(mermaid).toMatch(/^flowchart LR\n/);
    const json = JSON.parse((await project.dag([...args, '--format', 'json'])).stdout) as {
      nodes: Array<{ v: string; value: { id: string } }>;
      edges: Array<{ v: string; w: string }>;
    };
    const idOf = (hash: string) => json.nodes.find((node) => node.v === hash)!.value.id;
    expect(json.edges.map((edge) => [idOf(edge.v), idOf(edge.w)])).toEqual([
      ['Extract(date=2024-01-01, country=de)', 'Transform(date=2024-01-01, country=de, scale=1.5)'],
    ]);
  });

  it('--all draws the whole graph of a finished pipeline', async () => {
    const project = pipelineProject();
    await project.dag(['run', 'Transform', '--date', '2024-01-01']);
    const plain = JSON.parse(
      (await project.dag(['graph', 'Transform', '--date', '2024-01-01', '--format', 'json']))
        .stdout,
    );
    const all = JSON.parse(
      (
        await project.dag([
          'graph',
          'Transform',
          '--date',
          '2024-01-01',
          '--format',
          'json',
          '--all',
        ])
      ).stdout,
    );
    expect(plain.nodes).toHaveLength(1);
    expect(all.nodes).toHaveLength(2);
  });
});

describe('dag list and help', () => {
  it('lists families with parameter types, defaults and descriptions', async () => {
    const project = pipelineProject();
    const result = await project.dag(['list', '--json']);
    const { families } = JSON.parse(result.stdout) as {
      families: Array<{ family: string; params: unknown[] }>;
    };
    expect(families.map((family) => family.family)).toContain('Report');
    expect(families.find((family) => family.family === 'Report')!.params).toEqual([
      {
        name: 'date',
        flag: '--date',
        type: 'date (YYYY-MM-DD)',
        required: true,
        significant: true,
        description: 'report day',
      },
      {
        name: 'countries',
        flag: '--countries',
        type: 'list of string',
        required: false,
        default: 'de,fr,nl',
        significant: true,
        description: 'countries to include',
      },
    ]);
  });

  it('dag run --help <Family> shows the parameters with types and defaults', async () => {
    const project = pipelineProject();
    const result = await project.dag(['run', '--help', 'Transform']);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/--date <value>\s+date \(YYYY-MM-DD\); required/);
    expect(result.stdout).toMatch(/--scale <value>\s+float; default: 1\.5/);
    expect(result.stdout).toContain('--workers <n>');
  });

  it('dag --help lists the commands and exit codes', async () => {
    const result = await makeProject().dag(['--help']);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('run <Family> [--param value]...');
    expect(result.stdout).toContain('5 scheduling error');
  });
});

describe('on a terminal', () => {
  it('shows a live progress line, then the summary', async () => {
    const project = pipelineProject();
    // `script` gives the child a real pseudo-terminal; stty gives it a size.
    const command = `stty rows 40 cols 160; ${process.execPath} ${dagBin} run Steps`;
    const result = await execa('script', ['-qec', command, '/dev/null'], {
      cwd: project.dir,
      env: { SLOW_MS: '300', CI: '', TERM: 'xterm' },
      extendEnv: true,
      reject: false,
    });
    expect(result.exitCode).toBe(0);
    const escapes = new RegExp(`${String.fromCharCode(27)}\\[[0-9;?]*[a-zA-Z]`, 'g');
    const screen = result.stdout.replace(escapes, '');
    expect(screen).toMatch(/\d\/4 done · 1 running · \d pending · /);
    expect(screen).toContain('SlowWrite(name=a)');
    expect(screen).toMatch(/success: 4 succeeded in /);
  });
});

describe('dag exec-task', () => {
  it('runs exactly the one task when its requirements are complete', async () => {
    const project = pipelineProject();
    const missing = await project.dag(['exec-task', 'Transform', '--date', '2024-01-01']);
    expect(missing.exitCode).toBe(3);
    expect(missing.stderr.trim()).toBe(
      'dag: error: Transform(date=2024-01-01, country=de, scale=1.5): requirements not complete: Extract(date=2024-01-01, country=de)',
    );
    await project.dag(['exec-task', 'Extract', '--date', '2024-01-01']);
    const result = await project.dag(['exec-task', 'Transform', '--date', '2024-01-01', '--json']);
    expect(result.exitCode).toBe(0);
    expect(jsonOf(result).tasks.map((task) => [task.id, task.status])).toEqual([
      ['Transform(date=2024-01-01, country=de, scale=1.5)', 'succeeded'],
    ]);
    expect(readFileSync(project.path('executions.log'), 'utf8').trim().split('\n')).toEqual([
      'Extract(date=2024-01-01, country=de)',
      'Transform(date=2024-01-01, country=de, scale=1.5)',
    ]);
  });
});

describe('--no-wait', () => {
  it('exits 4 when another process is running a task it needs', async () => {
    const project = pipelineProject();
    const first = project.dag(['run', 'SlowWrite', '--name', 'shared'], {
      env: { SLOW_MS: '3000' },
    });
    await waitFor(() => existsSync(project.path('write-started.marker')));
    const second = await project.dag([
      'run',
      'SlowWrite',
      '--name',
      'shared',
      '--no-wait',
      '--json',
    ]);
    expect(second.exitCode).toBe(4);
    const doc = jsonOf(second);
    expect(doc.status).toBe('running_elsewhere');
    expect(doc.tasks[0]!.reason).toMatch(/^running in pid \d+ on /);
    expect((await first).exitCode).toBe(0);
  });
});

describe('TypeScript task modules', () => {
  it.each(['module', 'commonjs'] as const)('load directly in a %s project', async (type) => {
    const project = pipelineProject(type);
    const result = await project.dag(['run', 'Extract', '--date', '2024-01-01', '--json']);
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(jsonOf(result).status).toBe('success');
  });

  it('loads ESM-only TypeScript: top-level await, and .mts files', async () => {
    const project = makeProject();
    const source = (name: string) =>
      [
        "import { LocalTarget, Task } from 'dagwright';",
        'const suffix = await Promise.resolve(import.meta.url.endsWith(".mts") ? "m" : "t");',
        `export class ${name} extends Task {`,
        '  override output() { return new LocalTarget(`out/${suffix}.txt`); }',
        '  override async run() { await this.output().write(suffix); }',
        '}',
      ].join('\n');
    project.write('awaits.ts', source('Awaits'));
    project.write('module.mts', source('Module'));
    expect((await project.dag(['run', 'Awaits', '-m', 'awaits.ts'])).exitCode).toBe(0);
    expect((await project.dag(['run', 'Module', '-m', 'module.mts'])).exitCode).toBe(0);
    expect(project.read('out/t.txt')).toBe('t');
    expect(project.read('out/m.txt')).toBe('m');
  });

  it('warns when an upstream flag sets no task', async () => {
    const project = pipelineProject();
    const result = await project.dag([
      'plan',
      'Report',
      '--date',
      '2024-01-01',
      '--Extract.country',
      'fr',
    ]);
    expect(result.stderr).toContain('warning: --Extract.country set no task');
  });
});
