/**
 * Failure injection on Nomad: a container killed from outside, and the Nomad agent restarted
 * mid-run (a private dev agent on its own ports, so other test files keep theirs). Each gives the
 * right status, a one-line message, and a retry that is a new dispatch.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DockerEngine } from '../../src/executors/docker/engine.js';
import { CommandTask, LocalTarget, p, run, type StagedPath } from '../../src/index.js';
import { repoRoot } from '../helpers/project.js';
import { useWorkdir } from '../helpers/workdir.js';
import { childrenOf, image, nomadApi, untilRunning, useNomad } from './nomad-helpers.js';
import { dockerService } from './services.js';

const work = useWorkdir();
const nomad = useNomad('nomad-failures');

class Sleeper extends CommandTask.with({ seconds: p.int(), tag: p.string() }) {
  override image = image;
  override output() {
    return new LocalTarget(`out/${this.tag}.txt`);
  }
  command(staged: StagedPath) {
    return ['sh', '-c', 'sleep "$1"; echo done > "$0"', staged.path, String(this.seconds)];
  }
}

describe('NomadExecutor under failures', () => {
  it('a container killed from outside fails the attempt; the retry dispatches again', async () => {
    const task = new Sleeper({ seconds: 3, tag: 'killed' });
    const retries: string[] = [];
    const running = run(task, {
      executor: nomad.executor({ sharedPaths: [work.dir] }),
      retries: 1,
      retryDelayMs: 10,
      onEvent: (event) => void (event.type === 'retrying' && retries.push(event.error)),
    });
    await untilRunning([task.hash]);
    const engine = new DockerEngine(dockerService().host.replace(/^unix:\/\//, ''));
    try {
      const [child] = await childrenOf(task.hash, nomad.runId);
      const [alloc] = (await nomadApi(
        'GET',
        `/job/${encodeURIComponent(child!.ID)}/allocations`,
      )) as { ID: string }[];
      // The job runs once it is placed; its container starts a moment later.
      let containers: Awaited<ReturnType<typeof engine.listContainers>> = [];
      while (containers.length === 0) {
        containers = await engine.listContainers([`com.hashicorp.nomad.alloc_id=${alloc!.ID}`]);
        await new Promise((done) => setTimeout(done, 100));
      }
      await engine.kill(containers[0]!.Id);
    } finally {
      engine.close();
    }
    const result = await running;
    expect(result.status).toBe('success');
    expect(result.tasks[0]!.attempts).toBe(2);
    expect(retries).toEqual(['Nomad task exited with code 137: sh (image local/busybox:test)']);
    expect(await childrenOf(task.hash, nomad.runId)).toHaveLength(2);
    expect(readFileSync('out/killed.txt', 'utf8')).toBe('done\n');
  });

  it('an agent restarted mid-run loses the job: the attempt fails and the retry runs it', async () => {
    const script = resolve(repoRoot, 'scripts/services/nomad.sh');
    const port = '4756';
    const env = { ...process.env, NOMAD_HTTP_PORT: port };
    const address = `http://127.0.0.1:${port}`;
    execFileSync(script, ['start'], { env, stdio: ['ignore', 'ignore', 'inherit'] });
    try {
      const task = new Sleeper({ seconds: 6, tag: 'restarted' });
      const retries: string[] = [];
      const running = run(task, {
        executor: nomad.executor({ sharedPaths: [work.dir], settings: { address } }),
        retries: 1,
        retryDelayMs: 10,
        onEvent: (event) => void (event.type === 'retrying' && retries.push(event.error)),
      });
      await untilRunning([task.hash], address);
      execFileSync(script, ['stop'], { env, stdio: ['ignore', 'ignore', 'inherit'] });
      execFileSync(script, ['start'], { env, stdio: ['ignore', 'ignore', 'inherit'] });
      const result = await running;
      expect(result.status).toBe('success');
      expect(result.tasks[0]!.attempts).toBe(2);
      expect(retries).toHaveLength(1);
      expect(retries[0]).toMatch(
        /^Nomad task Nomad no longer knows job dagwright-[0-9a-f]{16}\/dispatch-\S+ \(purged/,
      );
      expect(readFileSync('out/restarted.txt', 'utf8')).toBe('done\n');
    } finally {
      execFileSync(script, ['stop'], { env, stdio: ['ignore', 'ignore', 'inherit'] });
    }
  }, 120_000);
});
