/**
 * Tasks that are not CommandTasks with an image run on Docker as `dag exec-task` in the pipeline
 * image (dagwright and the user's project). The container does the whole task and publishes its
 * own outputs through their targets, so local artifacts need their folders mounted at the same
 * paths, and the container needs the same artifact root as this process.
 */
import { dirname, isAbsolute, resolve } from 'node:path';
import { UsageError } from '../../errors.js';
import { flatten } from '../../shape.js';
import { CommandTask, type Task } from '../../task.js';
import { artifactRoot } from '../../targets/artifact.js';
import { ensureDir, pathExists } from '../../targets/atomic-file.js';
import { LocalTarget } from '../../targets/local.js';
import { isTarget } from '../../targets/target.js';
import type { BindMount } from './engine.js';
import { bindMounts, inputFolders } from './spec.js';

/** Config `pipeline`: the image that runs `dag exec-task`. */
export interface PipelineImage {
  readonly image: string;
  /** How the image runs dag. Default `['dag']`. */
  readonly command?: readonly string[];
  /** Working directory in the container. Default: the image's WORKDIR. */
  readonly workdir?: string;
}

/** Everything but a CommandTask with its own image. */
export function needsPipelineImage(task: Task): boolean {
  return !(task instanceof CommandTask && task.image);
}

/** Names the first of the tasks, and how many more there are. */
export function noPipelineImage(tasks: readonly Task[], executor = 'docker'): UsageError {
  const more = tasks.length > 1 ? ` (and ${tasks.length - 1} more)` : '';
  return new UsageError(
    `${tasks[0]!.id}${more}: the ${executor} executor runs it as dag exec-task in a pipeline image, and none is configured: set pipeline.image in dag.config (scripts/pipeline-image.sh builds one)`,
  );
}

/** Outputs a container cannot write, such as a MemoryTarget of this process. */
export function unreachableOutput(task: Task): UsageError | undefined {
  const output = flatten(task.output(), isTarget).find((target) => !target.store.durable);
  if (!output) return undefined;
  return new UsageError(
    `${task.id}: its output ${output.uri} lives in this process, where a container cannot write it; run the task locally or use a durable target`,
  );
}

/**
 * Each local output's folder read-write (created first: a missing source fails the create) and
 * each local input's folder read-only, all at their own paths.
 */
export function pipelineMounts(task: Task): BindMount[] {
  const outputDirs = flatten(task.output(), isTarget)
    .filter((target) => target instanceof LocalTarget)
    .map((target) => dirname(resolve(target.path)));
  for (const dir of outputDirs) ensureDir(dir);
  return bindMounts([
    ...outputDirs.map((dir) => [dir, false] as const),
    ...inputFolders(task).map((dir) => [dir, true] as const),
  ]);
}

/**
 * `DAG_ARTIFACT_ROOT` for the container: this process's root, absolute (the working directory
 * when none is set), so `artifact()` names the same artifacts inside as here. It wins over the
 * image's dag.config and loses only to an `--artifact-root` flag, which exec-task is not given.
 */
export function containerArtifactRoot(): string {
  const root = artifactRoot();
  if (root === undefined) return process.cwd();
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(root) ? root : resolve(root);
}

/** `dag exec-task` exit codes (DESIGN.md 6) as one line, pointing at the container's output. */
export function execTaskFailure(code: number, image: string, logPath: string): string | undefined {
  const where = `(dag exec-task exited with code ${code} in image ${image}); its output is in the task log ${logPath}`;
  switch (code) {
    case 1:
      return `the task failed in its container ${where}`;
    case 2:
      return `the container's dag rejected the task as invalid ${where}: is the image built from this project's current code?`;
    case 3:
      return `the container found the task's inputs missing ${where}: does it see the same artifacts (artifact root, mounts)?`;
    case 5:
      return `the container could not plan the task ${where}`;
    default:
      return undefined;
  }
}

/**
 * After exit 0, an output missing at a relative path was most likely written inside the
 * container, relative to its own working directory: say so instead of "output missing".
 */
export function relativeOutputLost(task: Task, workdir: string | undefined): string | undefined {
  const relative = flatten(task.output(), isTarget).find(
    (target) =>
      target instanceof LocalTarget && !isAbsolute(target.path) && !pathExists(target.path),
  ) as LocalTarget | undefined;
  if (!relative) return undefined;
  return `${relative.path} is a relative path, which the container resolves against its own working directory (${workdir ?? "the image's WORKDIR"}): build local outputs with artifact() or an absolute path`;
}
