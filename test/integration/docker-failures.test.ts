/**
 * How the docker executor fails, against the real dockerd: one line naming what happened and
 * the image; nothing published; no container left behind, also after a timeout; orphans of dead
 * dagwright processes swept.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { DockerExecutor } from '../../src/executors/docker/executor.js';
import {
  CommandTask,
  LocalTarget,
  p,
  run,
  Task,
  UsageError,
  type RunEvent,
  type StagedPath,
} from '../../src/index.js';
import { useWorkdir } from '../helpers/workdir.js';
import { image, socketPath, useDocker } from './docker-helpers.js';

useWorkdir();
const docker = useDocker('docker-failures');

/** Runs `script` with `sh -c` in `img`; `$0` is the staged output. */
class DockerScript extends CommandTask.with({
  script: p.string({ pathSafe: false }),
  img: p.string({ default: image, pathSafe: false }),
  memoryMB: p.int({ default: 0 }),
  limitMs: p.int({ default: 0 }),
}) {
  override image = this.img;
  override resources = this.memoryMB > 0 ? { memoryMB: this.memoryMB } : undefined;
  override timeoutMs = this.limitMs > 0 ? this.limitMs : undefined;
  override output() {
    return new LocalTarget(`out/${this.hash}.txt`);
  }
  command(staged: StagedPath) {
    return ['sh', '-c', this.script, staged.path];
  }
}

async function failureOf(task: Task, executor = docker.executor()) {
  const events: RunEvent[] = [];
  const result = await run(task, { executor, onEvent: (event) => events.push(event) });
  const failed = events.find((event) => event.type === 'failed');
  expect(result.tasks[0]!.status).toBe('failed');
  return {
    reason: result.tasks[0]!.reason,
    logTail: failed?.type === 'failed' ? (failed.logTail ?? '') : '',
  };
}

describe('DockerExecutor failures', () => {
  it('names the exit code and the image, shows the output, publishes nothing', async () => {
    const task = new DockerScript({ script: 'echo partial > "$0"; echo broken >&2; exit 3' });
    const { reason, logTail } = await failureOf(task);
    expect(reason).toBe(`container exited with code 3: sh (image ${image})`);
    expect(logTail).toContain('broken');
    expect(readdirSync('out')).toEqual([]);
    expect(await docker.containersOf(task.hash)).toEqual([]);
  });

  it('reports a container killed for its memory limit', async () => {
    // dd allocates its 64 MB block up front and fills it: far over a 16 MB limit without swap.
    const task = new DockerScript({
      script: 'dd if=/dev/zero of=/dev/null bs=64M count=1',
      memoryMB: 16,
    });
    const { reason } = await failureOf(task);
    expect(reason).toBe(
      `container was killed for using more than 16 MB of memory (image ${image})`,
    );
  });

  it('never pulls an image that is not on this machine', async () => {
    const missing = 'local/dagwright-no-such-image:test';
    const { reason } = await failureOf(new DockerScript({ script: 'true', img: missing }));
    expect(reason).toBe(
      `image ${missing} is not on this machine (dagwright never pulls: build or load it first)`,
    );
  });

  it('kills and removes the container when the attempt times out', async () => {
    const task = new DockerScript({ script: 'echo started; sleep 30', limitMs: 1000 });
    const { reason, logTail } = await failureOf(task);
    expect(reason).toBe('timed out after 1.0s');
    expect(logTail).toContain('started');
    expect(await docker.containersOf(task.hash)).toEqual([]);
    expect(existsSync('out') ? readdirSync('out') : []).toEqual([]);
  });

  it('says when dockerd cannot be reached', async () => {
    const executor = new DockerExecutor({ socketPath: '/nonexistent/docker.sock', runId: 'x' });
    const { reason } = await failureOf(new DockerScript({ script: 'true' }), executor);
    expect(reason).toBe(
      'cannot reach dockerd at /nonexistent/docker.sock: is it running? (set docker.socket)',
    );
  });

  it('needs a pipeline image for any task but a CommandTask with an image, before running', async () => {
    class DockerPlain extends Task.with({ n: p.int() }) {
      override output() {
        return new LocalTarget('out/plain.txt');
      }
      override async run() {
        await this.output().write('plain');
      }
    }
    class DockerNoImage extends CommandTask.with({ n: p.int() }) {
      command() {
        return ['true'];
      }
    }
    for (const task of [new DockerPlain({ n: 1 }), new DockerNoImage({ n: 1 })]) {
      const running = run(task, { executor: docker.executor() });
      await expect(running).rejects.toBeInstanceOf(UsageError);
      await expect(running).rejects.toThrow(
        `${task.id}: the docker executor runs it as dag exec-task in a pipeline image, and none is configured: set pipeline.image in dag.config (scripts/pipeline-image.sh builds one)`,
      );
    }
    expect(existsSync('out')).toBe(false);
  });

  it('answers HTTP errors in one line with the status and the daemon’s message', async () => {
    await docker.engine.ping();
    expect(await docker.engine.imageExists(image)).toBe(true);
    expect(await docker.engine.imageExists('local/dagwright-no-such-image:test')).toBe(false);
    await expect(docker.engine.inspect('dagwright-no-such-container')).rejects.toThrow(
      'dockerd: GET /containers/dagwright-no-such-container/json failed with HTTP 404: No such container: dagwright-no-such-container',
    );
  });
});

describe('DockerExecutor.sweepOrphans', () => {
  it('kills and removes the containers of dead dagwright processes on this host', async () => {
    const deadPid = spawnSync(process.execPath, ['-e', '0']).pid;
    const suffix = Math.random().toString(36).slice(2, 8);
    const make = async (name: string, owner: string) => {
      await docker.engine.createContainer(name, {
        Image: image,
        Cmd: ['sleep', '30'],
        Env: [],
        Labels: { 'dagwright.run': docker.runId, 'dagwright.owner': owner },
        HostConfig: { Init: true, NetworkMode: 'none' },
      });
      await docker.engine.startContainer(name);
    };
    const orphan = `dagwright-orphan-${suffix}`;
    const living = `dagwright-living-${suffix}`;
    await make(orphan, `${deadPid}@${hostname()}`);
    await make(living, `${process.pid}@${hostname()}`);
    try {
      const removed = await DockerExecutor.sweepOrphans({ socketPath });
      // Executors in other test files sweep too, so the orphan may already be gone; it must be
      // gone now, and this sweep names it unless another got there first.
      const names = (await docker.engine.listContainers([`dagwright.run=${docker.runId}`])).map(
        (container) => container.Names[0],
      );
      expect(names).toEqual([`/${living}`]);
      expect(removed).not.toContain(living);
      if (removed.length > 0) expect(removed).toContain(orphan);
    } finally {
      await docker.engine.remove(living);
    }
  });
});
