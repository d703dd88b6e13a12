/**
 * Shared by the benchmark shapes. Each shape runs in its own process and prints one JSON line
 * per case: shape, size, workers, decide_ms, run_ms, total_ms, peak_rss_mb, per_task_us, node.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const benchDir = dirname(fileURLToPath(import.meta.url));
export const workRoot = join(benchDir, '.work');

/** `--size 1000 --workers 8` style arguments. */
export function args() {
  const out = {};
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i += 2) out[argv[i].replace(/^--/, '')] = argv[i + 1];
  return out;
}

/**
 * A fresh folder under bench/.work for this case. Writes the removal out to disk (sync) first,
 * so the timed part does not pay for the previous case's deletions.
 */
export function freshDir(name) {
  const dir = join(workRoot, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  execFileSync('sync');
  return dir;
}

/** Prints the case's JSON line; `tasks` is the number of tasks the shape is about. */
export function report(shape, size, result, extra = {}) {
  const decide = result.planMs;
  const runMs = result.runMs;
  const total = decide + runMs;
  const line = {
    shape,
    size,
    workers: extra.workers ?? 1,
    decide_ms: round(decide),
    run_ms: round(runMs),
    total_ms: round(total),
    peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
    per_task_us: round((total * 1000) / (extra.tasks ?? size)),
    status: result.status,
    node: process.version,
    ...extra,
  };
  process.stdout.write(JSON.stringify(line) + '\n');
}

const round = (n) => Math.round(n * 10) / 10;

/**
 * A folder of N empty files `leaf_<i>.out`, kept between runs (making 100k files takes longer
 * than deciding about them). Shared by our shapes and Luigi's.
 */
export function leafFixture(n) {
  const dir = join(workRoot, `leaves-${n}`);
  const done = join(dir, '.complete');
  if (existsSync(done)) return dir;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (let i = 0; i < n; i++) writeFileSync(join(dir, `leaf_${i}.out`), '');
  writeFileSync(done, '');
  execFileSync('sync');
  return dir;
}

/**
 * A kept folder of time partitions from 2015-01-01 (UTC), 90 % present: partition i is missing
 * when i % 10 === 0. `daily`: `daily/YYYY/MM/DD/data.out`, N days; `hourly`:
 * `hourly/YYYY/MM/DD/HH.out`, N hours. Shared by our E-range/H-range and Luigi's; made once per
 * size (78,840 files take longer to make than to decide about), never inside the timed part.
 */
export function partitionFixture(kind, n) {
  const dir = join(workRoot, `range-${kind}-${n}`);
  const done = join(dir, '.complete');
  if (existsSync(done)) return dir;
  rmSync(dir, { recursive: true, force: true });
  const start = Date.UTC(2015, 0, 1);
  const step = kind === 'daily' ? 86_400_000 : 3_600_000;
  let folder;
  for (let i = 0; i < n; i++) {
    if (i % 10 === 0) continue;
    const path = partitionPath(dir, kind, new Date(start + i * step));
    const parent = path.slice(0, path.lastIndexOf('/'));
    if (parent !== folder) mkdirSync((folder = parent), { recursive: true });
    writeFileSync(path, '');
  }
  writeFileSync(done, '');
  execFileSync('sync');
  return dir;
}

const pad = (n) => String(n).padStart(2, '0');

/** The file of the partition starting at `time` (a UTC Date) in a partitionFixture() folder. */
function partitionPath(dir, kind, time) {
  const day = `${time.getUTCFullYear()}/${pad(time.getUTCMonth() + 1)}/${pad(time.getUTCDate())}`;
  return kind === 'daily'
    ? `${dir}/daily/${day}/data.out`
    : `${dir}/hourly/${day}/${pad(time.getUTCHours())}.out`;
}
