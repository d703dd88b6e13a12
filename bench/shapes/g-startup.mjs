/**
 * G: `dag run` of an empty pipeline, from process start to exit, measured outside the process
 * (peak RSS by /usr/bin/time). `--module ts` loads a TypeScript module instead of JavaScript.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { args, benchDir } from '../lib.mjs';

const { module: kind = 'mjs' } = args();
const bin = join(benchDir, '../dist/cli/bin.js');
const fixture = join(benchDir, 'fixtures', `empty.${kind}`);
const started = performance.now();
const child = spawnSync(
  '/usr/bin/time',
  ['-f', '%M', process.execPath, bin, 'run', 'Empty', '-m', fixture, '--json'],
  {
    cwd: join(benchDir, 'fixtures'),
    encoding: 'utf8',
  },
);
const total = performance.now() - started;
const status =
  child.status === 0 ? JSON.parse(child.stdout).status : `exit ${child.status}: ${child.stderr}`;
const rssKb = Number(child.stderr.trim().split('\n').at(-1));
const line = {
  shape: kind === 'ts' ? 'G-ts' : 'G',
  size: 1,
  workers: 1,
  decide_ms: 0,
  run_ms: 0,
  total_ms: Math.round(total * 10) / 10,
  peak_rss_mb: Math.round(rssKb / 1024),
  per_task_us: Math.round(total * 1000),
  status,
  node: process.version,
};
process.stdout.write(JSON.stringify(line) + '\n');
