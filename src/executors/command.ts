/**
 * Runs a CommandTask as a local child process. The program writes each output at a staged path;
 * after a zero exit the stagings are published under the final names, so a failed or killed
 * program never leaves a partial artifact.
 */
import { appendFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { ArtifactExistsError } from '../errors.js';
import { flatten, mapShape } from '../shape.js';
import type { CommandTask } from '../task.js';
import { ensureDir, pathExists } from '../targets/atomic-file.js';
import { isTarget, type Staging, type Target } from '../targets/target.js';
import type { ExecutionContext } from './executor.js';

export class CommandError extends Error {}

export async function runCommand(task: CommandTask, context: ExecutionContext): Promise<void> {
  return runStaged(task, context, (argv) => spawn(task, argv, context));
}

/** A staging whose location may be remote (a URI): it says itself whether it was written. */
export interface ProgramStaging extends Staging {
  written?(): Promise<boolean>;
}

/** Runs the program of a CommandTask given its checked argv (and the stagings it writes). */
export type ProgramRunner = (
  argv: readonly string[],
  stagings: readonly Staging[],
) => Promise<void>;

/**
 * The part every executor shares: stage each output, build and check the argv, run it, check
 * that each output was written and publish them all; the stagings are always discarded.
 */
export async function runStaged(
  task: CommandTask,
  context: ExecutionContext,
  runProgram: ProgramRunner,
): Promise<void> {
  const shape = task.output();
  const outputs = flatten(shape, isTarget);
  const stagings = await Promise.all(outputs.map((target) => target.stage()));
  try {
    const staged = mapShape(shape, isTarget, (target) => ({
      path: stagings[outputs.indexOf(target)]!.path,
      uri: target.uri,
    }));
    const argv = checkArgv(task, task.command(staged as never));
    await runProgram(argv, stagings);
    await publishStaged(outputs, stagings, context);
  } finally {
    await Promise.all(stagings.map((staging) => staging.discard()));
  }
}

/** After exit 0: checks that the program wrote every output, then publishes them all. */
export async function publishStaged(
  outputs: readonly Target[],
  stagings: readonly ProgramStaging[],
  context: ExecutionContext,
): Promise<void> {
  const written = await Promise.all(
    stagings.map((staging) => (staging.written ? staging.written() : pathExists(staging.path))),
  );
  const missing = outputs.filter((_, i) => !written[i]);
  if (missing.length > 0) {
    throw new CommandError(
      `command exited 0 but did not write ${missing.map(String).join(', ')} (write it at the staged path passed to command())`,
    );
  }
  await commitAll(outputs, stagings, context);
}

export function checkArgv(task: CommandTask, argv: unknown): readonly string[] {
  if (!Array.isArray(argv) || argv.length === 0 || !argv.every((arg) => typeof arg === 'string')) {
    throw new CommandError(
      `${task.id}: command() must return a non-empty array of strings (an argv, never a shell string), got ${JSON.stringify(argv)}`,
    );
  }
  if (argv[0] === '')
    throw new CommandError(`${task.id}: command() returned an empty program name`);
  return argv as string[];
}

async function spawn(
  task: CommandTask,
  argv: readonly string[],
  context: ExecutionContext,
): Promise<void> {
  const { execa } = await import('execa');
  appendLogHeader(context, argv.map(quote).join(' '));
  const log = { file: context.logPath, append: true } as const;
  const result = await execa(argv[0]!, argv.slice(1), {
    cwd: task.cwd(),
    env: { ...task.env(), DAGWRIGHT_TASK_ID: task.id, DAGWRIGHT_TASK_HASH: task.hash },
    stdin: 'ignore',
    stdout: log,
    stderr: log,
    cancelSignal: context.signal,
    forceKillAfterDelay: 5000,
    // Its own process group: a Ctrl+C in the terminal stops dagwright from starting more work,
    // but lets running programs finish.
    detached: true,
    reject: false,
  });
  if (!result.failed) return;
  if (result.isCanceled) throw context.signal.reason ?? new CommandError('command was cancelled');
  const code = (result as { code?: string }).code;
  if (code === 'ENOENT') throw new CommandError(`command not found: ${argv[0]}`);
  if (result.signal) throw new CommandError(`command was killed by ${result.signal}: ${argv[0]}`);
  throw new CommandError(`command exited with code ${result.exitCode ?? '?'}: ${argv[0]}`);
}

/** Starts an attempt's section of the task log: `--- <iso> attempt N: <what runs>`. */
export function appendLogHeader(context: ExecutionContext, what: string): void {
  ensureDir(dirname(context.logPath));
  appendFileSync(
    context.logPath,
    `--- ${new Date().toISOString()} attempt ${context.attempt}: ${what}\n`,
  );
}

/**
 * Publishes every output. An output that already exists (left by an earlier, interrupted run of
 * a task with several outputs) is kept as it is: artifacts are never replaced.
 */
async function commitAll(
  outputs: readonly Target[],
  stagings: readonly Staging[],
  context: ExecutionContext,
) {
  for (let i = 0; i < outputs.length; i++) {
    try {
      await stagings[i]!.commit();
    } catch (error) {
      if (!(error instanceof ArtifactExistsError) || outputs.length === 1) throw error;
      context.log(`kept the existing ${outputs[i]!.uri}; the new copy was discarded`);
    }
  }
}

/** Quotes an argument for display, the way a POSIX shell would read it back. */
export function quote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}
