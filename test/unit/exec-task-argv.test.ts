/**
 * execTaskArgv against the real `dag exec-task`: tasks with a parameter of every kind, and
 * awkward values (spaces, leading dashes, unicode, empty strings, commas, dag's own options as
 * values), are built again in another process with the same id, hash and parameters.
 */
import { execa } from 'execa';
import { symlinkSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import * as dagwright from '../../src/index.js';
import { execTaskArgv } from '../../src/executors/exec-task-argv.js';
import { clearFamilyDefaults, setFamilyDefault } from '../../src/params/family-defaults.js';
import type { Task } from '../../src/task.js';
import { defineAllKinds } from '../fixtures/all-kinds.js';
import { dagBin, makeProject, repoRoot, type Project } from '../helpers/project.js';

const { AllKinds, Dotted, Child, Parent } = defineAllKinds(dagwright, z);

function project(): Project {
  const p = makeProject();
  p.fixture('all-kinds.ts');
  symlinkSync(`${repoRoot}/node_modules/zod`, p.path('node_modules/zod'), 'dir');
  p.write(
    'tasks.ts',
    [
      "import * as dagwright from 'dagwright';",
      "import { z } from 'zod';",
      "import { defineAllKinds } from './all-kinds.js';",
      'export const { AllKinds, Dotted, Child, Parent } = defineAllKinds(dagwright, z);',
    ].join('\n'),
  );
  p.write('dag.config.json', JSON.stringify({ modules: ['tasks.ts'] }));
  return p;
}

/** Runs the argv in the project; returns what the task built there recorded about itself. */
async function roundTrip(p: Project, task: Task): Promise<unknown> {
  const [program, ...args] = execTaskArgv(task, [process.execPath, dagBin]);
  const result = await execa(program!, args, { cwd: p.dir, reject: false, env: { CI: '1' } });
  expect(result.exitCode, `${result.stderr}`).toBe(0);
  return JSON.parse(p.read(`out/${task.hash}.json`));
}

const recordOf = (task: Task) => ({
  id: task.id,
  hash: task.hash,
  params: task.canonicalParams,
});

describe('execTaskArgv', () => {
  it('is the command, exec-task, the family, and one --flag=value per parameter', () => {
    const task = new Dotted({ path: 'a/b c' });
    expect(execTaskArgv(task)).toEqual([
      'dag',
      'exec-task',
      'ns.Dotted',
      '--path=a/b c',
      '--flags=["true"]',
    ]);
    expect(execTaskArgv(task, ['node', '/opt/dagwright/dist/cli/bin.js']).slice(0, 3)).toEqual([
      'node',
      '/opt/dagwright/dist/cli/bin.js',
      'exec-task',
    ]);
  });

  it('gives every parameter kind back unchanged through dag exec-task', async () => {
    const p = project();
    const awkward = new AllKinds({
      text: 'two words, and = signs',
      dashed: '--config',
      empty: '',
      count: -3,
      ratio: -1.5e-7,
      flag: false,
      on: true,
      mode: '-odd mode',
      day: '2024-02-29',
      month: '2024-12',
      hour: '2024-01-01T23',
      minute: '2024-01-01T0905',
      interval: '2024-W05',
      wait: '1h30m',
      tags: ['a,b', ' spaced ', '', '-m', 'Zürich 東京 🚀'],
      numbers: [-1, 0, 42],
      nested: [['x,y', ''], [], ['--json']],
      settings: {
        name: 'ünïcode "quoted"',
        values: [1.5, '-2', ''],
        deep: { b: null, a: ['line\nbreak', { c: true }] },
      },
      note: '-h',
    });
    const plain = new AllKinds({
      text: 'x',
      count: 0,
      ratio: 0,
      mode: 'fast',
      day: '2024-01-01',
      month: '2024-01',
      hour: '2024-01-01T00',
      minute: '2024-01-01T0000',
      interval: '2024-05-01-2024-06-01',
      wait: 0,
      tags: [],
      settings: { name: '', values: [], deep: {} },
    });
    const loneEmpty = new AllKinds({ ...plain, tags: [''], nested: [[''], ['']], text: '-' });
    const dotted = new Dotted({ path: '../a b/--c\\d,e', flags: [false, true] });
    for (const task of [awkward, plain, loneEmpty, dotted]) {
      expect(await roundTrip(p, task)).toEqual(recordOf(task));
    }
  });

  it('passes the per-family values given to this process, so upstream tasks are the same there', async () => {
    const p = project();
    const child = new Child({ size: 5 });
    await roundTrip(p, child);
    setFamilyDefault('Child', 'size', 5, Child.params.size!);
    try {
      const parent = new Parent({ name: 'x' });
      expect(parent.requires()).toBe(child);
      expect(execTaskArgv(parent)).toEqual([
        'dag',
        'exec-task',
        'Parent',
        '--name=x',
        '--Child.size=5',
      ]);
      // Without the value, the container's Parent would need Child(size=1), which is missing.
      expect(await roundTrip(p, parent)).toEqual(recordOf(parent));
    } finally {
      clearFamilyDefaults();
    }
  });
});
