/**
 * The nomad executor against a real Nomad dev agent (docker driver, local busybox image),
 * through `run()`: one dispatch per attempt with the task's identity as Meta and the argv
 * unchanged, outputs written on a shared file system and published after exit 0, failures as
 * one line, and nothing dispatched when the configuration cannot work.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CommandTask, LocalTarget, p, run, type StagedPath } from '../../src/index.js';
import { useWorkdir } from '../helpers/workdir.js';
import { childrenOf, image, nomadApi, useNomad } from './nomad-helpers.js';

const work = useWorkdir();
const nomad = useNomad('nomad-executor');
/** The test's working directory stands for a file system every Nomad client mounts. */
const shared = () => nomad.executor({ sharedPaths: [work.dir] });
const children = (hash: string) => childrenOf(hash, nomad.runId);
const logOf = (family: string, hash: string) =>
  readFileSync(`.dagwright/logs/${family}/${hash}.log`, 'utf8');

class NomadEcho extends CommandTask.with({ words: p.list(p.string()) }) {
  override image = image;
  override output() {
    return new LocalTarget(`out/echo-${this.hash}.txt`);
  }
  command(staged: StagedPath) {
    // Each word is its own argument; the script prints them one per line. Nomad's docker
    // driver can lose the output of a container that exits at once: it lives 0.6 s.
    return [
      'sh',
      '-c',
      'for w in "$@"; do echo "[$w]"; done | tee "$0"; sleep 0.6',
      staged.path,
      ...this.words,
    ];
  }
}

class NomadScript extends CommandTask.with({
  script: p.string({ pathSafe: false }),
  memory: p.int({ default: 0 }),
}) {
  override image = image;
  override resources: Record<string, number> = this.memory > 0 ? { memoryMB: this.memory } : {};
  override output() {
    return new LocalTarget(`out/script-${this.hash}.txt`);
  }
  command(staged: StagedPath) {
    return ['sh', '-c', this.script, staged.path];
  }
}

