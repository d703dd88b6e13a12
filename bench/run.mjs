/**
 * `npm run bench`: every shape at its benchmark sizes, each case in a fresh process, the median
 * of `--repeat` runs (default 3). `--smoke` runs one small case per shape, for CI (no timings
 * are judged there). Prints the JSON lines, then a table.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { args, benchDir } from './lib.mjs';

const SHAPES = [
  { file: 'a1-fan-in-present.mjs', sizes: [10_000, 100_000], smoke: 200 },
  {
    file: 'a1-fan-in-present.mjs',
    sizes: [10_000, 100_000],
    smoke: 200,
    extra: ['--root-missing', '1'],
  },
  { file: 'a3-fan-in-run.mjs', sizes: [1_000, 4_000, 10_000, 100_000], smoke: 200 },
];

const options = args();
const smoke = process.argv.includes('--smoke');
const repeat = smoke ? 1 : Number(options.repeat ?? 3);

const rows = [];
for (const shape of SHAPES) {
  for (const size of smoke ? [shape.smoke] : shape.sizes) {
    const runs = [];
    for (let r = 0; r < repeat; r++) {
      const output = execFileSync(
        process.execPath,
        [join(benchDir, 'shapes', shape.file), '--size', String(size), ...(shape.extra ?? [])],
        {
          encoding: 'utf8',
          maxBuffer: 1 << 24,
        },
      );
      runs.push(JSON.parse(output.trim().split('\n').at(-1)));
    }
    runs.sort((a, b) => a.total_ms - b.total_ms);
    const median = runs[Math.floor(runs.length / 2)];
    process.stdout.write(JSON.stringify({ ...median, repeats: repeat }) + '\n');
    rows.push(median);
    // A benchmark that did not do its work measures nothing: fail loudly (also in CI smoke runs).
    if (!['success', 'nothing_to_do'].includes(median.status)) {
      console.error(`${median.shape} ${size}: status ${median.status}`);
      process.exitCode = 1;
    }
  }
}

console.log('\nshape  size      decide_ms  run_ms    total_ms  peak_rss_mb  per_task_us');
for (const row of rows) {
  console.log(
    [
      row.shape.padEnd(6),
      String(row.size).padEnd(9),
      String(row.decide_ms).padEnd(10),
      String(row.run_ms).padEnd(9),
      String(row.total_ms).padEnd(9),
      String(row.peak_rss_mb).padEnd(12),
      row.per_task_us,
    ].join(' '),
  );
}
