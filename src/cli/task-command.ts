/**
 * The common start of `run`, `plan`, `check`, `graph` and `exec-task`: load config and
 * modules, find the family, parse its parameter flags, and construct the root task.
 */
import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import type { Task } from '../task.js';
import { addLoadOptions, newCommand, parseArgs } from './command.js';
import { loadContext, type CliContext } from './context.js';
import { applyStorage, ARTIFACT_ROOT_HELP } from './storage.js';
import type { Family } from './modules.js';
import type { Prescan } from './prescan.js';
import {
  addTaskFlags,
  constructTask,
  normalizeUpstreamFlags,
  resolveTaskArgs,
  unusedOverrides,
} from './task-args.js';

export interface TaskInvocation {
  readonly context: CliContext;
  readonly command: Command;
  readonly root: Task;
  readonly options: Record<string, unknown>;
  /** Warnings to show once the graph is planned (e.g. an upstream flag that set nothing). */
  readonly warnings: () => string[];
}

export interface TaskCommandSpec {
  readonly name: string;
  readonly description: string;
  /** Positional arguments before the family, e.g. the schedule of `dag cron "<expr>" <Family>`. */
  readonly leading?: readonly { readonly name: string; readonly description: string }[];
  readonly addOptions?: (command: Command) => void;
}

/** A family and its parameter flags, parsed but not yet made into a task. */
export interface FamilyInvocation extends Omit<TaskInvocation, 'root'> {
  readonly family: Family;
  /** Constructor arguments given on the command line. */
  readonly args: Record<string, unknown>;
}

export async function prepareTask(
  spec: TaskCommandSpec,
  argv: readonly string[],
  pre: Prescan,
  cwd: string,
): Promise<TaskInvocation> {
  const { family, args, ...rest } = await prepareFamily(spec, argv, pre, cwd);
  return { ...rest, root: constructTask(family, args) };
}

export async function prepareFamily(
  spec: TaskCommandSpec,
  argv: readonly string[],
  pre: Prescan,
  cwd: string,
): Promise<FamilyInvocation> {
  const wantsHelp = argv.includes('-h') || argv.includes('--help');
  const context = await loadContext(pre, cwd, wantsHelp);
  const family =
    pre.family !== undefined && (!wantsHelp || context.registry.has(pre.family))
      ? context.registry.get(pre.family)
      : undefined;

  const command = newCommand(spec.name, spec.description);
  for (const { name, description } of spec.leading ?? [])
    command.argument(`<${name}>`, description);
  command.argument('<Family>', 'task family (a class exported by a task module)');
  addLoadOptions(command);
  command.option('--artifact-root <uri>', ARTIFACT_ROOT_HELP);
  spec.addOptions?.(command);
  const taskFlags = addTaskFlags(command, context.registry, family);
  if (!wantsHelp) {
    const families = context.registry.all().map((f) => f.name);
    const leading = (spec.leading ?? []).map(({ name }) => ` <${name}>`).join('');
    if (!family)
      throw new UsageError(
        `missing task family: dag ${spec.name}${leading} <Family> [--param value]...; known: ${families.join(', ') || 'none'}`,
      );
  } else if (!family) {
    command.addHelpText(
      'after',
      `\nTask families: ${
        context.registry
          .all()
          .map((f) => f.name)
          .join(', ') || '(none loaded)'
      }\nParameters of a family: dag ${spec.name} --help <Family>`,
    );
  }
  parseArgs(command, normalizeUpstreamFlags(argv, context.registry));
  const positional = (spec.leading?.length ?? 0) + 1;
  if (command.args.length > positional) {
    throw new UsageError(
      `unexpected argument '${command.args[positional]}' after the task family (parameters are flags: --name value)`,
    );
  }

  applyStorage(context, command.opts().artifactRoot as string | undefined);
  const { args, upstream } = resolveTaskArgs(
    command,
    taskFlags,
    context.registry,
    context.config.params,
    context.loaded.path,
  );
  return {
    context,
    command,
    family: family!,
    args,
    options: command.opts(),
    warnings: () => unusedOverrides(upstream),
  };
}
