/**
 * The nomad executor: each attempt is a dispatch of a parameterized batch job over Nomad's HTTP
 * API. A CommandTask with an `image` runs its argv unchanged in that image and writes its
 * outputs at staging locations in their own store (S3, HDFS, or a shared file system); after
 * exit 0 dagwright publishes them on the server, so the bytes never pass through it. Any other
 * task runs `dag exec-task` in the pipeline image and publishes its own outputs.
 *
 * Never twice: every child carries the task's hash as Meta. Before dispatching, the executor
 * (holding the task's lease) looks for a child of that task that is still running, left by a
 * `dag` that died, and follows it to its end instead of starting another.
 */
import { UsageError, messageOf } from '../../errors.js';
import { flatten, mapShape } from '../../shape.js';
import { CommandTask, isTask, type Task } from '../../task.js';
import { isTarget, type Target } from '../../targets/target.js';
import {
  appendLogHeader,
  checkArgv,
  publishStaged,
  quote,
  type ProgramStaging,
} from '../command.js';
import { execTaskArgv } from '../exec-task-argv.js';
import {
  containerArtifactRoot,
  execTaskFailure,
  needsPipelineImage,
  noPipelineImage,
  unreachableOutput,
  type PipelineImage,
} from '../docker/pipeline.js';
import type { ExecutionContext, Executor } from '../executor.js';
import { NomadClient, nomadSettingsFromEnv, type NomadSettings } from './client.js';
import {
  NomadPlacementError,
  followChild,
  succeeded,
  type Ending,
  type Request,
} from './follow.js';
import { META, argKey, envKey, jobId, jobSpec, type JobShape } from './job.js';
import {
  childrenOf,
  dispatchJob,
  purgeJob,
  putJobSecrets,
  registerJob,
  type ChildJob,
} from './jobs.js';
import { copyAllocLogs } from './logs.js';
import { localOutsideShared, stagingFor } from './staging.js';

export interface NomadExecutorOptions {
  /** Recorded on every dispatch (`dagwright_run` Meta). */
  readonly runId: string;
  /** Default: the NOMAD_* environment, as the `nomad` CLI reads it. */
  readonly settings?: NomadSettings;
  /** Image and command for tasks that are not CommandTasks with an image. */
  readonly pipeline?: PipelineImage;
  /** Fixed variables for every task. Not for secrets: job specs are readable through the API. */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * Names of variables copied from this process's environment into every task, e.g.
   * AWS_SECRET_ACCESS_KEY: kept in the job's Nomad Variable, never in a job spec or a log.
   */
  readonly passEnv?: readonly string[];
  /** Docker network mode of the tasks; default: the driver's own (bridge). */
  readonly network?: string;
  /** Folders every Nomad client mounts at the same path; local artifacts must live in one. */
  readonly sharedPaths?: readonly string[];
  /** Default `['*']`. */
  readonly datacenters?: readonly string[];
  /** Longest an attempt waits for a place on a busy cluster. Default 5 minutes. */
  readonly queueTimeoutMs?: number;
  /** Nomad reserves CPU in MHz: a task's `cpu` resource is multiplied by this. Default 1000. */
  readonly mhzPerCpu?: number;
}

