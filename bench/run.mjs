/**
 * Runs the benchmark shapes, each case in a fresh process, and prints a table of medians.
 *
 *   node bench/run.mjs                 ours only, 3 repetitions
 *   node bench/run.mjs --compare       ours and Luigi 3.8.1, interleaved in the same run
 *   node bench/run.mjs --smoke         one tiny case per shape (CI: the scripts keep working)
 *   --repeat N                         repetitions (default 3); medians are reported
 *   --only A1,B                        only these shapes
 *   --markdown                         the table as markdown (always also in bench/.work/results.md)
 *
 * Shape F needs MinIO (F-s3) and HDFS (F-hdfs): when they do not answer, they are started with
 * scripts/services/{minio,hdfs}.sh and stopped at the end; servers that were running are left
 * alone. F is timed straight to the server; its requests (the `req` columns) are counted in one
 * more run of each side through bench/count-proxy.mjs.
 *
 * Luigi sizes that take longer than 2 minutes here (its run-all shapes are O(N^2)) are not run
 * and are marked as skipped; nothing is extrapolated.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { benchDir, workRoot } from './lib.mjs';
import { http, parseExports } from './storage.mjs';

const flags = process.argv.slice(2);
const option = (name, fallback) => {
  const i = flags.indexOf(name);
  return i === -1 ? fallback : flags[i + 1];
};
const compare = flags.includes('--compare');
const smoke = flags.includes('--smoke');
const markdown = flags.includes('--markdown');
const repeat = smoke ? 1 : Number(option('--repeat', 3));
const only = option('--only')?.split(',');
// A safety net: the Luigi sizes run are chosen to finish in about 2 minutes at most (F-s3 10k
// takes 40 to 90 s, depending on the machine's load).
const LUIGI_TIMEOUT_MS = 300_000;

/**
 * Each case: our command, Luigi's (shapes.py's arguments; `{ node }`: one of our scripts run with
 * `--luigi <python>`; a string: why not), and the quantity the exponent is taken over.
 */
function cases() {
  const list = [];
  const add = (shape, size, ours, luigi, units = size, workers = 1) =>
    list.push({ shape, size, workers, ours, luigi, units });
  const tooSlow = 'skipped (>2 min)';
  const sizes = (full, tiny) => (smoke ? tiny : full);
  for (const n of sizes([10_000, 100_000], [200])) {
    add('A1', n, ['a1-fan-in-present.mjs', '--size', n], ['A1', '--size', n]);
  }
  for (const n of sizes([10_000, 100_000], [200])) {
    add('A2', n, ['a1-fan-in-present.mjs', '--size', n, '--root-missing', 1], ['A2', '--size', n]);
  }
  for (const n of sizes([1_000, 4_000, 10_000, 100_000], [200])) {
    add('A3', n, ['a3-fan-in-run.mjs', '--size', n], n <= 4_000 ? ['A3', '--size', n] : tooSlow);
  }
  for (const n of sizes([1_000, 10_000, 100_000], [200])) {
    add('B', n, ['b-chain.mjs', '--size', n], n <= 1_000 ? ['B', '--size', n] : tooSlow);
  }
  for (const side of sizes([32, 100, 300], [10])) {
    add(
      'C1',
      side,
      ['c1-grid.mjs', '--size', side],
      side <= 32 ? ['C1', '--size', side] : tooSlow,
      side * side,
    );
  }
  for (const width of sizes([10, 30, 100], [5])) {
    const edges = width * width * (width - 1) + width;
    add(
      'C2',
      width,
      ['c2-dense.mjs', '--size', width],
      width <= 30 ? ['C2', '--size', width] : tooSlow,
      edges,
    );
  }
  for (const workers of smoke ? [1, 2] : [1, 8]) {
    const n = smoke ? 100 : 1_000;
    add(
      'D',
      n,
      ['d-write-files.mjs', '--size', n, '--workers', workers],
      ['D', '--size', n, '--workers', workers],
      n,
      workers,
    );
  }
  // What the file system charges for D's writes with no engine around them: D's floor here.
  const floor = smoke ? 100 : 1_000;
  add('D-floor', floor, ['d-floor.mjs', '--size', floor], 'not applicable');
  add('D-floor+lease', floor, ['d-floor.mjs', '--size', floor, '--lease', 1], 'not applicable');
  for (const n of sizes([3_650], [365]))
    add('E', n, ['e-daily.mjs', '--size', n], ['E', '--size', n]);
  // Deciding which partitions are missing with a range: ours Range.of(...), Luigi's
  // RangeDaily / RangeHourly (its file-system inference). The files are kept between runs.
  for (const n of sizes([3_650], [200])) {
    add('E-range', n, ['range.mjs', '--kind', 'daily', '--size', n], ['E-range', '--size', n]);
  }
  for (const n of sizes([8_760, 87_600], [500])) {
    add('H-range', n, ['range.mjs', '--kind', 'hourly', '--size', n], ['H-range', '--size', n]);
  }
  // F is timed straight to the server; its requests come from one more run of each side, in
  // the first repetition, through the counting proxy (whose hop would slow the side with more
  // requests more).
  for (const store of ['s3', 'hdfs']) {
    const shape = `F-${store}`;
    const ours = ['f-partitions.mjs', '--store', store];
    for (const n of sizes([1_000, 10_000], [200])) {
      add(shape, n, [...ours, '--size', n, '--direct', 1], [shape, '--size', n, '--direct', 1]);
      list.at(-1).counted = { ours: [...ours, '--size', n], luigi: [shape, '--size', n] };
    }
  }
  // Backfilling N missing daily partitions, the whole command line process timed from outside:
  // ours `dag backfill`, Luigi's `luigi RangeDaily` (run by the same script with --luigi).
  for (const n of sizes([1_000], [50])) {
    const ours = ['k-backfill.mjs', '--size', n];
    add('K-backfill', n, ours, { node: ours });
  }
  add('G', 1, ['g-startup.mjs'], { node: ['g-startup.mjs'] });
  add('G-ts', 1, ['g-startup.mjs', '--module', 'ts'], 'not applicable');
  return list.filter((entry) => !only || only.includes(entry.shape));
}

