/**
 * Plain tasks on Docker through the real `dag` executable: each runs as `dag exec-task` in a
 * pipeline image built by scripts/pipeline-image.sh (node, busybox, dagwright and the example
 * project, `docker import`ed). The example gives the same bytes as a local run, with local
 * artifacts (folders mounted) and on MinIO (credentials passed through `docker.passEnv`).
 */
import { execa } from 'execa';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DockerEngine } from '../../src/executors/docker/engine.js';
import { jsonOf, repoRoot, type Project } from '../helpers/project.js';
import { copyExample, expectSameBytes, localTree, s3Tree } from './example-project.js';
import { socketPath } from './docker-helpers.js';
import { s3Service, uniquePrefix } from './services.js';

const IMAGE = 'local/dagwright-ml-pipeline:test';
const s3 = s3Service();
const engine = new DockerEngine(socketPath);
afterAll(() => engine.close());

/** Tasks that go wrong in a container, beside the example's. */
const EXTRAS = `
import { LocalTarget, Task, artifact, p } from 'dagwright';
import { setTimeout as sleep } from 'node:timers/promises';

export class Explode extends Task.with({ reason: p.string() }) {
  override output() {
    return artifact(\`explode/\${this.paramPath()}/never.txt\`);
  }
  override run() {
    console.log(\`about to fail: \${this.reason}\`);
    throw new Error(\`exploded on purpose: \${this.reason}\`);
  }
}

export class Sleepy extends Task.with({ seconds: p.int() }) {
  override output() {
    return artifact(\`sleepy/\${this.paramPath()}/done.txt\`);
  }
  override async run() {
    await sleep(this.seconds * 1000);
    await this.output().write('slept');
  }
}

/** Relative to the working directory, which is not the same inside the container. */
export class Relative extends Task.with({ name: p.string() }) {
  override output() {
    return new LocalTarget(\`relative/\${this.name}.txt\`);
  }
  override async run() {
    await this.output().write(this.name);
  }
}
`;

/** examples/ml-pipeline plus the extras, as a project of its own. */
function exampleProject(): Project {
  return copyExample({ 'extras.ts': EXTRAS }, { workers: 4 });
}

/** A config for the docker runs, beside the project's own (the image has that one). */
function dockerConfig(project: Project, extra: Record<string, unknown> = {}): string {
  project.write(
    'dag.docker.json',
    JSON.stringify({
      modules: ['pipeline.ts', 'extras.ts'],
      workers: 4,
      artifactRoot: 'data',
      pipeline: { image: IMAGE },
      ...extra,
    }),
  );
  return 'dag.docker.json';
}

/** Runs dag in the project; afterwards no container of that dag process may be left. */
async function dagRun(project: Project, args: readonly string[], env?: Record<string, string>) {
  const subprocess = project.dag(args, { env, timeoutMs: 150_000 });
  const result = await subprocess;
  const owner = `dagwright.owner=${subprocess.pid}@${hostname()}`;
  expect(await engine.listContainers([owner])).toEqual([]);
  return result;
}

let imageProject: Project;
/** The artifacts of a local run of the example, to compare the docker runs with. */
let reference: Map<string, Buffer>;

beforeAll(async () => {
  imageProject = exampleProject();
  const local = exampleProject();
  const [build, run] = await Promise.all([
    execa(join(repoRoot, 'scripts/pipeline-image.sh'), [imageProject.dir, IMAGE], {
      reject: false,
    }),
    local.dag(['run', 'Report', '--date', '2024-01-01', '--json']),
  ]);
  expect(build.exitCode, build.stderr).toBe(0);
  expect(run.exitCode, String(run.stderr)).toBe(0);
  reference = localTree(local.path('data'));
  expect(reference.size).toBe(22);
}, 300_000);

