/**
 * The example pipeline on Nomad through the real `dag` executable, with its artifacts on MinIO:
 * plain tasks run as `dag exec-task` in a pipeline image (scripts/pipeline-image.sh), a program
 * writes its output at an `s3://` staging uri and dag publishes it on the server. The AWS
 * credentials reach the tasks through the job's Nomad Variable (`nomad.passEnv`), never a log.
 */
import { execa } from 'execa';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { jsonOf, repoRoot, type Project } from '../helpers/project.js';
import { copyExample, expectSameBytes, localTree, s3Tree } from './example-project.js';
import { nomad } from './nomad-helpers.js';
import { s3Service, uniquePrefix } from './services.js';

const IMAGE = 'local/dagwright-ml-pipeline-nomad:test';
const s3 = s3Service();

/** A program (node with the AWS SDK of the image) that writes its output straight to S3. */
const PROGRAM = `
import { CommandTask, artifact, p, type StagedPath } from 'dagwright';

const WRITE = [
  "const { S3Client, PutObjectCommand } = require(require.resolve('@aws-sdk/client-s3', { paths: ['/opt/dagwright'] }));",
  'const [uri, text] = process.argv.slice(1);',
  'const [, bucket, key] = /^s3:\\\\/\\\\/([^/]+)\\\\/(.+)$/.exec(uri);',
  'new S3Client({ forcePathStyle: true }).send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: text }))',
  '  .then(() => console.log("wrote " + uri), (e) => { console.error(e.message); process.exit(1); });',
].join('\\n');

export class Shipped extends CommandTask.with({ word: p.string() }) {
  override image = '${IMAGE}';
  override output() {
    return artifact(\`shipped/\${this.paramPath()}/word.txt\`);
  }
  override command(staged: StagedPath) {
    return ['node', '-e', WRITE, staged.path, \`shipped \${this.word}\`];
  }
}
`;

function project(): Project {
  const p = copyExample({ 'program.ts': PROGRAM }, { workers: 4 });
  p.write(
    'dag.nomad.json',
    JSON.stringify({
      modules: ['pipeline.ts', 'program.ts'],
      workers: 4,
      executor: 'nomad',
      pipeline: { image: IMAGE },
      nomad: { network: 'host', passEnv: Object.keys(s3.env) },
    }),
  );
  return p;
}

const env = { ...s3.env, NOMAD_ADDR: nomad.addr };

/** Nothing of the secret in what dag printed or logged. */
function expectNoSecret(p: Project, result: { stdout: unknown; stderr: unknown }): void {
  const secret = s3.secretAccessKey;
  expect(String(result.stdout)).not.toContain(secret);
  expect(String(result.stderr)).not.toContain(secret);
  const logs = p.path('.dagwright/logs');
  for (const family of readdirSync(logs))
    for (const name of readdirSync(join(logs, family)))
      expect(readFileSync(join(logs, family, name), 'utf8')).not.toContain(secret);
}

let reference: Map<string, Buffer>;
let imageProject: Project;

beforeAll(async () => {
  imageProject = project();
  const local = copyExample();
  const [build, run] = await Promise.all([
    execa(join(repoRoot, 'scripts/pipeline-image.sh'), [imageProject.dir, IMAGE], {
      reject: false,
    }),
    local.dag(['run', 'Report', '--date', '2024-01-01']),
  ]);
  expect(build.exitCode, build.stderr).toBe(0);
  expect(run.exitCode, String(run.stderr)).toBe(0);
  reference = localTree(local.path('data'));
}, 300_000);

describe('the example pipeline on Nomad', () => {
  it('gives the same artifacts on MinIO as a local run, each task a dispatched job', async () => {
    const prefix = uniquePrefix('nomad-example');
    const args = ['run', 'Report', '--date', '2024-01-01', '--config', 'dag.nomad.json'];
    const root = ['--artifact-root', `s3://${s3.bucket}/${prefix}`];
    const result = await imageProject.dag([...args, ...root, '--json'], {
      env,
      timeoutMs: 240_000,
    });
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(jsonOf(result).counts).toMatchObject({ total: 22, succeeded: 22 });
    expectSameBytes(await s3Tree(prefix), reference);
    const report = jsonOf(result).tasks.find((task) => task.family === 'Report')!;
    const log = imageProject.read(`.dagwright/logs/Report/${report.hash}.log`);
    expect(log).toMatch(/nomad local\/dagwright-ml-pipeline-nomad:test dag exec-task Report /);
    expect(log).toMatch(/dispatched Nomad job dagwright-[0-9a-f]{16}\/dispatch-/);
    expectNoSecret(imageProject, result);
    const again = await imageProject.dag([...args, ...root, '--json'], { env });
    expect(jsonOf(again).status).toBe('nothing_to_do');
  }, 300_000);

  it('publishes what a program wrote at its s3:// staging uri, on the server', async () => {
    const prefix = uniquePrefix('nomad-staged');
    const args = ['run', 'Shipped', '--word', 'hello', '--config', 'dag.nomad.json'];
    const root = ['--artifact-root', `s3://${s3.bucket}/${prefix}`];
    const result = await imageProject.dag([...args, ...root, '--json'], {
      env,
      timeoutMs: 120_000,
    });
    expect(result.exitCode, String(result.stderr)).toBe(0);
    const tree = await s3Tree(prefix);
    // Only the artifact: the staging object beside it was removed after the publish.
    expect([...tree.keys()]).toEqual(['shipped/word=hello/word.txt']);
    expect(tree.get('shipped/word=hello/word.txt')!.toString()).toBe('shipped hello');
    const [task] = jsonOf(result).tasks;
    const log = imageProject.read(`.dagwright/logs/Shipped/${task!.hash}.log`);
    expect(log).toMatch(
      new RegExp(
        `wrote s3://${s3.bucket}/${prefix}/shipped/word=hello/\\.word\\.txt\\.dagwright-tmp-`,
      ),
    );
    expectNoSecret(imageProject, result);
  }, 180_000);

  it('stops before dispatching anything when local artifacts have no shared file system', async () => {
    const result = await imageProject.dag(
      ['run', 'Report', '--date', '2024-01-02', '--config', 'dag.nomad.json'],
      { env },
    );
    expect(result.exitCode).toBe(2);
    expect(String(result.stderr)).toMatch(
      /is on this machine's disk, which Nomad's nodes cannot see; use an artifact root on S3 or HDFS/,
    );
  });
});
