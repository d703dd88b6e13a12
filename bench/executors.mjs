/**
 * Per-task overhead of the docker and nomad executors, each against the plain loop a careful
 * person would write by hand, interleaved in the same run (the order alternates each repetition).
 *
 *   node bench/executors.mjs                 N=20 sequential tasks per case, 3 repetitions
 *   node bench/executors.mjs --smoke         N=3 (10 for nomad200), one repetition (CI)
 *   --repeat R                               repetitions (default 3); medians are reported
 *   --n N                                    tasks of the sequential cases (default 20)
 *   --only docker,nomad,nomad200             only these cases
 *
 * Cases (every task is trivial: busybox writes one small local file):
 *   docker     N tasks through `run()` with a DockerExecutor, 1 worker, against a loop of
 *              `docker run --rm --init --network host -v DIR:DIR IMAGE sh -c 'echo i > DIR/out-i'`
 *   nomad      N tasks through `run()` with a NomadExecutor, 1 worker, against a loop that
 *              registers one equivalent parameterized job (HTTP API), then per task runs
 *              `nomad job dispatch -detach -meta ...` and waits with a blocking query until the
 *              child is dead
 *   nomad200   200 tasks with 8 in flight, both sides; also the most children pending or running
 *              at once, computed afterwards from Nomad's own times (submission to the terminal
 *              allocation update)
 *
 * For the Nomad cases the JSON also has each side's median phases per task, from Nomad's own
 * times: before dispatch, placement, container setup, container run, exit to server (the
 * client's allocation sync), server to done. A sequential loop of short tasks cannot go below
 * Nomad's client sync of about 1.05 s per task (bench/RESULTS.md).
 *
 * Needs dockerd and a Nomad agent: started with scripts/services/{docker,nomad}.sh when they do
 * not answer, and then stopped at the end; servers that were running are left alone. The bench's
 * Nomad jobs (children and parents) and containers are removed at the end. Results: a table,
 * a JSON line, and bench/.work/executors.json.
 */
/* global fetch, URLSearchParams */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { cpus, homedir, loadavg } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import { CommandTask, DockerExecutor, LocalTarget, NomadExecutor, p, run } from '../dist/index.js';
import { benchDir, freshDir as freshBenchDir, workRoot } from './lib.mjs';
import { parseExports } from './storage.mjs';

const flags = process.argv.slice(2);
const option = (name, fallback) => {
  const i = flags.indexOf(name);
  return i === -1 ? fallback : flags[i + 1];
};
const smoke = flags.includes('--smoke');
const repeat = smoke ? 1 : Number(option('--repeat', 3));
const n = smoke ? 3 : Number(option('--n', 20));
const wideN = smoke ? 10 : 200;
const WIDE_WORKERS = 8;
const only = option('--only', 'docker,nomad,nomad200').split(',');
for (const name of only) {
  if (!['docker', 'nomad', 'nomad200'].includes(name)) {
    console.error(`unknown case ${name}: use --only docker,nomad,nomad200`);
    process.exit(2);
  }
}

const scripts = join(benchDir, '..', 'scripts', 'services');
/** Everything this run makes carries it: work folders, run ids, job ids, container labels. */
const stamp = `bench-exec-${Date.now().toString(36)}`;
const workDir = join(workRoot, 'executors');
const PLAIN_LABEL = 'dagwright-bench.run';

// --- services -------------------------------------------------------------------------------

const started = [];
process.on('exit', () => {
  for (const script of started.splice(0).reverse()) {
    execFileSync(join(scripts, script), ['stop'], { stdio: ['ignore', 'inherit', 'inherit'] });
  }
});
process.on('SIGINT', () => process.exit(130));
process.on('SIGTERM', () => process.exit(143));

function serviceEnv(script, command) {
  return parseExports(
    execFileSync(join(scripts, script), [command], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    }),
  );
}

