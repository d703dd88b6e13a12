/**
 * `dag clean-temp [dir|uri...]`: removes what killed writers left: temp files and folders on
 * the local disk and HDFS, pending multipart uploads and uncommitted remote staging objects on
 * S3. An entry goes only when it is older than `--older-than` (default 1h) and, locally, its
 * writer process is not alive.
 */
import { lstatSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../../errors.js';
import { parseDurationMs } from '../../params/time.js';
import { TEMP_NAME } from '../../targets/atomic-file.js';
import { newCommand, parseArgs } from '../command.js';
import type { Output } from '../main.js';
import { loadConfig } from '../config.js';
import { normalizeArtifactRoot } from '../../targets/artifact.js';
import { configureStorage } from '../../targets/settings.js';
import { ARTIFACT_ROOT_HELP } from '../storage.js';
import { isAlive } from '../../process-alive.js';

const SKIP = new Set(['node_modules', '.git']);

export async function cleanTempCommand(
  argv: readonly string[],
  cwd: string,
  out: Output,
): Promise<number> {
  const command = newCommand(
    'clean-temp',
    'Remove temp files and pending uploads left by killed writers.',
  )
    .argument(
      '[location...]',
      'folders, s3://bucket/prefix or webhdfs://host:port/path to search, recursively (default: the working directory and the artifact root)',
    )
    .option('--artifact-root <uri>', ARTIFACT_ROOT_HELP)
    .option('--config <file>', 'config file (default: dag.config.* in the working directory)')
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
  const {
    config,
    dir,
    path: configPath,
  } = await loadConfig(options.config as string | undefined, cwd);
  configureStorage({ s3: config.s3, hdfs: config.hdfs });
  const roots = command.args.length > 0 ? command.args : ['.'];
  if (command.args.length === 0) {
    const root = options.artifactRoot
      ? normalizeArtifactRoot(options.artifactRoot as string, cwd, '--artifact-root')
      : config.artifactRoot &&
        normalizeArtifactRoot(config.artifactRoot, dir, `${configPath}: artifactRoot`);
    if (root && root !== cwd) roots.push(root);
  }
  const removed: string[] = [];
  const now = Date.now();
  const remote = { olderThanMs: maxAge, dryRun: Boolean(options.dryRun) };
  for (const root of roots) {
    const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(root)?.[1]?.toLowerCase();
    if (scheme === 's3') {
      const { cleanS3Temp } = await import('../../targets/s3/clean.js');
      removed.push(...(await cleanS3Temp(root, remote)));
      continue;
    }
    if (scheme === 'webhdfs' || scheme === 'swebhdfs' || scheme === 'hdfs') {
      const { cleanHdfsTemp } = await import('../../targets/hdfs/clean.js');
      removed.push(...(await cleanHdfsTemp(root, remote)));
      continue;
    }
    if (scheme !== undefined && scheme !== 'file')
      throw new UsageError(
        `clean-temp: unsupported location ${JSON.stringify(root)}; use a folder, s3://bucket/prefix or webhdfs://host:port/path`,
      );
    walk(resolve(cwd, scheme === 'file' ? fileURLToPath(root) : root), (path, name) => {
      const match = TEMP_NAME.exec(name);
      if (!match) return false;
      const info = lstatSync(path);
      const pid = Number(match[2]);
      if (now - info.mtimeMs < maxAge || (pid !== process.pid && isAlive(pid))) return true;
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
