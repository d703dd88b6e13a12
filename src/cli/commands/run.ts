/** `dag run <Family> [--param value]...`: plan and run everything the task needs. */
import { Option, type Command } from 'commander';
import { resolve } from 'node:path';
import { UsageError } from '../../errors.js';
import { parseDurationMs } from '../../params/time.js';
import type { RunEvent } from '../../scheduler/events.js';
import { run, type RunOptions } from '../../scheduler/run.js';
import { nonNegativeInt, positiveInt } from '../command.js';
import { EXECUTORS } from '../config.js';
import { localExecutor } from '../../executors/local.js';
import { routeExecutors } from '../../executors/route.js';
import { randomUUID } from 'node:crypto';
import type { CliContext } from '../context.js';
import type { Prescan } from '../prescan.js';
import { createReporter, type LogFormat, type Reporter } from '../render/reporter.js';
import { runDocument, summaryText } from '../render/summary.js';
import { trapSignals } from '../signals.js';
import { prepareTask, type TaskInvocation } from '../task-command.js';
import type { Output } from '../main.js';

export function addRunOptions(command: Command): void {
  command
    .option('--workers <n>', 'tasks run at once (default 1)', positiveInt('--workers'))
    .addOption(
      new Option('--executor <name>', 'where tasks run (default local)').choices([...EXECUTORS]),
    )
    .option('--fail-fast', 'start no new tasks after a failure')
    .option('--no-wait', 'do not wait for tasks another process is running (exit 4)')
    .option(
      '--retries <n>',
      'extra attempts for a failing task (default 0)',
      nonNegativeInt('--retries'),
    )
    .option(
      '--retry-delay <duration>',
      'first retry delay, doubling each retry (default 1s)',
      duration('--retry-delay'),
    )
    .option(
      '--timeout <duration>',
      'time limit per task attempt, e.g. 30m (default none)',
      duration('--timeout'),
    )
    .option('--resources <list>', 'resource capacities, e.g. gpu=1,db=2', resourceList)
    .option('--lock-dir <dir>', 'lease folder shared by concurrent runs (default .dagwright/locks)')
    .option(
      '--lock-store <uri>',
      'where leases live for runs on several machines: s3://bucket/prefix or webhdfs://host:port/path',
    )
    .option('--log-dir <dir>', 'task log folder (default .dagwright/logs)')
    .option('--json', 'print a JSON report on stdout at the end')
    .addOption(
      new Option('--log-format <format>', 'progress output on stderr').choices(['text', 'json']),
    );
}

export async function runCommand(
  argv: readonly string[],
  pre: Prescan,
  cwd: string,
  out: Output,
): Promise<number> {
  const invocation = await prepareTask(
    {
      name: 'run',
      description: 'Run a task and everything it needs that is missing.',
      addOptions: addRunOptions,
    },
    argv,
    pre,
    cwd,
  );
  return runWithReporter(invocation, out, async (runOptions) => {
    const result = await run(invocation.root, runOptions);
    return {
      exitCode: result.exitCode,
      json: runDocument(result),
      text: summaryText(result),
    };
  });
}

/** What a command built on the run options reports at the end. */
export interface RunReport {
  readonly exitCode: number;
  /** The `--json` document. */
  readonly json: Record<string, unknown>;
  /** The summary shown on stdout without `--json`. */
  readonly text: string;
}

type RunInvocation = Pick<TaskInvocation, 'context' | 'command' | 'options' | 'warnings'>;

/**
 * Runs `body` with the run options of the flags and config, progress on stderr, Ctrl+C handled,
 * and the report on stdout: the shared frame of `run`, `backfill` and `cron`.
 */
