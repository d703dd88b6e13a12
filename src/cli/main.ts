/** The `dag` command: dispatches to a subcommand and turns errors into one line and an exit code. */
import { DagwrightError, ExitCode, SchedulingError, UsageError } from '../errors.js';
import { closest } from '../task-class.js';
import { HelpShown } from './command.js';
import { backfillCommand } from './commands/backfill.js';
import { cleanTempCommand } from './commands/clean-temp.js';
import { cronCommand } from './commands/cron.js';
import { execTaskCommand } from './commands/exec-task.js';
import { graphCommand } from './commands/graph.js';
import { listCommand } from './commands/list.js';
import { checkCommand, planCommand } from './commands/plan.js';
import { runCommand } from './commands/run.js';
import { prescan } from './prescan.js';
import { emptyCounts } from '../scheduler/result.js';

/** Commands whose `--json` document also reports a scheduling error. */
const JSON_REPORTS = new Set(['run', 'backfill', 'cron']);

export interface Output {
  stdout(text: string): void;
  stderr(text: string): void;
}

const COMMANDS = [
  'run',
  'plan',
  'check',
  'graph',
  'list',
  'backfill',
  'cron',
  'exec-task',
  'clean-temp',
];

export const HELP = `Usage: dag <command> [arguments] [options]

Commands:
  run <Family> [--param value]...   run a task and everything it needs that is missing
  plan <Family> ...                 show what would run, and why (changes nothing)
  check <Family> ...                exit 0 if everything is complete, 1 otherwise
  graph <Family> ... --format F     print the graph as dot, mermaid or json
  list                              task families and their parameters
  backfill <Family> --from A [--to B]   run the missing partitions of a range
  cron "<expr>" <Family>            run the partitions due on a schedule (--watch: stay up)
  exec-task <Family> ...            run exactly one task (used inside containers)
  clean-temp [dir...]               remove temp files left by killed writers

Task modules come from -m/--module <file> (repeatable; .ts works directly) or from
"modules" in dag.config.{ts,mjs,js,json} in the working directory.

  dag <command> --help              options of a command
  dag run --help <Family>           parameters of a task family

Exit codes: 0 success or nothing to do, 1 a task failed, 2 usage or invalid input,
3 missing external input, 4 running elsewhere (--no-wait), 5 scheduling error,
130/143 interrupted by SIGINT/SIGTERM.
`;

export async function main(argv: readonly string[], cwd: string, out: Output): Promise<number> {
  const pre = prescan(argv);
  const first = argv[0];
  try {
    if (first === undefined) {
      out.stderr(HELP);
      return ExitCode.usage;
    }
    if (first === '-h' || first === '--help' || first === 'help') {
      out.stdout(HELP);
      return ExitCode.ok;
    }
    if (first === '-V' || first === '--version') {
      out.stdout(`${await version()}\n`);
      return ExitCode.ok;
    }
    const rest = argv.slice(1);
    switch (first) {
      case 'run':
        return await runCommand(rest, pre, cwd, out);
      case 'plan':
        return await planCommand(rest, pre, cwd, out);
      case 'check':
        return await checkCommand(rest, pre, cwd, out);
      case 'graph':
        return await graphCommand(rest, pre, cwd, out);
      case 'list':
        return await listCommand(rest, pre, cwd, out);
      case 'backfill':
        return await backfillCommand(rest, pre, cwd, out);
      case 'cron':
        return await cronCommand(rest, pre, cwd, out);
      case 'exec-task':
        return await execTaskCommand(rest, pre, cwd, out);
      case 'clean-temp':
        return await cleanTempCommand(rest, cwd, out);
      default: {
        if (first.startsWith('-'))
          throw new UsageError(
            `put the command first: dag <command> ${argv.join(' ')} (see dag --help)`,
          );
        const hint = closest(first, COMMANDS);
        throw new UsageError(
          `unknown command '${first}'${hint ? ` (did you mean '${hint}'?)` : ''}; commands: ${COMMANDS.join(', ')}`,
        );
      }
    }
  } catch (error) {
    if (error instanceof HelpShown) return ExitCode.ok;
    return reportError(error, pre.debug, pre.json && JSON_REPORTS.has(first ?? ''), out);
  }
}

function reportError(error: unknown, debug: boolean, json: boolean, out: Output): number {
  const known = error instanceof DagwrightError;
  const code = known ? error.exitCode : ExitCode.taskFailed;
  const message = error instanceof Error ? error.message : String(error);
  if (json && error instanceof SchedulingError) {
    out.stdout(
      JSON.stringify({
        status: 'scheduling_error',
        exitCode: code,
        error: message,
        counts: emptyCounts(),
        tasks: [],
      }) + '\n',
    );
  }
  const hint = known || debug ? '' : ' (run with --debug for the stack trace)';
  out.stderr(`dag: error: ${message}${hint}\n`);
  if (debug && error instanceof Error && error.stack) out.stderr(stackOf(error) + '\n');
  return code;
}

function stackOf(error: Error): string {
  let text = error.stack ?? '';
  for (let cause = error.cause; cause instanceof Error; cause = cause.cause)
    text += `\ncaused by: ${cause.stack}`;
  return text;
}

async function version(): Promise<string> {
  const { createRequire } = await import('node:module');
  return (createRequire(import.meta.url)('dagwright/package.json') as { version: string }).version;
}
