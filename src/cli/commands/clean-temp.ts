/**
 * `dag clean-temp [dir...]`: removes temp files and folders left by writers that were killed.
 * A temp entry goes only when it is older than `--older-than` (default 1h) and its writer
 * process is not alive on this machine.
 */
import { lstatSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UsageError } from '../../errors.js';
import { parseDurationMs } from '../../params/time.js';
import { TEMP_NAME } from '../../targets/atomic-file.js';
import { newCommand, parseArgs } from '../command.js';
import type { Output } from '../main.js';

const SKIP = new Set(['node_modules', '.git']);

export async function cleanTempCommand(
  argv: readonly string[],
  cwd: string,
  out: Output,
): Promise<number> {
  const command = newCommand('clean-temp', 'Remove temp files left by killed writers.')
    .argument('[dir...]', 'folders to search, recursively (default: the working directory)')
    .option(
      '--older-than <duration>',
      'only entries older than this (default 1h)',
      (value: string) => {
        try {
          return parseDurationMs(value);
        } catch (error) {
          throw new UsageError(`--older-than: ${(error as Error).message}`);
        }
      },
    )
    .option('--dry-run', 'list what would be removed')
    .option('--json', 'print JSON');
  parseArgs(command, argv);
  const options = command.opts();
  const maxAge = (options.olderThan as number | undefined) ?? 3_600_000;
  const roots = command.args.length > 0 ? command.args : ['.'];
  const removed: string[] = [];
  const now = Date.now();
  for (const root of roots) {
    walk(resolve(cwd, root), (path, name) => {
      const match = TEMP_NAME.exec(name);
      if (!match) return false;
      const info = lstatSync(path);
      if (now - info.mtimeMs < maxAge || isAlive(Number(match[2]))) return true;
      if (!options.dryRun) rmSync(path, { recursive: true, force: true });
      removed.push(path);
      return true;
    });
  }
  if (options.json) out.stdout(JSON.stringify({ removed, dryRun: Boolean(options.dryRun) }) + '\n');
  else
    out.stdout(
      `${removed.map((path) => `${options.dryRun ? 'would remove' : 'removed'} ${path}\n`).join('')}${removed.length} temp entries ${options.dryRun ? 'found' : 'removed'}\n`,
    );
  return 0;
}

/** Visits every entry; `visit` returns true when it handled the entry (no descent). */
function walk(dir: string, visit: (path: string, name: string) => boolean): void {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT')
      throw new UsageError(`no such folder: ${dir}`);
    throw error;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (visit(path, entry.name)) continue;
    if (entry.isDirectory() && !SKIP.has(entry.name)) walk(path, visit);
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return pid !== process.pid;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
