/**
 * Shared pieces of the subcommands: commander set up to throw instead of exiting, the options
 * every subcommand has, and one-line usage errors.
 */
import { Command, CommanderError, Option } from 'commander';
import { UsageError } from '../errors.js';

/** Thrown after `--help` printed the help: exit 0. */
export class HelpShown extends Error {}

export function newCommand(name: string, description: string): Command {
  return new Command(name)
    .description(description)
    .exitOverride()
    .configureOutput({ writeOut: (text) => process.stdout.write(text), writeErr: () => undefined })
    .helpOption('-h, --help', 'show this help')
    .showSuggestionAfterError(true);
}

/** The options shared by every subcommand that loads task modules. */
export function addLoadOptions(command: Command): Command {
  return command
    .addOption(
      new Option(
        '-m, --module <file>',
        'task module to load (repeatable; .ts works directly)',
      ).argParser((value: string, previous: string[] | undefined) => [...(previous ?? []), value]),
    )
    .option(
      '--config <file>',
      'config file (default: dag.config.{ts,mjs,js,json} in the working directory)',
    )
    .option('--debug', 'print stack traces of errors');
}

export function parseArgs(command: Command, argv: readonly string[]): void {
  try {
    command.parse([...argv], { from: 'user' });
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.help')
      throw new HelpShown();
    throw new UsageError(oneLine(error.message));
  }
}

/** "error: unknown option '--x'\n(Did you mean --y?)" -> "unknown option '--x' (did you mean --y?)" */
function oneLine(message: string): string {
  return message
    .replace(/^error: /, '')
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => line.replace(/^\(Did you mean/, '(did you mean'))
    .join(' ');
}

export function positiveInt(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1)
      throw new UsageError(`${flag} must be a positive integer, got ${JSON.stringify(value)}`);
    return n;
  };
}

export function nonNegativeInt(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0)
      throw new UsageError(`${flag} must be a whole number >= 0, got ${JSON.stringify(value)}`);
    return n;
  };
}