function runOurs(argv, timeout) {
  return lastJson(
    execFileSync(
      process.execPath,
      [join(benchDir, 'shapes', argv[0]), ...argv.slice(1).map(String)],
      execOptions(timeout),
    ),
  );
}

function runLuigi(python, argv) {
  if (argv.node) return runOurs([...argv.node, '--luigi', python], LUIGI_TIMEOUT_MS);
  return lastJson(
    execFileSync(
      python,
      [join(benchDir, 'luigi', 'shapes.py'), ...argv.map(String)],
      execOptions(LUIGI_TIMEOUT_MS),
    ),
  );
}

function execOptions(timeout) {
  return {
    encoding: 'utf8',
    maxBuffer: 1 << 26,
    stdio: ['ignore', 'pipe', 'inherit'],
    ...(timeout ? { timeout } : {}),
  };
}

function lastJson(output) {
  return JSON.parse(output.trim().split('\n').at(-1));
}

const median = (runs) => {
  const sorted = [...runs].sort((a, b) => a.total_ms - b.total_ms);
  return sorted[Math.floor(sorted.length / 2)];
};

/** The servers shape F talks to; `live` tells whether one answers. */
const services = {
  'F-s3': {
    script: 'minio.sh',
    variable: 'S3_ENDPOINT',
    live: (env) => `${env.S3_ENDPOINT}/minio/health/live`,
  },
  'F-hdfs': {
    script: 'hdfs.sh',
    variable: 'WEBHDFS_URL',
    live: (env) => `${env.WEBHDFS_URL}/webhdfs/v1/?op=GETFILESTATUS&user.name=dagwright`,
  },
};
const startedServices = [];

/**
 * Exports the settings of the server a shape needs (run.mjs's children inherit them); starts it
 * if it does not answer. A server given in the environment is used as it is.
 */
async function ensureService({ script, variable, live }) {
  if (process.env[variable]) return;
  const path = join(benchDir, '..', 'scripts', 'services', script);
  let env = parseExports(execFileSync(path, ['env'], { encoding: 'utf8' }));
  const answers = await http('GET', live(env)).then(
    (response) => response.status === 200,
    () => false,
  );
  if (!answers) {
    env = parseExports(execFileSync(path, ['start'], execOptions()));
    startedServices.push(path);
  }
  Object.assign(process.env, env);
}

function stopServices() {
  for (const path of startedServices.splice(0)) {
    execFileSync(path, ['stop'], { stdio: ['ignore', 'inherit', 'inherit'] });
  }
}

const python = compare
  ? execFileSync(join(benchDir, 'luigi', 'setup.sh'), { encoding: 'utf8' }).trim()
  : undefined;
