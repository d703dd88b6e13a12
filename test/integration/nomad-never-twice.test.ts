/**
 * "Never the same task twice", taken to its end on Nomad, through the real `dag` executable:
 * two runs racing over the same partitions dispatch each once, and a `dag` killed with -9 while
 * its jobs run leaves them to the next run, which follows them instead of dispatching again.
 */
import { describe, expect, it } from 'vitest';
import { jsonOf, makeProject, type Project } from '../helpers/project.js';
import { childrenOf, image, nomad, untilRunning } from './nomad-helpers.js';
import { uniquePrefix } from './services.js';

const env = { DOCKER_TEST_IMAGE: image, NOMAD_ADDR: nomad.addr };

function project(): Project {
  const p = makeProject();
  p.fixture('nomad-pipeline.ts');
  p.write(
    'dag.config.json',
    JSON.stringify({
      modules: ['nomad-pipeline.ts'],
      artifactRoot: 'data',
      executors: { Part: 'nomad' },
      // The project folder stands for a file system every Nomad client mounts.
      nomad: { sharedPaths: ['.'] },
    }),
  );
  return p;
}

/** The hash of each Part, from a `dag plan --json`. */
async function partHashes(p: Project, args: string[]): Promise<string[]> {
  const planned = await p.dag(['plan', ...args, '--json'], { env });
  expect(planned.exitCode, String(planned.stderr)).toBe(0);
  const tasks = JSON.parse(String(planned.stdout)).tasks as { family: string; hash: string }[];
  return tasks.filter((task) => task.family === 'Part').map((task) => task.hash);
}

const dispatchesOf = async (hashes: string[]) =>
  Promise.all(hashes.map(async (hash) => (await childrenOf(hash)).length));

describe('the nomad executor never runs a task twice', () => {
  it('two dag runs racing over 20 partitions dispatch each partition once', async () => {
    const p = project();
    const args = ['All', '--tag', uniquePrefix('race'), '--n', '20', '--seconds', '0.5'];
    const hashes = await partHashes(p, args);
    const runs = [1, 2].map(() =>
      p.dag(['run', ...args, '--workers', '8', '--json'], { env, timeoutMs: 240_000 }),
    );
    const results = await Promise.all(runs);
    for (const result of results) expect(result.exitCode, String(result.stderr)).toBe(0);
    const succeeded = results.map((result) => jsonOf(result).counts.succeeded!);
    // Between them they ran the 20 parts and the gathering task, each once.
    expect(succeeded[0]! + succeeded[1]!).toBe(21);
    expect(await dispatchesOf(hashes)).toEqual(Array(20).fill(1));
    const all = Array.from({ length: 20 }, (_, i) => `part ${i}\n`).join('');
    expect(p.read(`data/${args[2]}/all.txt`)).toBe(all);
  }, 300_000);

  it('after kill -9 of dag, the next run follows the running jobs instead of dispatching again', async () => {
    const p = project();
    const args = ['All', '--tag', uniquePrefix('crash'), '--n', '3', '--seconds', '6'];
    const hashes = await partHashes(p, args);
    const first = p.dag(['run', ...args, '--workers', '3'], { env, timeoutMs: 120_000 });
    // Kill it once every part runs on Nomad.
    await untilRunning(hashes);
    first.kill('SIGKILL');
    await first;
    const second = await p.dag(['run', ...args, '--workers', '3', '--json'], {
      env,
      timeoutMs: 120_000,
    });
    expect(second.exitCode, String(second.stderr)).toBe(0);
    expect(jsonOf(second).counts).toMatchObject({ succeeded: 4, failed: 0 });
    expect(await dispatchesOf(hashes)).toEqual([1, 1, 1]);
    expect(p.read(`data/${args[2]}/all.txt`)).toBe('part 0\npart 1\npart 2\n');
    const log = p.read(`.dagwright/logs/Part/${hashes[0]}.log`);
    expect(log).toMatch(/adopted Nomad job dagwright-[0-9a-f]{16}\/dispatch-/);
  }, 180_000);

  it('a second Ctrl+C stops and purges the running jobs', async () => {
    const p = project();
    const args = ['All', '--tag', uniquePrefix('cancel'), '--n', '2', '--seconds', '60'];
    const hashes = await partHashes(p, args);
    const run = p.dag(['run', ...args, '--workers', '2', '--json'], { env, timeoutMs: 120_000 });
    await untilRunning(hashes);
    run.kill('SIGINT');
    await new Promise((resolve) => setTimeout(resolve, 300));
    run.kill('SIGINT');
    const result = await run;
    expect(result.exitCode).toBe(130);
    expect(jsonOf(result).counts).toMatchObject({ failed: 2 });
    // Purged: Nomad no longer lists them, and their containers are gone with them.
    expect(await dispatchesOf(hashes)).toEqual([0, 0]);
  }, 120_000);
});