describe('NomadExecutor', () => {
  it('dispatches the argv unchanged, with the task identity as Meta, and publishes the output', async () => {
    const words = ['plain', 'two words', 'it\'s "quoted"', '$HOME', '-n', 'ünïcode', '', '*'];
    const task = new NomadEcho({ words });
    const result = await run(task, { executor: shared() });
    expect(result.status).toBe('success');
    const expected = words.map((word) => `[${word}]\n`).join('');
    expect(readFileSync(`out/echo-${task.hash}.txt`, 'utf8')).toBe(expected);
    // Published by link: no staging is left beside it.
    expect(readdirSync('out')).toEqual([`echo-${task.hash}.txt`]);
    const dispatched = await children(task.hash);
    expect(dispatched).toHaveLength(1);
    expect(dispatched[0]!.Meta).toMatchObject({
      dagwright_task: task.id,
      dagwright_family: 'NomadEcho',
      dagwright_params: JSON.stringify(task.canonicalParams),
      dagwright_run: nomad.runId,
    });
    const log = logOf('NomadEcho', task.hash);
    expect(log).toMatch(/attempt 1: nomad local\/busybox:test sh -c /);
    expect(log).toContain('[two words]');
  });

  it('reports a non-zero exit as one line, and each retry is a new dispatch', async () => {
    const task = new NomadScript({ script: 'echo about to fail >&2; sleep 0.6; exit 3' });
    const result = await run(task, { executor: shared(), retries: 1, retryDelayMs: 10 });
    expect(result.status).toBe('failed');
    const report = result.tasks.find((t) => t.id === task.id)!;
    expect(report.attempts).toBe(2);
    expect(report.reason).toBe('Nomad task exited with code 3: sh (image local/busybox:test)');
    expect(await children(task.hash)).toHaveLength(2);
    expect(logOf('NomadScript', task.hash)).toContain('about to fail');
    expect(readdirSync('out', { withFileTypes: true }).length).toBe(0);
  });

  it('says when a task never fits the cluster, without waiting for a place', async () => {
    const task = new NomadScript({ script: 'true', memory: 10_000_000 });
    const result = await run(task, { executor: shared() });
    expect(result.status).toBe('failed');
    expect(result.tasks[0]!.reason).toMatch(
      /^it never fits this cluster: it asks for 10000000 MB of memory, the largest node has \d+ MB$/,
    );
    // The blocked child was purged.
    expect(await children(task.hash)).toEqual([]);
  });

  it('gives up on a task the busy cluster cannot place in time, and says it was busy', async () => {
    // Each asks for most of the node's memory (a reservation, not a use): one fits at a time.
    const node = (await nomadApi('GET', '/nodes?resources=true')) as {
      NodeResources: { Memory: { MemoryMB: number } };
    }[];
    const memory = Math.floor(node[0]!.NodeResources.Memory.MemoryMB * 0.6);
    const tasks = [1, 2].map(
      (n) => new NomadScript({ script: `sleep 6; echo ${n} > "$0"`, memory }),
    );
    const result = await run(tasks, {
      executor: nomad.executor({ sharedPaths: [work.dir], queueTimeoutMs: 2000 }),
      workers: 2,
    });
    const reasons = result.tasks.map((task) => task.reason).sort();
    expect(reasons[0]).toBe('not placed within 2 s: the cluster is busy (memory exhausted)');
    expect(reasons[1]).toMatch(/^ran/);
  });

  it('reports an image the node cannot get as one line', async () => {
    class Missing extends NomadScript {
      override image = 'local/not-here:1';
    }
    const result = await run(new Missing({ script: 'true' }), { executor: shared() });
    expect(result.status).toBe('failed');
    // No registry is reachable here: the driver's pull fails at once.
    expect(result.tasks[0]!.reason).toMatch(
      /^Nomad task driver failure: Failed to pull `local\/not-here:1`: .*: sh \(image local\/not-here:1\)$/,
    );
  });

  it('reports a task killed for using too much memory', async () => {
    const task = new NomadScript({
      script: 'dd if=/dev/zero of=/dev/null bs=200M count=1 && touch "$0"',
      memory: 32,
    });
    const result = await run(task, { executor: shared() });
    expect(result.status).toBe('failed');
    expect(result.tasks[0]!.reason).toBe(
      'Nomad task killed for running out of memory: sh (image local/busybox:test)',
    );
  });

  it('stops and purges the job when the attempt times out', async () => {
    const task = new NomadScript({ script: 'sleep 60; touch "$0"' });
    const started = Date.now();
    const result = await run(task, { executor: shared(), timeoutMs: 3000 });
    expect(result.status).toBe('failed');
    expect(result.tasks[0]!.reason).toMatch(/timed out after 3/);
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(await children(task.hash)).toEqual([]);
  });

  it('fails a task whose job is stopped from outside', async () => {
    const task = new NomadScript({ script: 'sleep 60; touch "$0"' });
    const running = run(task, { executor: shared() });
    let dispatched: Awaited<ReturnType<typeof childrenOf>> = [];
    while (dispatched.length === 0) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      dispatched = await children(task.hash);
    }
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await nomadApi('DELETE', `/job/${encodeURIComponent(dispatched[0]!.ID)}`);
    const result = await running;
    expect(result.status).toBe('failed');
    expect(result.tasks[0]!.reason).toBe(
      'Nomad task the job was stopped from outside before it finished: sh (image local/busybox:test)',
    );
  });

  it('refuses local artifacts outside the shared paths before dispatching anything', async () => {
    const task = new NomadScript({ script: 'touch "$0"' });
    await expect(run(task, { executor: nomad.executor() })).rejects.toThrow(
      /is on this machine's disk, which Nomad's nodes cannot see; use an artifact root on S3 or HDFS .* or declare a shared file system \(nomad.sharedPaths\)$/,
    );
    expect(await children(task.hash)).toEqual([]);
  });

  it('refuses an argument Nomad would interpolate', async () => {
    const task = new NomadEcho({ words: ['${NOMAD_META_dagwright_hash}'] });
    const result = await run(task, { executor: shared() });
    expect(result.status).toBe('failed');
    expect(result.tasks[0]!.reason).toMatch(/contains \$\{\.\.\.\}, which Nomad would replace/);
    expect(await children(task.hash)).toEqual([]);
  });
});
