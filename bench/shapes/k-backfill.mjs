/**
 * K-backfill: `dag backfill` of N daily partitions from 2015-01-01, all missing, with one worker,
 * timed as a whole process from outside (process start to exit, like G; peak RSS by
 * /usr/bin/time). `Daily(date)` (bench/fixtures/daily.mjs) writes a few bytes to
 * `daily/date=YYYY-MM-DD.txt` with `LocalTarget.write()`.
 *
 * `--luigi <python>` times Luigi's command line instead: `luigi --module daily RangeDaily --of
 * Daily ...` (bench/luigi/daily.py, `luigi.LocalTarget` opened for writing). `--log-level L` is
 * passed to Luigi (default: none given, Luigi's DEBUG).
 *
 * Each case starts from an empty folder made before timing; a run is a success only if exactly
 * the N partition files exist afterwards.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { args, benchDir, freshDir } from '../lib.mjs';

const { size = '1000', luigi, 'log-level': logLevel } = args();
const n = Number(size);
// No digits in the folder's name: Luigi's RangeDaily finds the date in the output path by a
// regular expression, and years in the path before it would confuse it.
const dir = freshDir(luigi ? 'luigi-k-backfill' : 'k-backfill');
const day = (i) => new Date(Date.UTC(2015, 0, 1) + i * 86_400_000).toISOString().slice(0, 10);
const [from, to] = [day(0), day(n)];

const command = luigi
  ? [
      ...[luigi, '-m', 'luigi', '--module', 'daily', 'RangeDaily', '--of', 'Daily'],
      ...['--start', from, '--stop', to, '--days-back', '100000', '--task-limit', '100000'],
      ...['--workers', '1', '--local-scheduler', ...(logLevel ? ['--log-level', logLevel] : [])],
    ]
  : [
      ...[process.execPath, join(benchDir, '../dist/cli/bin.js'), 'backfill', 'Daily'],
      ...['--from', from, '--to', to, '--workers', '1', '--json'],
      ...['-m', join(benchDir, 'fixtures', 'daily.mjs')],
    ];
const started = performance.now();
const child = spawnSync('/usr/bin/time', ['-f', '%M', ...command], {
  cwd: dir,
  env: { ...process.env, BACKFILL_DIR: dir, PYTHONPATH: join(benchDir, 'luigi') },
  encoding: 'utf8',
  maxBuffer: 1 << 28,
});
const total = performance.now() - started;

// Exactly the N partition files, no more, no fewer.
const out = join(dir, 'daily');
const files = new Set(existsSync(out) ? readdirSync(out) : []);
const expected = Array.from({ length: n }, (_, i) => `date=${day(i)}.txt`);
const written = files.size === n && expected.every((name) => files.has(name));
const document = !luigi && child.status === 0 ? JSON.parse(child.stdout) : undefined;
const status =
  child.status !== 0
    ? `exit ${child.status}: ${child.stderr.slice(-500)}`
    : !written
      ? `failed: ${files.size} of ${n} files`
      : document && document.status !== 'success'
        ? document.status
        : 'success';
const rssKb = Number(child.stderr.trim().split('\n').at(-1));
const line = {
  shape: 'K-backfill',
  size: n,
  workers: 1,
  decide_ms: 0,
  run_ms: 0,
  total_ms: round(total),
  peak_rss_mb: Math.round(rssKb / 1024),
  per_task_us: round((total * 1000) / n),
  status,
  files: files.size,
  // Ours: what the process itself reports, planning (one bulk check) and running, inside.
  ...(document ? { plan_ms: document.planMs, in_process_run_ms: document.runMs } : {}),
  ...(luigi ? { luigi: '3.8.1', log_level: logLevel ?? 'DEBUG' } : { node: process.version }),
};
process.stdout.write(JSON.stringify(line) + '\n');

function round(value) {
  return Math.round(value * 10) / 10;
}
