/**
 * The docker executor: one container per attempt, driven through the Engine API. A CommandTask
 * with an `image` runs its argv unchanged in that image; its outputs are staged on this machine,
 * mounted into the container at the same paths, and published here after exit 0, so the bytes
 * never pass through dagwright and the append-only guarantee is the same as locally. Any other
 * task runs as `dag exec-task` in the pipeline image, which publishes its outputs itself.
 */
import { createWriteStream } from 'node:fs';
import { resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { UsageError, messageOf } from '../../errors.js';
import { CommandTask, type Task } from '../../task.js';
import { appendLogHeader, quote, runStaged } from '../command.js';
import { execTaskArgv } from '../exec-task-argv.js';
import type { ExecutionContext, Executor } from '../executor.js';
import {
  DockerEngine,
  DockerEngineError,
  socketPathFromEnv,
  type BindMount,
  type LogFrame,
} from './engine.js';
import { sweepOrphans } from './orphans.js';
import {
  containerArtifactRoot,
  execTaskFailure,
  needsPipelineImage,
  noPipelineImage,
  pipelineMounts,
  relativeOutputLost,
  unreachableOutput,
  type PipelineImage,
} from './pipeline.js';
import { containerName, containerSpec, mountsFor } from './spec.js';
import { settledWithin } from '../../settled-within.js';

export interface DockerExecutorOptions {
  /** dockerd's socket. Default: `DOCKER_HOST=unix://...`, else /var/run/docker.sock. */
  readonly socketPath?: string;
  /** Labels every container (`dagwright.run=<runId>`), to find a run's containers. */
  readonly runId: string;
  /**
   * Default 'host': containers reach services on this machine's loopback (MinIO, HDFS) at the
   * same addresses as dagwright does. 'none' isolates them; any other docker network works too.
   */
  readonly network?: string;
  /** Fixed variables for every container (from config). */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * Names of variables copied from this process's environment, e.g. AWS_SECRET_ACCESS_KEY. Their
   * values are secrets: never written to a log or an error message. Unset ones are left out.
   */
  readonly passEnv?: readonly string[];
  /** The image for tasks other than CommandTasks with an `image` (`dag exec-task` runs there). */
  readonly pipeline?: PipelineImage;
}

/** One container: what runs where, and how a non-zero exit is explained. */
interface ContainerRun {
  readonly task: Task;
  readonly image: string;
  readonly argv: readonly string[];
  readonly mounts: readonly BindMount[];
  /** Undefined: the image's WORKDIR. */
  readonly workdir: string | undefined;
  readonly env: Record<string, string>;
  /** A one-line reason for an exit code, or undefined for the generic one. */
  readonly explainExit?: (code: number) => string | undefined;
}

/** A container that did not do its work: the message says what happened, with the image. */
export class ContainerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ContainerError';
  }
}