function dockerPing(socketPath) {
  return new Promise((resolve) => {
    const req = request({ socketPath, path: '/_ping', timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

async function nomadReady(addr) {
  try {
    const nodes = await (await fetch(`${addr}/v1/nodes`)).json();
    return nodes.some((node) => node.Status === 'ready');
  } catch {
    return false;
  }
}

/**
 * dockerd (always: Nomad's docker driver needs it too) and, if asked for, Nomad. A server given
 * in the environment (DOCKER_HOST, NOMAD_ADDR) is used as it is; otherwise the scripts' own one,
 * started if it does not answer (and then stopped at the end).
 */
async function ensureServices(needNomad) {
  let env = serviceEnv('docker.sh', 'env');
  const givenDocker = process.env.DOCKER_HOST;
  const socketPath = (givenDocker ?? env.DOCKER_HOST).replace(/^unix:\/\//, '');
  process.env.DOCKER_HOST = `unix://${socketPath}`;
  if (!givenDocker && !(await dockerPing(socketPath))) {
    env = serviceEnv('docker.sh', 'start');
    started.push('docker.sh');
  }
  try {
    execFileSync('docker', ['image', 'inspect', env.DOCKER_TEST_IMAGE], { stdio: 'ignore' });
  } catch {
    if (givenDocker) throw new Error(`${env.DOCKER_TEST_IMAGE} is not on ${givenDocker}`);
    // dockerd answers but the image is missing: `start` only imports it then.
    env = serviceEnv('docker.sh', 'start');
  }
  const docker = { socketPath, image: env.DOCKER_TEST_IMAGE };
  if (!needNomad) return { docker };
  let addr = process.env.NOMAD_ADDR;
  if (!addr) {
    addr = serviceEnv('nomad.sh', 'env').NOMAD_ADDR;
    if (!(await nomadReady(addr))) {
      addr = serviceEnv('nomad.sh', 'start').NOMAD_ADDR;
      started.push('nomad.sh');
    }
    process.env.NOMAD_ADDR = addr;
  }
  await dockerDriverHealthy(addr);
  return { docker, nomad: { addr } };
}

/** A node is ready before its docker driver is: wait for the driver (up to 60 s). */
async function dockerDriverHealthy(addr) {
  for (let waited = 0; ; waited += 500) {
    try {
      const nodes = await (await fetch(`${addr}/v1/nodes`)).json();
      const ids = nodes.filter((node) => node.Status === 'ready').map((node) => node.ID);
      for (const id of ids) {
        const node = await (await fetch(`${addr}/v1/node/${id}`)).json();
        if (node.Drivers?.docker?.Healthy) return;
      }
    } catch {
      // Not up yet.
    }
    if (waited >= 60_000)
      throw new Error(`no node of Nomad at ${addr} has a healthy docker driver`);
    await sleep(500);
  }
}

// --- the tasks ------------------------------------------------------------------------------

let IMAGE;

/** Task i of one side of one repetition: busybox writes `i` to its (staged) output. */
class Echo extends CommandTask.with({ i: p.int(), dir: p.string({ pathSafe: false }) }) {
  image = IMAGE;
  output() {
    return new LocalTarget(join(this.dir, `out-${this.i}.txt`));
  }
  command(staged) {
    return ['sh', '-c', `echo ${this.i} > "$0"`, staged.path];
  }
}

/** Every output there, each holding its number: a side that did not do its work fails the run. */
function checkOutputs(dir, count, side) {
  for (let i = 0; i < count; i++) {
    const path = join(dir, `out-${i}.txt`);
    if (!existsSync(path) || readFileSync(path, 'utf8') !== `${i}\n`)
      throw new Error(`${side}: ${path} is missing or wrong`);
  }
}

/** A new folder under this run's own one (so task hashes never repeat across runs). */
const freshDir = (...parts) => freshBenchDir(join('executors', stamp, ...parts));

/** Ours: `run()` of `count` Echo tasks given as roots; wall time around the call, plan included. */
async function runOurs(executor, dir, count, workers) {
  const times = new Map();
  const t0 = performance.now();
  const roots = Array.from({ length: count }, (_, i) => new Echo({ i, dir: join(dir, 'out') }));
  const result = await run(roots, {
    executor,
    workers,
    lockDir: join(dir, 'locks'),
    logDir: join(dir, 'logs'),
    onEvent: (event) => {
      if (event.type !== 'started' && event.type !== 'succeeded') return;
      if (event.task.family !== 'Echo') return;
      if (event.type === 'started') times.set(event.task.hash, { start: Date.now() });
      else times.get(event.task.hash).end = Date.now();
    },
  });
  const wallMs = performance.now() - t0;
  if (result.status !== 'success') {
    const failed = result.tasks.find((task) => task.status === 'failed');
    throw new Error(`ours: run ${result.status}: ${failed?.reason ?? ''}`);
  }
  checkOutputs(join(dir, 'out'), count, 'ours');
  return { wallMs, planMs: result.planMs, runMs: result.runMs, times };
}

/** `work` for items 0..count-1, at most `width` at a time; a failure stops new items. */
async function pool(count, width, work) {
  let next = 0;
  const worker = async () => {
    while (next < count) {
      try {
        await work(next++);
      } catch (error) {
        next = count;
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, count) }, worker));
}

// --- docker ---------------------------------------------------------------------------------

async function dockerOurs(env, r) {
  const dir = freshDir('docker', `r${r}`, 'ours');
  const runId = `${stamp}-docker-${r}`;
  const executor = new DockerExecutor({ socketPath: env.docker.socketPath, runId });
  const ours = await runOurs(executor, dir, n, 1);
  return { wallMs: ours.wallMs, planMs: ours.planMs };
}

async function dockerPlain(env, r) {
  const dir = freshDir('docker', `r${r}`, 'plain');
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    await execa('docker', [
      'run',
      '--rm',
      '--init',
      '--network',
      'host',
      '--label',
      `${PLAIN_LABEL}=${stamp}`,
      '-v',
      `${dir}:${dir}`,
      env.docker.image,
      'sh',
      '-c',
      `echo ${i} > ${dir}/out-${i}.txt`,
    ]);
  }
  const wallMs = performance.now() - t0;
  checkOutputs(dir, n, 'plain');
  return { wallMs };
}

/** Containers of this run left behind (none expected: both sides remove theirs). */
async function cleanDocker() {
  const ids = new Set();
  for (const filter of [`label=${PLAIN_LABEL}=${stamp}`, 'label=dagwright.run']) {
    const { stdout } = await execa('docker', [
      'ps',
      '-a',
      '--filter',
      filter,
      '--format',
      '{{.ID}} {{.Label "dagwright.run"}}',
    ]);
    for (const line of stdout.split('\n').filter(Boolean)) {
      const [id, runId = ''] = line.split(' ');
      if (filter.startsWith(`label=${PLAIN_LABEL}`) || runId.startsWith(stamp)) ids.add(id);
    }
  }
  if (ids.size > 0) await execa('docker', ['rm', '-f', ...ids]);
  return ids.size;
}

// --- nomad ----------------------------------------------------------------------------------

const NOMAD_BIN = join(
  process.env.XDG_CACHE_HOME || join(homedir(), '.cache'),
  'dagwright',
  `nomad-${process.env.NOMAD_VERSION || 'v1.11.2'}`,
  'nomad',
);
/** Parents of our children seen in this run (`dagwright-<hash of the job's shape>`). */
const oursParents = new Set();
const plainParents = new Set();

async function nomadApi(env, method, path, body) {
  const response = await fetch(`${env.nomad.addr}/v1${path}`, {
    method,
    ...(body === undefined
      ? {}
      : { body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return {
    body: text ? JSON.parse(text) : undefined,
    index: response.headers.get('x-nomad-index'),
  };
}

/** The plain side's job, as close to the executor's as a hand-written one gets. */
function plainJob(id, sharedDir, image) {
  return {
    ID: id,
    Name: id,
    Type: 'batch',
    Datacenters: ['*'],
    ParameterizedJob: { Payload: 'forbidden', MetaRequired: ['i', 'out'] },
    TaskGroups: [
      {
        Name: 'main',
        Count: 1,
        RestartPolicy: { Attempts: 0, Mode: 'fail' },
        ReschedulePolicy: { Attempts: 0, Unlimited: false },
        Tasks: [
          {
            Name: 'run',
            Driver: 'docker',
            Config: {
              image,
              args: ['sh', '-c', 'echo ${NOMAD_META_i} > "$0"', '${NOMAD_META_out}'],
              init: true,
              force_pull: false,
              volumes: [`${sharedDir}:${sharedDir}`],
            },
            KillTimeout: 5e9,
            LogConfig: { MaxFiles: 2, MaxFileSizeMB: 10 },
          },
        ],
      },
    ],
  };
}

/** Blocks until the child job is dead, as a careful script would (no polling loop). */
async function waitDead(env, id) {
  let index = 0;
  for (;;) {
    const query = index > 0 ? `?index=${index}&wait=30s` : '';
    const { body, index: next } = await nomadApi(
      env,
      'GET',
      `/job/${encodeURIComponent(id)}${query}`,
    );
    if (body.Status === 'dead') return;
    index = Number(next);
  }
}

async function nomadOurs(env, kind, r, count, workers) {
  const dir = freshDir(kind, `r${r}`, 'ours');
  const runId = `${stamp}-${kind}-${r}`;
  const executor = new NomadExecutor({
    runId,
    settings: { address: env.nomad.addr },
    sharedPaths: [workDir],
  });
  try {
    const ours = await runOurs(executor, dir, count, workers);
    const children = await listChildren(
      env,
      'dagwright-',
      `Meta.dagwright_run == ${JSON.stringify(runId)}`,
    );
    for (const child of children) oursParents.add(child.ParentID);
    const byHash = new Map(children.map((child) => [child.Meta.dagwright_hash, child]));
    // The run's own times per task, joined with Nomad's by the task's hash.
    const tasks = [...ours.times].map(([hash, time]) => ({ ...time, child: byHash.get(hash) }));
    const timeline = await timelineOf(env, tasks, count);
    return { wallMs: ours.wallMs, planMs: ours.planMs, ...timeline };
  } finally {
    executor.close();
  }
}

async function nomadPlain(env, kind, r, count, workers) {
  const dir = freshDir(kind, `r${r}`, 'plain');
  const parent = `${stamp}-${kind}-plain-job`;
  plainParents.add(parent);
  const nomadEnv = { ...process.env, NOMAD_ADDR: env.nomad.addr };
  const times = [];
  const t0 = performance.now();
  await nomadApi(env, 'PUT', '/jobs', { Job: plainJob(parent, workDir, env.docker.image) });
  await pool(count, workers, async (i) => {
    const time = { start: Date.now() };
    const { stdout } = await execa(
      NOMAD_BIN,
      [
        'job',
        'dispatch',
        '-detach',
        '-meta',
        `i=${i}`,
        '-meta',
        `out=${join(dir, `out-${i}.txt`)}`,
        parent,
      ],
      { env: nomadEnv },
    );
    const id = /Dispatched Job ID\s*=\s*(\S+)/.exec(stdout)?.[1];
    if (!id) throw new Error(`plain: cannot read the dispatched job from: ${stdout}`);
    await waitDead(env, id);
    time.end = Date.now();
    time.id = id;
    times.push(time);
  });
  const wallMs = performance.now() - t0;
  checkOutputs(dir, count, 'plain');
  const children = await listChildren(env, `${parent}/dispatch-`);
  const byId = new Map(children.map((child) => [child.ID, child]));
  const tasks = times.map((time) => ({ ...time, child: byId.get(time.id) }));
  return { wallMs, ...(await timelineOf(env, tasks, count)) };
}

async function listChildren(env, prefix, filter) {
  const query = new URLSearchParams({ prefix, meta: 'true' });
  if (filter) query.set('filter', filter);
  const { body } = await nomadApi(env, 'GET', `/jobs?${query}`);
  return (body ?? []).filter((job) => job.ParentID);
}

const ms = (ns) => ns / 1e6;

/**
 * Where each task's time went, from its own start/end (ms since the epoch) and Nomad's times
 * of its child: submitted, allocation created, container started and finished, allocation
 * updated to terminal. Also the most children in flight (submitted, allocation not yet
 * terminal) and the most containers running at once.
 */
async function timelineOf(env, tasks, count) {
  if (tasks.length !== count || tasks.some((task) => !task.child))
    throw new Error(`${tasks.length} tasks, ${tasks.filter((t) => t.child).length} children`);
  const phases = [];
  const inFlight = [];
  const running = [];
  await pool(tasks.length, 4, async (k) => {
    const { start, end, child } = tasks[k];
    const { body: allocs } = await nomadApi(
      env,
      'GET',
      `/job/${encodeURIComponent(child.ID)}/allocations`,
    );
    const alloc = allocs.sort((a, b) => b.CreateTime - a.CreateTime)[0];
    const state = alloc.TaskStates?.run;
    const submitted = ms(child.SubmitTime);
    const created = ms(alloc.CreateTime);
    const containerStart = Date.parse(state.StartedAt);
    const containerEnd = Date.parse(state.FinishedAt);
    const terminal = ms(alloc.ModifyTime);
    phases.push({
      before_dispatch: submitted - start,
      placement: created - submitted,
      container_setup: containerStart - created,
      container_run: containerEnd - containerStart,
      report_to_server: terminal - containerEnd,
      after_terminal: end - terminal,
      task: end - start,
      start,
    });
    inFlight.push([submitted, terminal]);
    running.push([containerStart, containerEnd]);
  });
  const medians = {};
  for (const key of Object.keys(phases[0]).filter((key) => key !== 'start'))
    medians[key] = round(median(phases.map((x) => x[key])));
  return {
    phases: medians,
    maxInFlight: maxOverlap(inFlight),
    maxRunning: maxOverlap(running),
    // Per task, in the order they started (in the JSON file only).
    perTask: phases.sort((a, b) => a.start - b.start).map(({ start: _, ...x }) => x),
  };
}

/** The most intervals [from, to) that overlap at one instant. */
function maxOverlap(intervals) {
  const points = intervals.flatMap(([from, to]) => [
    [from, 1],
    [to, -1],
  ]);
  points.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let now = 0;
  let most = 0;
  for (const [, delta] of points) most = Math.max(most, (now += delta));
  return most;
}

/** Purges the children of this run (by their run id or the plain parent's prefix). */
async function purgeChildren(env) {
  const ours = await listChildren(
    env,
    'dagwright-',
    `Meta.dagwright_run matches ${JSON.stringify(`^${stamp}`)}`,
  );
  const plain = (await listChildren(env, stamp)).filter((job) => plainParents.has(job.ParentID));
  const ids = [...ours, ...plain].map((job) => job.ID);
  await pool(ids.length, 4, (k) =>
    nomadApi(env, 'DELETE', `/job/${encodeURIComponent(ids[k])}?purge=true`),
  );
  return ids.length;
}

async function cleanNomad(env) {
  const children = await purgeChildren(env);
  const parents = [...oursParents, ...plainParents];
  for (const id of parents)
    await nomadApi(env, 'DELETE', `/job/${encodeURIComponent(id)}?purge=true`);
  return { children, parents: parents.length };
}

// --- the run --------------------------------------------------------------------------------

const round = (x) => Math.round(x * 10) / 10;
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};

const cases = [
  { name: 'docker', size: n, workers: 1, ours: dockerOurs, plain: dockerPlain },
  {
    name: 'nomad',
    size: n,
    workers: 1,
    ours: (env, r) => nomadOurs(env, 'nomad', r, n, 1),
    plain: (env, r) => nomadPlain(env, 'nomad', r, n, 1),
  },
  {
    name: 'nomad200',
    size: wideN,
    workers: WIDE_WORKERS,
    ours: (env, r) => nomadOurs(env, 'nomad200', r, wideN, WIDE_WORKERS),
    plain: (env, r) => nomadPlain(env, 'nomad200', r, wideN, WIDE_WORKERS),
  },
].filter((entry) => only.includes(entry.name));

const env = await ensureServices(cases.some((entry) => entry.name.startsWith('nomad')));
IMAGE = env.docker.image;
rmSync(workDir, { recursive: true, force: true });
mkdirSync(workDir, { recursive: true });
const load = [];
const runs = cases.map(() => ({ ours: [], plain: [] }));
let failure;
try {
  for (let r = 0; r < repeat; r++) {
    for (const [k, entry] of cases.entries()) {
      // Alternating which side goes first cancels a drift of the machine within a repetition.
      const order = r % 2 === 0 ? ['ours', 'plain'] : ['plain', 'ours'];
      for (const side of order) {
        load.push(loadavg()[0]);
        const result = await entry[side](env, r);
        runs[k][side].push(result);
        console.error(
          `${entry.name} r${r} ${side}: ${Math.round(result.wallMs)} ms (${round(result.wallMs / entry.size)} ms/task)`,
        );
        // Between sides, untimed: nothing of one side is left for the other to list or wait on.
        // The purges' evaluations are given half a second to settle.
        if (entry.name.startsWith('nomad')) {
          await purgeChildren(env);
          await sleep(500);
        }
      }
    }
  }
} catch (error) {
  failure = error;
} finally {
  const removed = {};
  if (env.nomad) removed.nomad = await cleanNomad(env).catch((error) => String(error));
  removed.containers = await cleanDocker().catch((error) => String(error));
  console.error(`cleaned up: ${JSON.stringify(removed)}`);
}
if (failure) {
  console.error(failure);
  process.exit(1);
}

const rows = cases.map((entry, k) => {
  const side = (list) => {
    const wall = list.map((x) => x.wallMs);
    const mid = list.find((x) => x.wallMs === median(wall));
    return {
      wall_ms: round(mid.wallMs),
      per_task_ms: round(mid.wallMs / entry.size),
      tasks_per_s: round((entry.size * 1000) / mid.wallMs),
      wall_range_ms: [round(Math.min(...wall)), round(Math.max(...wall))],
      ...(mid.maxInFlight !== undefined
        ? { max_in_flight: mid.maxInFlight, max_running: mid.maxRunning, phases_ms: mid.phases }
        : {}),
    };
  };
  const ours = side(runs[k].ours);
  const plain = side(runs[k].plain);
  return {
    case: entry.name,
    tasks: entry.size,
    workers: entry.workers,
    ours,
    plain,
    ratio: Math.round((ours.wall_ms / plain.wall_ms) * 100) / 100,
    // Each repetition's own ratio (its two sides ran next to each other).
    paired_ratios: runs[k].ours.map(
      (x, r) => Math.round((x.wallMs / runs[k].plain[r].wallMs) * 100) / 100,
    ),
    runs: runs[k],
  };
});

const header = [
  'case',
  'tasks',
  'workers',
  'ours ms/task',
  'plain ms/task',
  'ours/plain',
  'ours tasks/s',
  'plain tasks/s',
  'ours max in flight',
  'plain max in flight',
];
const table = rows.map((row) =>
  [
    row.case,
    row.tasks,
    row.workers,
    row.ours.per_task_ms,
    row.plain.per_task_ms,
    row.ratio.toFixed(2),
    row.ours.tasks_per_s,
    row.plain.tasks_per_s,
    row.ours.max_in_flight ?? '',
    row.plain.max_in_flight ?? '',
  ].map(String),
);
const widths = header.map((title, i) =>
  Math.max(title.length, ...table.map((cells) => cells[i].length)),
);
const line = (cells) => cells.map((cell, i) => cell.padEnd(widths[i])).join('  ');
console.log(`\n${line(header)}\n${table.map(line).join('\n')}`);
console.log(
  `\nmedians of ${repeat} run(s) by wall time; load average (1 min) ${Math.min(...load).toFixed(1)}-${Math.max(...load).toFixed(1)} on ${cpus().length} cores; details in bench/.work/executors.json`,
);
const summary = {
  smoke,
  repeat,
  cores: cpus().length,
  load_1min: [Math.min(...load), Math.max(...load)].map((x) => Math.round(x * 100) / 100),
  node: process.version,
  rows,
};
mkdirSync(workRoot, { recursive: true });
writeFileSync(join(workRoot, 'executors.json'), JSON.stringify(summary, null, 2));
console.log(JSON.stringify({ ...summary, rows: rows.map(({ runs: _, ...row }) => row) }));
process.exit(0);