describe('plain tasks in the pipeline image', () => {
  it('give the same artifacts as a local run, published by the containers into mounted folders', async () => {
    const project = imageProject;
    const config = dockerConfig(project);
    const args = ['run', 'Report', '--date', '2024-01-01', '--executor', 'docker'];
    const result = await dagRun(project, [...args, '--config', config, '--json']);
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(jsonOf(result).counts).toMatchObject({ total: 22, succeeded: 22 });
    expectSameBytes(localTree(project.path('data')), reference);

    // Each task ran in a container: its log holds the argv and the container's own output.
    const report = jsonOf(result).tasks.find((task) => task.family === 'Report')!;
    const log = readFileSync(project.path(`.dagwright/logs/Report/${report.hash}.log`), 'utf8');
    expect(log).toContain(
      `docker ${IMAGE} dag exec-task Report --date=2024-01-01 '--countries=["de","fr","nl"]' --l2=1`,
    );
    expect(log).toContain('success: 1 succeeded');

    const again = await dagRun(project, [...args, '--config', config, '--json']);
    expect(jsonOf(again).status).toBe('nothing_to_do');
  }, 180_000);

  it('give the same artifacts on MinIO, with the credentials passed through and never shown', async () => {
    const project = exampleProject();
    const config = dockerConfig(project, { docker: { passEnv: Object.keys(s3.env) } });
    const prefix = uniquePrefix('docker-pipeline');
    const result = await dagRun(
      project,
      [
        ...['run', 'Report', '--date', '2024-01-01', '--executor', 'docker'],
        ...['--artifact-root', `s3://${s3.bucket}/${prefix}`, '--config', config, '--json'],
      ],
      s3.env,
    );
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(jsonOf(result).counts).toMatchObject({ total: 22, succeeded: 22 });
    expect(existsSync(project.path('data'))).toBe(false);
    expectSameBytes(await s3Tree(prefix), reference);

    const logs = localTree(project.path('.dagwright/logs'));
    expect(logs.size).toBe(22);
    for (const text of [result.stdout, result.stderr, ...logs.values()]) {
      expect(String(text)).not.toContain(s3.secretAccessKey);
    }
  }, 180_000);

  it('a task that throws fails with one line pointing at its log, which has the container output', async () => {
    const project = exampleProject();
    const config = dockerConfig(project);
    const result = await dagRun(project, [
      ...['run', 'Explode', '--reason', 'boom', '--executor', 'docker'],
      ...['--config', config, '--json'],
    ]);
    expect(result.exitCode).toBe(1);
    const task = jsonOf(result).tasks[0]!;
    const logPath = project.path(`.dagwright/logs/Explode/${String(task.hash)}.log`);
    expect(task.reason).toBe(
      `the task failed in its container (dag exec-task exited with code 1 in image ${IMAGE}); its output is in the task log ${logPath}`,
    );
    const log = readFileSync(logPath, 'utf8');
    expect(log).toContain('about to fail: boom');
    expect(log).toContain('failed: exploded on purpose: boom');
    expect(existsSync(project.path('data/explode'))).toBe(true);
    expect(readdirSync(project.path('data/explode/reason=boom'))).toEqual([]);
  }, 60_000);

  it('a timeout kills and removes the container', async () => {
    const project = exampleProject();
    const started = Date.now();
    const result = await dagRun(project, [
      ...['run', 'Sleepy', '--seconds', '60', '--executor', 'docker', '--timeout', '2s'],
      ...['--config', dockerConfig(project), '--json'],
    ]);
    expect(result.exitCode).toBe(1);
    expect(jsonOf(result).tasks[0]!.reason).toBe('timed out after 2.0s');
    expect(Date.now() - started).toBeLessThan(30_000);
  }, 60_000);

  it('says so when a relative output path was written inside the container', async () => {
    const project = exampleProject();
    const result = await dagRun(project, [
      ...['run', 'Relative', '--name', 'x', '--executor', 'docker'],
      ...['--config', dockerConfig(project), '--json'],
    ]);
    expect(result.exitCode).toBe(1);
    expect(jsonOf(result).tasks[0]!.reason).toBe(
      "relative/x.txt is a relative path, which the container resolves against its own working directory (the image's WORKDIR): build local outputs with artifact() or an absolute path",
    );
  }, 60_000);

  it('without a pipeline image, exits 2 naming pipeline.image before anything runs', async () => {
    const project = exampleProject();
    const result = await dagRun(project, [
      ...['run', 'Report', '--date', '2024-01-01', '--executor', 'docker'],
    ]);
    expect(result.exitCode).toBe(2);
    // The plan's line, then the error: no task started.
    const [planned, ...rest] = String(result.stderr).trim().split('\n');
    expect(planned).toMatch(/^planned 22 tasks in \S+: 22 to run$/);
    expect(rest).toEqual([
      'dag: error: Report(date=2024-01-01, countries=de,fr,nl, l2=1) (and 21 more): the docker executor runs it as dag exec-task in a pipeline image, and none is configured: set pipeline.image in dag.config (scripts/pipeline-image.sh builds one)',
    ]);
    expect(existsSync(project.path('data'))).toBe(false);
  }, 60_000);
});
