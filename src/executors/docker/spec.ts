/**
 * What one attempt's container looks like: its argv unchanged, the folders it needs mounted at
 * the same absolute paths as outside (so every path the task computes means the same thing in
 * both places), the calling user, resource limits, and labels to find it again.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { dirname, resolve } from 'node:path';
import { flatten } from '../../shape.js';
import { isTask, type CommandTask, type Task } from '../../task.js';
import { pathExists } from '../../targets/atomic-file.js';
import { LocalTarget } from '../../targets/local.js';
import { isTarget, type Staging } from '../../targets/target.js';
import type { BindMount, ContainerSpec } from './engine.js';

export const LABEL = {
  run: 'dagwright.run',
  task: 'dagwright.task',
  family: 'dagwright.family',
  /** `<pid>@<hostname>` of the dagwright process: a dead owner means an orphan. */
  owner: 'dagwright.owner',
} as const;

export function ownerLabel(): string {
  return `${process.pid}@${hostname()}`;
}

/** `dagwright-<hash>-<attempt>-<random>`: unique, and says which task it is at a glance. */
export function containerName(task: Task, attempt: number): string {
  return `dagwright-${task.hash}-${attempt}-${randomBytes(3).toString('hex')}`;
}

export interface SpecInput {
  readonly task: Task;
  readonly image: string;
  readonly argv: readonly string[];
  /** Undefined: the image's own WORKDIR. */
  readonly workdir: string | undefined;
  readonly mounts: readonly BindMount[];
  readonly runId: string;
  readonly network: string;
  readonly env: Readonly<Record<string, string>>;
}

export function containerSpec(input: SpecInput): ContainerSpec {
  const { task } = input;
  const memoryMB = task.resources?.memoryMB;
  const cpu = task.resources?.cpu;
  const memory = memoryMB !== undefined && memoryMB > 0 ? Math.round(memoryMB * 2 ** 20) : 0;
  return {
    Image: input.image,
    // The image's entrypoint is kept: an argv meant for `docker run IMAGE argv...` works as is.
    Cmd: input.argv,
    Env: Object.entries(input.env).map(([name, value]) => `${name}=${value}`),
    Labels: {
      [LABEL.run]: input.runId,
      [LABEL.task]: task.hash,
      [LABEL.family]: task.family,
      [LABEL.owner]: ownerLabel(),
    },
    ...(input.workdir !== undefined ? { WorkingDir: input.workdir } : {}),
    ...(process.getuid && process.getgid
      ? { User: `${process.getuid()}:${process.getgid()}` }
      : {}),
    HostConfig: {
      Mounts: input.mounts,
      NetworkMode: input.network,
      // docker-init as PID 1 forwards signals; a shell as PID 1 would ignore SIGTERM.
      Init: true,
      // Removed by the executor once the exit status and OOM flag are read.
      AutoRemove: false,
      ...(memory > 0 ? { Memory: memory, MemorySwap: memory } : {}),
      ...(cpu !== undefined && cpu > 0 ? { NanoCpus: Math.round(cpu * 1e9) } : {}),
    },
  };
}

/**
 * What a CommandTask's program sees: the working directory read-only, each staging's folder
 * read-write, and the folder of each local input read-only.
 */
export function mountsFor(
  task: CommandTask,
  workdir: string,
  stagings: readonly Staging[],
): BindMount[] {
  return bindMounts([
    [workdir, true],
    ...stagings.map((staging) => [dirname(resolve(staging.path)), false] as const),
    ...inputFolders(task).map((dir) => [dir, true] as const),
  ]);
}

/** The existing folders of the task's local inputs (the outputs of what it requires). */
export function inputFolders(task: Task): string[] {
  const dirs: string[] = [];
  for (const dependency of flatten(task.requires(), isTask)) {
    for (const target of flatten(dependency.output(), isTarget)) {
      if (!(target instanceof LocalTarget)) continue;
      const dir = dirname(resolve(target.path));
      // A missing folder would make the whole create fail; the program reports the missing input.
      if (pathExists(dir)) dirs.push(dir);
    }
  }
  return dirs;
}

/**
 * `[folder, readOnly]` pairs as bind mounts at the same path. A folder named twice is mounted
 * once, writable if either asks; `/` is never mounted (it would hide the image).
 */
export function bindMounts(folders: Iterable<readonly [string, boolean]>): BindMount[] {
  const readOnly = new Map<string, boolean>();
  for (const [dir, ro] of folders) {
    if (dir !== '/') readOnly.set(dir, (readOnly.get(dir) ?? true) && ro);
  }
  // Sorted so that a folder comes before the folders inside it (dockerd sorts too; this makes
  // the spec easy to read).
  return [...readOnly.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([dir, ro]) => ({ Type: 'bind', Source: dir, Target: dir, ReadOnly: ro }));
}
