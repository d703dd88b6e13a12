/**
 * G: `dag run` of an empty pipeline, from process start to exit, measured outside the process
 * (peak RSS by /usr/bin/time). `--module ts` loads a TypeScript module instead of JavaScript;
 * `--luigi <python>` times `luigi --module empty Empty --local-scheduler` instead.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { args, benchDir } from '../lib.mjs';

const { module: kind = 'mjs', luigi } = args();
const bin = join(benchDir, '../dist/cli/bin.js');
const command = luigi
  ? [luigi, '-m', 'luigi', '--module', 'empty', 'Empty', '--local-scheduler', '--no-lock']
  : [
      process.execPath,
      bin,
      'run',
      'Empty',
      '-m',
      join(benchDir, 'fixtures', `empty.${kind}`),
      '--json',
    ];
const started = performance.now();
const child = spawnSync('/usr/bin/time', ['-f', '%M', ...command], {
  cwd: join(benchDir, luigi ? 'luigi' : 'fixtures'),
  env: { ...process.env, PYTHONPATH: join(benchDir, 'luigi') },
  encoding: 'utf8',
});
const total = performance.now() - started;
const status =
  child.status !== 0
    ? `exit ${child.status}: ${child.stderr.slice(-500)}`
    : luigi
      ? 'nothing_to_do'
      : JSON.parse(child.stdout).status;
const rssKb = Number(child.stderr.trim().split('\n').at(-1));
const line = {
  shape: luigi || kind !== 'ts' ? 'G' : 'G-ts',
  size: 1,
  workers: 1,
  decide_ms: 0,
  run_ms: 0,
  total_ms: Math.round(total * 10) / 10,
  peak_rss_mb: Math.round(rssKb / 1024),
  per_task_us: Math.round(total * 1000),
  status,
  ...(luigi ? { luigi: '3.8.1' } : { node: process.version }),
};
process.stdout.write(JSON.stringify(line) + '\n');
