/**
 * Bad input: a clear one-line error, the documented exit code, no stack trace without --debug,
 * and nothing already written is touched.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeProject, type Project } from '../helpers/project.js';

let project: Project;
let before: Map<string, string>;

/** Every file under data/ with its content and mtime. */
function snapshot(): Map<string, string> {
  const files = new Map<string, string>();
  const dir = project.path('data');
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    files.set(path, `${readFileSync(path, 'utf8')}@${statSync(path).mtimeMs}`);
  }
  return files;
}

beforeAll(async () => {
  project = makeProject();
  project.fixture('pipeline.ts');
  project.fixture('broken.ts');
  project.write('dag.config.json', JSON.stringify({ modules: ['pipeline.ts'] }));
  const first = await project.dag(['run', 'Report', '--date', '2024-01-01']);
  expect(first.exitCode).toBe(0);
  before = snapshot();
});

const cases: Array<[string, string[], number, string | RegExp]> = [
  [
    'unknown task family',
    ['run', 'Reprot', '--date', '2024-01-01'],
    2,
    "unknown task family 'Reprot' (did you mean 'Report'?); known: Backfill, Extract, Folder, Incoming, Ingest, Report, SlowWrite, Steps, Transform",
  ],
  [
    'unknown flag',
    ['run', 'Report', '--dat', '2024-01-01'],
    2,
    "unknown option '--dat' (did you mean --date?)",
  ],
  [
    'missing required parameter',
    ['run', 'Report'],
    2,
    "Report: missing required parameter 'date' (date (YYYY-MM-DD)); pass --date <value>",
  ],
  [
    'a value that does not parse',
    ['run', 'Report', '--date', '2024-13-45'],
    2,
    'Report: --date: "2024-13-45" is not a valid date',
  ],
  [
    'a value of the wrong kind',
    ['run', 'Transform', '--date', '2024-01-01', '--scale', 'big'],
    2,
    'Transform: --scale: expected a number, got "big"',
  ],
  [
    'a value below the minimum',
    ['run', 'Transform', '--date', '2024-01-01', '--scale', '-1'],
    2,
    'Transform: --scale: -1 is below the minimum 0',
  ],
  [
    'a value escaping its folder through paramPath()',
    ['run', 'Report', '--date', '2024-01-01', '--countries', '../../etc'],
    2,
    /Report: --countries: item 0: "\.\.\/\.\.\/etc" is not allowed: parameter values go into artifact paths/,
  ],
  [
    'a value escaping its folder through a path template',
    ['run', 'Folder', '--folder', '../../etc'],
    2,
    `Folder(folder=../../etc): artifact path "data/../../etc/out.txt" contains '..' and could leave its folder; check the parameter values used to build it, or pass an absolute path`,
  ],
  [
    'an upstream override for an unknown parameter',
    ['run', 'Report', '--date', '2024-01-01', '--Transform.scal', '2'],
    2,
    /unknown option '--Transform.scal'/,
  ],
  [
    'a module that does not exist',
    ['run', 'Report', '-m', 'nope.ts', '--date', '2024-01-01'],
    2,
    /^module not found: .*nope\.ts$/,
  ],
  [
    'a bad --workers',
    ['run', 'Report', '--date', '2024-01-01', '--workers', '0'],
    2,
    '--workers must be a positive integer, got "0"',
  ],
  [
    'an unknown command',
    ['rnu', 'Report'],
    2,
    "unknown command 'rnu' (did you mean 'run'?); commands: run, plan, check, graph, list, backfill, cron, exec-task, clean-temp",
  ],
  [
    'a cycle',
    ['run', 'Egg', '-m', 'broken.ts'],
    5,
    'dependency cycle: Egg(n=1) -> Chicken(n=1) -> Egg(n=1)',
  ],
  [
    'requires() returning something that is not a task',
    ['run', 'NotATask', '-m', 'broken.ts'],
    5,
    'NotATask(): requires() returned an instance of LocalTarget, which is not a task (wrap a target in an ExternalTask whose output() returns it)',
  ],
];

describe('bad input', () => {
  it.each(cases)('%s', async (_name, args, code, message) => {
    const result = await project.dag(args);
    expect(result.exitCode).toBe(code);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^dag: error: /);
    const text = lines[0]!.replace(/^dag: error: /, '');
    if (typeof message === 'string') expect(text).toBe(message);
    else expect(text).toMatch(message);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(snapshot()).toEqual(before);
  });

  it('names the key and the file of an invalid config', async () => {
    const other = makeProject();
    other.fixture('pipeline.ts');
    other.write('dag.config.json', JSON.stringify({ modules: ['pipeline.ts'], wrokers: 2 }));
    const result = await other.dag(['run', 'Report', '--date', '2024-01-01']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr.trim()).toBe(
      `dag: error: ${other.path('dag.config.json')}: unknown key 'wrokers' (did you mean 'workers'?); known keys: modules, workers, executor, executors, docker, nomad, pipeline, failFast, wait, retries, retryDelayMs, timeoutMs, resources, artifactRoot, s3, hdfs, lockDir, lockStore, logDir, logFormat, params`,
    );
    other.write('dag.config.json', JSON.stringify({ modules: ['pipeline.ts'], workers: 'many' }));
    const wrongType = await other.dag(['run', 'Report', '--date', '2024-01-01']);
    expect(wrongType.stderr).toMatch(/dag\.config\.json: invalid value for 'workers': /);
  });

  it('reports a module that fails to load, and shows the stack only with --debug', async () => {
    const other = makeProject();
    other.write(
      'bad.ts',
      "import { Task } from 'dagwright';\nthrow new Error('cannot connect to the feature store');\nexport class X extends Task {}\n",
    );
    const result = await other.dag(['run', 'X', '-m', 'bad.ts']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr.trim()).toBe(
      `dag: error: module ${other.path('bad.ts')} failed to load: cannot connect to the feature store`,
    );
    const debug = await other.dag(['run', 'X', '-m', 'bad.ts', '--debug']);
    expect(debug.exitCode).toBe(2);
    expect(debug.stderr).toMatch(/\n\s+at /);
  });

  it('prints a scheduling_error document with --json', async () => {
    const result = await project.dag(['run', 'Egg', '-m', 'broken.ts', '--json']);
    expect(result.exitCode).toBe(5);
    expect(JSON.parse(result.stdout)).toMatchObject({
      status: 'scheduling_error',
      exitCode: 5,
      tasks: [],
    });
  });
});