/** A dispatched task that did not do its work; the message says what happened. */
export class NomadTaskError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NomadTaskError';
  }
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Nomad replaces `${name}` in arguments and variables when `name` is known, with no escape. */
const INTERPOLATION = /\$\{[A-Za-z0-9_.\-[\]"]+\}/;

export class NomadExecutor implements Executor {
  readonly name = 'nomad';
  readonly #options: NomadExecutorOptions;
  readonly #client: NomadClient;
  readonly #registered = new Map<string, Promise<void>>();

  constructor(options: NomadExecutorOptions) {
    for (const name of [...Object.keys(options.env ?? {}), ...(options.passEnv ?? [])]) {
      if (!ENV_NAME.test(name))
        throw new UsageError(`nomad: ${JSON.stringify(name)} is not a valid variable name`);
    }
    this.#options = options;
    this.#client = new NomadClient(options.settings ?? nomadSettingsFromEnv());
  }

  /** Before anything is dispatched: every task can run on Nomad as configured. */
  async check(tasks: readonly Task[]): Promise<void> {
    const needImage = tasks.filter(needsPipelineImage);
    if (needImage.length > 0 && !this.#options.pipeline) throw noPipelineImage(needImage, 'nomad');
    for (const task of tasks) {
      const unreachable = unreachableOutput(task);
      if (unreachable) throw unreachable;
      const targets = [
        ...flatten(task.output(), isTarget),
        ...flatten(task.requires(), isTask).flatMap((dep) => flatten(dep.output(), isTarget)),
      ];
      const local = localOutsideShared(targets, this.#options.sharedPaths ?? []);
      if (local) {
        throw new UsageError(
          `${task.id}: ${local.uri} is on this machine's disk, which Nomad's nodes cannot see; use an artifact root on S3 or HDFS (--artifact-root s3://bucket/prefix) or declare a shared file system (nomad.sharedPaths)`,
        );
      }
    }
  }

  async execute(task: Task, context: ExecutionContext): Promise<void> {
    const adopted = await this.#adoptable(task);
    if (adopted) return this.#adopt(task, adopted, context);
    const shape = task.output();
    const outputs = flatten(shape, isTarget);
    const staged = task instanceof CommandTask && task.image;
    const stagings = staged ? await Promise.all(outputs.map((target) => stagingFor(target))) : [];
    let dispatched: string | undefined;
    try {
      const argv = staged
        ? checkArgv(task, task.command(stagedShape(shape, outputs, stagings) as never))
        : execTaskArgv(task, this.#options.pipeline!.command);
      const image = staged ? task.image! : this.#options.pipeline!.image;
      // In the pipeline image, artifact() must name the same artifacts as here.
      const taskEnv = staged ? task.env() : { DAG_ARTIFACT_ROOT: containerArtifactRoot() };
      checkInterpolation(task, argv, taskEnv);
      const workdir = staged ? undefined : this.#options.pipeline!.workdir;
      const job = this.#shapeOf(task, image, argv.length, Object.keys(taskEnv).sort(), workdir);
      const parent = jobId(job);
      await this.#register(job);
      const meta = this.#metaOf(task, argv, taskEnv, stagings);
      appendLogHeader(context, `nomad ${image} ${argv.map(quote).join(' ')}`);
      context.signal.throwIfAborted();
      const token = `${this.#options.runId}-${task.hash}-${context.attempt}`;
      const child = await this.#dispatch(job, parent, meta, token);
      dispatched = child.jobId;
      context.log(`dispatched Nomad job ${child.jobId}`);
      const request = { cpuMHz: job.cpuMHz, memoryMB: job.memoryMB };
      const ending = await this.#follow(child.jobId, child.evalId, request, context);
      dispatched = undefined;
      await this.#finish(task, image, argv[0]!, ending, outputs, stagings, context);
    } catch (error) {
      if (dispatched) await this.#purge(dispatched, context);
      throw error;
    } finally {
      await Promise.all(stagings.map((staging) => staging.discard()));
    }
  }

  /** A child of this task that a dead `dag` left running or finished but did not publish. */
  async #adoptable(task: Task): Promise<ChildJob | undefined> {
    const newest = (await childrenOf(this.#client, task.hash))[0];
    if (!newest) return undefined;
    if (newest.Status !== 'dead') return newest;
    // Finished: worth adopting only if it succeeded and its stagings still wait to be published.
    const stagings = stagingsOf(newest);
    if (stagings.length === 0 || !(task instanceof CommandTask)) return undefined;
    if (!(await succeeded(this.#client, newest.ID))) return undefined;
    const outputs = flatten(task.output(), isTarget);
    try {
      const attached = await Promise.all(
        outputs.map((target, i) => stagingFor(target, stagings[i])),
      );
      return (await Promise.all(attached.map((staging) => staging.written()))).every(Boolean)
        ? newest
        : undefined;
    } catch {
      return undefined;
    }
  }

  async #adopt(task: Task, child: ChildJob, context: ExecutionContext): Promise<void> {
    appendLogHeader(context, `nomad: following job ${child.ID}, dispatched by an earlier run`);
    context.log(`adopted Nomad job ${child.ID}, dispatched by an earlier dag run`);
    const outputs = flatten(task.output(), isTarget);
    const uris = stagingsOf(child);
    const stagings =
      uris.length > 0 ? await Promise.all(outputs.map((t, i) => stagingFor(t, uris[i]))) : [];
    const image = task instanceof CommandTask && task.image ? task.image : 'pipeline image';
    try {
      const ending = await this.#follow(child.ID, undefined, {}, context);
      await this.#finish(
        task,
        image,
        child.Meta?.[argKey(0)] ?? '?',
        ending,
        outputs,
        stagings,
        context,
      );
    } catch (error) {
      if (context.signal.aborted) await this.#purge(child.ID, context);
      throw error;
    } finally {
      await Promise.all(stagings.map((staging) => staging.discard()));
    }
  }

  async #follow(
    jobId: string,
    evalId: string | undefined,
    request: Request,
    context: ExecutionContext,
  ): Promise<Ending> {
    try {
      return await followChild(this.#client, jobId, evalId || undefined, {
        signal: context.signal,
        queueTimeoutMs: this.#options.queueTimeoutMs ?? 300_000,
        request,
      });
    } catch (error) {
      if (error instanceof NomadPlacementError) throw new NomadTaskError(error.message);
      throw error;
    }
  }

  async #finish(
    task: Task,
    image: string,
    program: string,
    ending: Ending,
    outputs: readonly Target[],
    stagings: readonly ProgramStaging[],
    context: ExecutionContext,
  ): Promise<void> {
    if (ending.alloc) await copyAllocLogs(this.#client, ending.alloc.ID, context);
    if (!ending.ok) {
      if (!needsPipelineImage(task))
        throw new NomadTaskError(`Nomad task ${ending.message}: ${program} (image ${image})`);
      const explained =
        ending.exitCode !== undefined && execTaskFailure(ending.exitCode, image, context.logPath);
      throw new NomadTaskError(
        explained
          ? `Nomad: ${explained}`
          : `Nomad task ${ending.message}: dag exec-task (image ${image})`,
      );
    }
    if (stagings.length > 0) await publishStaged(outputs, stagings, context);
  }

  #shapeOf(
    task: Task,
    image: string,
    argc: number,
    envNames: readonly string[],
    workdir: string | undefined,
  ): JobShape {
    const { cpu, memoryMB } = task.resources ?? {};
    const options = this.#options;
    return {
      image,
      argc,
      envNames,
      env: options.env ?? {},
      secretNames: this.#secretNames(),
      ...(cpu !== undefined && cpu > 0
        ? { cpuMHz: Math.max(1, Math.round(cpu * (options.mhzPerCpu ?? 1000))) }
        : {}),
      ...(memoryMB !== undefined && memoryMB > 0 ? { memoryMB: Math.ceil(memoryMB) } : {}),
      ...(options.network ? { network: options.network } : {}),
      sharedPaths: options.sharedPaths ?? [],
      datacenters: options.datacenters ?? ['*'],
      ...(workdir ? { workdir } : {}),
    };
  }

  #metaOf(
    task: Task,
    argv: readonly string[],
    env: Readonly<Record<string, string>>,
    stagings: readonly ProgramStaging[],
  ): Record<string, string> {
    const meta: Record<string, string> = {
      [META.task]: task.id,
      [META.hash]: task.hash,
      [META.family]: task.family,
      [META.params]: JSON.stringify(task.canonicalParams),
      [META.run]: this.#options.runId,
      [META.stagings]: JSON.stringify(stagings.map((staging) => staging.path)),
    };
    argv.forEach((arg, i) => (meta[argKey(i)] = arg));
    for (const [name, value] of Object.entries(env)) meta[envKey(name)] = value;
    return meta;
  }

  /** The passEnv names set in this process, sorted. */
  #secretNames(): string[] {
    return (this.#options.passEnv ?? []).filter((name) => process.env[name] !== undefined).sort();
  }

  /**
   * Registers the job and stores its secrets, once per executor; an unchanged job keeps its
   * version in Nomad.
   */
  #register(shape: JobShape, again = false): Promise<void> {
    const id = jobId(shape);
    let registered = this.#registered.get(id);
    if (!registered || again) {
      const secrets = Object.fromEntries(
        shape.secretNames.map((name) => [name, process.env[name]!]),
      );
      registered = Promise.all([
        shape.secretNames.length > 0 ? putJobSecrets(this.#client, id, secrets) : undefined,
        registerJob(this.#client, jobSpec(shape)),
      ]).then(() => undefined);
      this.#registered.set(id, registered);
      registered.catch(() => this.#registered.delete(id));
    }
    return registered;
  }

  async #dispatch(
    shape: JobShape,
    parent: string,
    meta: Record<string, string>,
    token: string,
  ): Promise<{ jobId: string; evalId: string }> {
    try {
      return await dispatchJob(this.#client, parent, meta, token);
    } catch (error) {
      // An agent that lost its state (a restart of a dev agent) forgot the job: register again.
      if (!/parameterized job not found/i.test(messageOf(error))) throw error;
      await this.#register(shape, true);
      return dispatchJob(this.#client, parent, meta, token);
    }
  }

  async #purge(jobId: string, context: ExecutionContext): Promise<void> {
    try {
      await purgeJob(this.#client, jobId);
      context.log(`stopped and purged Nomad job ${jobId}`);
    } catch (error) {
      context.log(`could not stop Nomad job ${jobId}: ${messageOf(error)}`);
    }
  }

  close(): void {
    this.#client.close();
  }
}

function stagingsOf(child: ChildJob): string[] {
  try {
    const value: unknown = JSON.parse(child.Meta?.[META.stagings] ?? '[]');
    return Array.isArray(value)
      ? value.filter((uri): uri is string => typeof uri === 'string')
      : [];
  } catch {
    return [];
  }
}

/** What `command()` gets: each output's staging location (a URI for remote stores) and its uri. */
function stagedShape(shape: unknown, outputs: readonly Target[], stagings: ProgramStaging[]) {
  return mapShape(shape, isTarget, (target) => ({
    path: stagings[outputs.indexOf(target)]!.path,
    uri: target.uri,
  }));
}

function checkInterpolation(
  task: Task,
  argv: readonly string[],
  env: Readonly<Record<string, string>>,
): void {
  const bad =
    argv.find((arg) => INTERPOLATION.test(arg)) ??
    Object.values(env).find((value) => INTERPOLATION.test(value));
  if (bad !== undefined) {
    throw new UsageError(
      `${task.id}: ${JSON.stringify(bad)} contains \${...}, which Nomad would replace (it has no escape); pass the value another way, e.g. in a file`,
    );
  }
}