/** After the container exits, how long its remaining output may take to arrive. */
const LOG_DRAIN_MS = 10_000;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export class DockerExecutor implements Executor {
  readonly name = 'docker';
  readonly #options: DockerExecutorOptions;
  readonly #engine: DockerEngine;
  #swept: Promise<void> | undefined;

  constructor(options: DockerExecutorOptions) {
    for (const name of [...(options.passEnv ?? []), ...Object.keys(options.env ?? {})]) {
      if (!ENV_NAME.test(name))
        throw new UsageError(`docker: ${JSON.stringify(name)} is not a valid variable name`);
    }
    this.#options = options;
    this.#engine = new DockerEngine(options.socketPath ?? socketPathFromEnv());
  }

  /**
   * Kills and removes containers left by dagwright processes on this host that have died;
   * returns their names. Every executor does this once, before its first container.
   */
  static async sweepOrphans(options: { readonly socketPath?: string } = {}): Promise<string[]> {
    const engine = new DockerEngine(options.socketPath ?? socketPathFromEnv());
    try {
      return await sweepOrphans(engine);
    } finally {
      engine.close();
    }
  }

  /** Before anything runs: every task that needs the pipeline image can have it. */
  async check(tasks: readonly Task[]): Promise<void> {
    const needing = tasks.filter(needsPipelineImage);
    if (needing.length > 0 && !this.#options.pipeline) throw noPipelineImage(needing);
    for (const task of needing) {
      const unreachable = unreachableOutput(task);
      if (unreachable) throw unreachable;
    }
  }

  async execute(task: Task, context: ExecutionContext): Promise<void> {
    // Best effort: a daemon that cannot be reached is reported by the container's creation.
    await (this.#swept ??= sweepOrphans(this.#engine).then(
      (names) => {
        if (names.length > 0) context.log(`removed orphaned containers: ${names.join(', ')}`);
      },
      () => undefined,
    ));
    const secrets = (this.#options.passEnv ?? []).flatMap((name) =>
      process.env[name] ? [process.env[name]] : [],
    );
    try {
      if (task instanceof CommandTask && task.image)
        await this.#runCommand(task, task.image, context);
      else await this.#runPipeline(task, this.#options.pipeline!, context);
    } catch (error) {
      throw redacted(error, secrets);
    }
  }

  /** The program in its own image; its outputs are staged and published here. */
  async #runCommand(task: CommandTask, image: string, context: ExecutionContext): Promise<void> {
    const workdir = resolve(task.cwd() ?? process.cwd());
    const env = { ...this.#baseEnv(), ...task.env(), ...identityEnv(task) };
    await runStaged(task, context, (argv, stagings) =>
      this.#runContainer(
        { task, image, argv, mounts: mountsFor(task, workdir, stagings), workdir, env },
        context,
      ),
    );
  }

  /** `dag exec-task` in the pipeline image; the container publishes the outputs itself. */
  async #runPipeline(
    task: Task,
    { image, command, workdir }: PipelineImage,
    context: ExecutionContext,
  ) {
    await this.#runContainer(
      {
        task,
        image,
        argv: execTaskArgv(task, command),
        mounts: pipelineMounts(task),
        workdir,
        env: {
          ...this.#baseEnv(),
          DAG_ARTIFACT_ROOT: containerArtifactRoot(),
          ...identityEnv(task),
        },
        explainExit: (code) => execTaskFailure(code, image, context.logPath),
      },
      context,
    );
    const lost = relativeOutputLost(task, workdir);
    if (lost) throw new ContainerError(lost);
  }

  /** Config values, then variables passed through. */
  #baseEnv(): Record<string, string> {
    const passed: Record<string, string> = {};
    for (const name of this.#options.passEnv ?? []) {
      const value = process.env[name];
      if (value !== undefined) passed[name] = value;
    }
    return { ...this.#options.env, ...passed };
  }

  async #runContainer(run: ContainerRun, context: ExecutionContext): Promise<void> {
    const { task, image, argv } = run;
    const engine = this.#engine;
    const { signal } = context;
    const spec = containerSpec({
      task,
      image,
      argv,
      mounts: run.mounts,
      workdir: run.workdir,
      env: run.env,
      runId: this.#options.runId,
      network: this.#options.network ?? 'host',
    });
    const name = containerName(task, context.attempt);
    appendLogHeader(context, `docker ${image} ${argv.map(quote).join(' ')}`);
    signal.throwIfAborted();

    const abort = abortion(signal);
    const logsController = new AbortController();
    let logs: Promise<void> | undefined;
    const created = engine
      .createContainer(name, spec)
      .catch((error: unknown) => Promise.reject(explainCreate(error, image)));
    try {
      await Promise.race([created, abort.promise]);
      // Registered before the start, so even an instant exit is seen.
      const wait = await Promise.race([engine.waitContainer(name), abort.promise]);
      await Promise.race([engine.startContainer(name), abort.promise]);
      logs = copyLogs(engine, name, context, logsController.signal);
      const exit = await Promise.race([wait.exited, abort.promise]);
      await settledWithin(logs, LOG_DRAIN_MS);
      if (exit.StatusCode === 0) return;
      const { State } = await engine.inspect(name);
      if (State.OOMKilled) {
        const memoryMB = task.resources?.memoryMB;
        throw new ContainerError(
          memoryMB
            ? `container was killed for using more than ${memoryMB} MB of memory (image ${image})`
            : `container was killed for running out of memory (image ${image})`,
        );
      }
      throw new ContainerError(
        run.explainExit?.(exit.StatusCode) ??
          `container exited with code ${exit.StatusCode}: ${argv[0]} (image ${image})`,
      );
    } catch (error) {
      if (error instanceof DockerEngineError && error.status !== undefined)
        throw new ContainerError(`${error.message} (image ${image})`);
      throw error;
    } finally {
      abort.dispose();
      // Act on the container itself: stopping to listen would leave it running.
      if (signal.aborted) await engine.kill(name).catch(() => undefined);
      // A create still in flight when the attempt was cancelled would leave a container behind.
      await created.catch(() => undefined);
      await engine.remove(name).catch((error: unknown) => {
        context.log(`could not remove container ${name}: ${messageOf(error)}`);
      });
      // The output is complete in the log before the attempt ends (its tail is shown on failure).
      logsController.abort();
      if (logs) await logs;
    }
  }
}

/** Who the container works for, as locally: `DAGWRIGHT_TASK_ID` and `DAGWRIGHT_TASK_HASH`. */
function identityEnv(task: Task): Record<string, string> {
  return { DAGWRIGHT_TASK_ID: task.id, DAGWRIGHT_TASK_HASH: task.hash };
}

/** Appends the container's stdout and stderr to the task log as they come; never fails. */
async function copyLogs(
  engine: DockerEngine,
  name: string,
  context: ExecutionContext,
  signal: AbortSignal,
): Promise<void> {
  try {
    const frames = await engine.logs(name, signal);
    await pipeline(
      frames,
      async function* (source: AsyncIterable<LogFrame>) {
        for await (const frame of source) yield frame.data;
      },
      createWriteStream(context.logPath, { flags: 'a' }),
    );
  } catch (error) {
    if (!signal.aborted) context.log(`could not read the container's output: ${messageOf(error)}`);
  }
}

function explainCreate(error: unknown, image: string): unknown {
  if (
    error instanceof DockerEngineError &&
    error.status === 404 &&
    /no such image/i.test(error.daemonMessage ?? '')
  ) {
    return new ContainerError(
      `image ${image} is not on this machine (dagwright never pulls: build or load it first)`,
    );
  }
  return error;
}

/** A promise that rejects with the signal's reason when it aborts. */
function abortion(signal: AbortSignal): { promise: Promise<never>; dispose(): void } {
  let onAbort = () => {};
  const promise = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason ?? new Error('cancelled'));
    signal.addEventListener('abort', onAbort, { once: true });
  });
  promise.catch(() => undefined);
  return { promise, dispose: () => signal.removeEventListener('abort', onAbort) };
}

/** The error with every secret value replaced by `***`. */
function redacted(error: unknown, secrets: readonly string[]): unknown {
  if (!(error instanceof Error) || secrets.length === 0) return error;
  let message = error.message;
  for (const secret of secrets) message = message.split(secret).join('***');
  if (message !== error.message) error.message = message;
  return error;
}