const list = cases();
process.on('exit', stopServices);
process.on('SIGINT', () => process.exit(130));
process.on('SIGTERM', () => process.exit(143));
for (const shape of new Set(list.map((entry) => entry.shape))) {
  if (services[shape]) await ensureService(services[shape]);
}
// Luigi's F shapes start the counting proxy with the same Node.
process.env.BENCH_NODE ??= process.execPath;
const results = list.map(() => ({ ours: [], luigi: [] }));
for (let r = 0; r < repeat; r++) {
  // Interleaved: each repetition runs every case once, ours then Luigi's.
  list.forEach((entry, k) => {
    if (r === 0 && entry.counted) {
      results[k].counted = {
        ours: runOurs(entry.counted.ours),
        luigi: python ? tryLuigi(entry.counted.luigi) : undefined,
      };
    }
    results[k].ours.push(runOurs(entry.ours));
    if (python && typeof entry.luigi !== 'string') results[k].luigi.push(tryLuigi(entry.luigi));
  });
}

function tryLuigi(argv) {
  try {
    return runLuigi(python, argv);
  } catch (error) {
    return {
      status: error.signal === 'SIGTERM' ? 'timeout' : `error: ${error.message.split('\n')[0]}`,
      total_ms: Infinity,
    };
  }
}

const rows = list.map((entry, k) => {
  const ours = median(results[k].ours);
  const luigi = results[k].luigi.length > 0 ? median(results[k].luigi) : undefined;
  return {
    ...entry,
    ours,
    luigi,
    luigiNote: typeof entry.luigi === 'string' ? entry.luigi : undefined,
    requests: {
      ours: results[k].counted?.ours.requests,
      luigi: results[k].counted?.luigi?.requests,
    },
    runs: results[k],
  };
});

// A benchmark that did not do its work measures nothing: fail loudly (also in CI smoke runs).
let failed = false;
for (const row of rows) {
  for (const [side, line] of [
    ['ours', row.ours],
    ['luigi', row.luigi],
    ['ours, counted', row.runs.counted?.ours],
    ['luigi, counted', row.runs.counted?.luigi],
  ]) {
    if (line && !['success', 'nothing_to_do'].includes(line.status)) {
      console.error(`${row.shape} ${row.size} (${side}): status ${line.status}`);
      failed = true;
    }
  }
}

/** log(t2/t1)/log(n2/n1) against the previous size of the same shape and workers. */
function exponent(row, side) {
  const previous = rows
    .filter(
      (other) =>
        other.shape === row.shape && other.workers === row.workers && other.units < row.units,
    )
    .at(-1);
  const now = row[side]?.total_ms;
  const before = previous?.[side]?.total_ms;
  if (!previous || !Number.isFinite(now) || !Number.isFinite(before) || before <= 0) return '';
  return (Math.log(now / before) / Math.log(row.units / previous.units)).toFixed(2);
}

const header = [
  'shape',
  'size',
  'workers',
  'ours ms',
  'ours MB',
  'Luigi ms',
  'Luigi MB',
  'Luigi/ours',
  'ours req',
  'Luigi req',
  'exp ours',
  'exp Luigi',
];
const table = rows.map((row) => {
  const luigiMs = row.luigi
    ? Number.isFinite(row.luigi.total_ms)
      ? row.luigi.total_ms
      : row.luigi.status
    : (row.luigiNote ?? '');
  const ratio =
    row.luigi && Number.isFinite(row.luigi.total_ms)
      ? `${(row.luigi.total_ms / row.ours.total_ms).toFixed(1)}x`
      : '';
  return [
    row.shape,
    row.size,
    row.workers,
    row.ours.total_ms,
    row.ours.peak_rss_mb,
    luigiMs,
    row.luigi?.peak_rss_mb ?? '',
    ratio,
    row.requests.ours ?? '',
    row.requests.luigi ?? '',
    exponent(row, 'ours'),
    exponent(row, 'luigi'),
  ].map(String);
});

mkdirSync(workRoot, { recursive: true });
writeFileSync(
  join(workRoot, 'results.json'),
  JSON.stringify({ repeat, compare, smoke, cores: cpus().length, rows }, null, 2),
);
const markdownTable = [
  `| ${header.join(' | ')} |`,
  `|${header.map(() => ' --- ').join('|')}|`,
  ...table.map((cells) => `| ${cells.join(' | ')} |`),
].join('\n');
writeFileSync(join(workRoot, 'results.md'), markdownTable + '\n');
if (markdown) {
  console.log(markdownTable);
} else {
  const widths = header.map((title, i) =>
    Math.max(title.length, ...table.map((cells) => cells[i].length)),
  );
  const line = (cells) => cells.map((cell, i) => cell.padEnd(widths[i])).join('  ');
  console.log(`\n${line(header)}\n${table.map(line).join('\n')}`);
  console.log(
    `\nmedians of ${repeat} run(s); ms = decide + run in process (G, K-backfill: process start to exit); req = HTTP requests to the server (F, from one run through bench/count-proxy.mjs); details in bench/.work/results.json`,
  );
}
if (failed) process.exitCode = 1;
