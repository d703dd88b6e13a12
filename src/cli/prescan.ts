/**
 * A first look at the command line, before modules are loaded: which subcommand, which task
 * family, which modules and config. Parameter flags are only known after loading the modules.
 */

/** General options that take a value; their value is never the family name. */
const VALUE_OPTIONS = new Set([
  '-m',
  '--module',
  '--config',
  '--workers',
  '--executor',
  '--log-format',
  '--format',
  '--retries',
  '--retry-delay',
  '--timeout',
  '--resources',
  '--lock-dir',
  '--lock-store',
  '--artifact-root',
  '--log-dir',
  '--older-than',
  // backfill and cron
  '--param',
  '--from',
  '--to',
  '--every',
  '--tz',
  '--limit',
  '--days-back',
  '--hours-back',
  '--months-back',
  '--now',
  '--catch-up',
]);

/** Commands whose first bare word is not the family: `dag cron "<expr>" <Family>`. */
const LEADING_ARGUMENTS: Readonly<Record<string, number>> = { cron: 1 };

export interface Prescan {
  readonly command: string | undefined;
  /** First bare word after the subcommand. */
  readonly family: string | undefined;
  readonly modules: readonly string[];
  readonly config: string | undefined;
  readonly debug: boolean;
  readonly json: boolean;
}

export function prescan(argv: readonly string[]): Prescan {
  let command: string | undefined;
  let family: string | undefined;
  const modules: string[] = [];
  let config: string | undefined;
  let debug = false;
  let json = false;
  let leading = 0;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') break;
    const [flag, inline] = splitInline(arg);
    if (flag === '-m' || flag === '--module') modules.push(inline ?? argv[++i] ?? '');
    else if (flag === '--config') config = inline ?? argv[++i];
    else if (flag === '--debug') debug = true;
    else if (flag === '--json') json = true;
    else if (VALUE_OPTIONS.has(flag) && inline === undefined) i++;
    else if (!arg.startsWith('-')) {
      if (command === undefined) {
        command = arg;
        leading = LEADING_ARGUMENTS[arg] ?? 0;
      } else if (leading > 0) leading--;
      else if (family === undefined) family = arg;
    }
  }
  return { command, family, modules, config, debug, json };
}

function splitInline(arg: string): [string, string | undefined] {
  const eq = arg.indexOf('=');
  return arg.startsWith('--') && eq > 2 ? [arg.slice(0, eq), arg.slice(eq + 1)] : [arg, undefined];
}