export async function runWithReporter(
  invocation: RunInvocation,
  out: Output,
  body: (options: RunOptions) => Promise<RunReport>,
  reporterOf?: (reporter: Reporter) => void,
): Promise<number> {
  const { context, options, command, warnings } = invocation;
  const runOptions = runOptionsFrom(options, command, context);
  const format = (options.logFormat as LogFormat | undefined) ?? context.config.logFormat ?? 'text';
  const reporter = await createReporter(format, process.stderr);
  reporterOf?.(reporter);
  const trap = trapSignals(reporter);
  try {
    const onEvent = (event: RunEvent) => {
      reporter.onEvent(event);
      if (event.type === 'planned') for (const warning of warnings()) reporter.note(warning);
    };
    const report = await body({
      ...runOptions,
      onEvent,
      signal: trap.signal,
      cancelSignal: trap.cancelSignal,
    });
    reporter.close();
    if (options.json) out.stdout(JSON.stringify(report.json) + '\n');
    else if (format === 'text') out.stdout(report.text + '\n');
    return report.exitCode;
  } finally {
    reporter.close();
    trap.dispose();
  }
}

export function runOptionsFrom(
  options: Record<string, unknown>,
  command: Command,
  context: CliContext,
): RunOptions {
  const { config, loaded, cwd } = context;
  const fromConfig = (path: string | undefined) =>
    path === undefined ? undefined : resolve(loaded.dir, path);
  return {
    workers: (options.workers as number | undefined) ?? config.workers ?? 1,
    failFast: (options.failFast as boolean | undefined) ?? config.failFast ?? false,
    wait: command.getOptionValueSource('wait') === 'cli' ? false : (config.wait ?? true),
    retries: (options.retries as number | undefined) ?? config.retries ?? 0,
    retryDelayMs: (options.retryDelay as number | undefined) ?? config.retryDelayMs ?? 1000,
    timeoutMs: (options.timeout as number | undefined) ?? config.timeoutMs,
    resources: {
      ...config.resources,
      ...(options.resources as Record<string, number> | undefined),
    },
    lockStore:
      lockLocation(
        (options.lockStore as string | undefined) ?? (options.lockDir as string | undefined),
        cwd,
      ) ??
      lockLocation(config.lockStore ?? config.lockDir, loaded.dir) ??
      resolve(cwd, '.dagwright/locks'),
    executor: routeExecutors({
      default: (options.executor as string | undefined) ?? config.executor ?? 'local',
      byFamily: config.executors,
      executors: {
        local: localExecutor,
        docker: async () => {
          const { DockerExecutor } = await import('../../executors/docker/executor.js');
          const { socket, network, env, passEnv } = config.docker ?? {};
          return new DockerExecutor({
            runId: randomUUID(),
            socketPath: socket,
            network,
            env,
            passEnv,
            pipeline: config.pipeline,
          });
        },
        nomad: async () => {
          const { NomadExecutor } = await import('../../executors/nomad/executor.js');
          const nomad = config.nomad ?? {};
          return new NomadExecutor({
            runId: randomUUID(),
            pipeline: config.pipeline,
            ...nomad,
            sharedPaths: nomad.sharedPaths?.map((path) => resolve(loaded.dir, path)),
          });
        },
      },
    }),
    logDir: options.logDir
      ? resolve(cwd, options.logDir as string)
      : (fromConfig(config.logDir) ?? resolve(cwd, '.dagwright/logs')),
  };
}

/** A URI as given; a folder made absolute against `base`. */
function lockLocation(location: string | undefined, base: string): string | undefined {
  if (location === undefined) return undefined;
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(location) ? location : resolve(base, location);
}

function duration(flag: string) {
  return (value: string): number => {
    try {
      return parseDurationMs(value);
    } catch (error) {
      throw new UsageError(`${flag}: ${(error as Error).message}`);
    }
  };
}

function resourceList(value: string): Record<string, number> {
  const resources: Record<string, number> = {};
  for (const part of value.split(',')) {
    const match = /^\s*([A-Za-z_][\w.-]*)\s*=\s*(\d+(?:\.\d+)?)\s*$/.exec(part);
    if (!match)
      throw new UsageError(
        `--resources: expected name=amount[,name=amount...], got ${JSON.stringify(value)}`,
      );
    resources[match[1]!] = Number(match[2]);
  }
  return resources;
}
