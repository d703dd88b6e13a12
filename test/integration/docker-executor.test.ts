/**
 * The docker executor against the real dockerd, through `run()`: one container per attempt, the
 * argv unchanged, outputs staged on this machine and published after exit 0, inputs and the
 * working directory mounted at the same paths, the environment passed without being logged.
 */
import { randomUUID } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CommandTask, LocalTarget, p, run, S3Target, type StagedPath } from '../../src/index.js';
import { useWorkdir } from '../helpers/workdir.js';
import { image, logOf, useDocker } from './docker-helpers.js';
import { s3Service, uniquePrefix } from './services.js';

const work = useWorkdir();
const docker = useDocker('docker-executor');

class DockerHello extends CommandTask.with({ name: p.string() }) {
  override image = image;
  override output() {
    return new LocalTarget(`out/${this.paramPath()}/hello.txt`);
  }
  command(staged: StagedPath) {
    // An argv: the script is one argument, the values are positional parameters of `sh`.
    return ['sh', '-c', 'echo "hello $1" > "$0"; echo "wrote $0"', staged.path, this.name];
  }
}

describe('DockerExecutor', () => {
  it('runs the argv in a container and publishes its output, owned by this user', async () => {
    const task = new DockerHello({ name: 'world' });
    const result = await run(task, { executor: docker.executor() });
    expect(result.status).toBe('success');
    const path = 'out/name=world/hello.txt';
    expect(readFileSync(path, 'utf8')).toBe('hello world\n');
    expect(statSync(path).uid).toBe(process.getuid!());
    expect(statSync(path).gid).toBe(process.getgid!());
    // Published by rename: no staging is left beside it.
    expect(readdirSync('out/name=world')).toEqual(['hello.txt']);
    const log = logOf('DockerHello', task.hash);
    expect(log).toMatch(/^--- \S+ attempt 1: docker local\/busybox:test sh -c '.*' \/\S+ world$/m);
    expect(log).toContain(`wrote ${work.dir}`);
    expect(await docker.containersOf(task.hash)).toEqual([]);
  });

  it('mounts inputs read-only at their paths, and the working directory read-only', async () => {
    const elsewhere = mkdtempSync(join(tmpdir(), 'dagwright-docker-input-'));
    class DockerUpstream extends CommandTask.with({ dir: p.string({ pathSafe: false }) }) {
      override image = image;
      override output() {
        return new LocalTarget(join(this.dir, 'upstream.txt'));
      }
      command(staged: StagedPath) {
        return ['sh', '-c', 'echo from-upstream > "$0"', staged.path];
      }
    }
    class DockerDownstream extends CommandTask.with({ dir: p.string({ pathSafe: false }) }) {
      override image = image;
      override requires() {
        return new DockerUpstream({ dir: this.dir });
      }
      override output() {
        return new LocalTarget('out/downstream.txt');
      }
      command(staged: StagedPath) {
        const tryWrite = (n: number) =>
          `(echo x > "$${n}" 2>/dev/null && echo writable || echo read-only)`;
        const script = `{ cat "$1"; ${tryWrite(2)}; ${tryWrite(3)}; } > "$0"`;
        const input = this.input().path;
        return ['sh', '-c', script, staged.path, input, `${this.dir}/new.txt`, 'cwd-file.txt'];
      }
    }
    try {
      const result = await run(new DockerDownstream({ dir: elsewhere }), {
        executor: docker.executor(),
      });
      expect(result.status).toBe('success');
      expect(readFileSync('out/downstream.txt', 'utf8')).toBe(
        'from-upstream\nread-only\nread-only\n',
      );
      expect(readdirSync(elsewhere)).toEqual(['upstream.txt']);
      expect(readdirSync('.')).not.toContain('cwd-file.txt');
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });

  it('runs in the task’s working directory, where relative paths mean what they do outside', async () => {
    mkdirSync('sub');
    mkdirSync('sub/data');
    writeFileSync('sub/data/in.txt', 'in sub\n');
    class DockerInSub extends CommandTask.with({ n: p.int() }) {
      override image = image;
      override cwd() {
        return 'sub';
      }
      override output() {
        return new LocalTarget('out/pwd.txt');
      }
      command(staged: StagedPath) {
        return ['sh', '-c', 'pwd > "$0"; cat data/in.txt >> "$0"', staged.path];
      }
    }
    const result = await run(new DockerInSub({ n: 1 }), { executor: docker.executor() });
    expect(result.status).toBe('success');
    expect(readFileSync('out/pwd.txt', 'utf8')).toBe(`${join(process.cwd(), 'sub')}\nin sub\n`);
  });

  it('publishes an output on S3 from the container’s local staging', async () => {
    const s3 = s3Service();
    const uri = `s3://${s3.bucket}/${uniquePrefix('docker')}/report.txt`;
    class DockerToS3 extends CommandTask.with({ uri: p.string({ pathSafe: false }) }) {
      override image = image;
      override output() {
        return new S3Target(this.uri);
      }
      command(staged: StagedPath) {
        return ['sh', '-c', 'echo "made in a container" > "$0"', staged.path];
      }
    }
    const result = await run(new DockerToS3({ uri }), { executor: docker.executor() });
    expect(result.status).toBe('success');
    expect(await new S3Target(uri).readText()).toBe('made in a container\n');
  });

  it('reaches services on this machine’s loopback by default (network host)', async () => {
    const { endpoint } = s3Service();
    class DockerProbe extends CommandTask.with({ url: p.string({ pathSafe: false }) }) {
      override image = image;
      override output() {
        return new LocalTarget('out/probe.txt');
      }
      command(staged: StagedPath) {
        return ['busybox', 'wget', '-q', '-O', staged.path, this.url];
      }
    }
    const url = `${endpoint}/minio/health/live`;
    const result = await run(new DockerProbe({ url }), { executor: docker.executor() });
    expect(result.status, result.tasks[0]!.reason).toBe('success');
    expect(existsSync('out/probe.txt')).toBe(true);
  });

  it('logs the output of a container that exits at once, also when it fails', async () => {
    class DockerQuick extends CommandTask.with({ fail: p.bool({ default: false }) }) {
      override image = image;
      command() {
        return this.fail
          ? ['sh', '-c', 'echo to-stdout; echo to-stderr >&2; exit 1']
          : ['echo', 'quick', 'output'];
      }
    }
    const ok = new DockerQuick({});
    expect((await run(ok, { executor: docker.executor() })).status).toBe('success');
    expect(logOf('DockerQuick', ok.hash)).toContain('quick output\n');

    const failing = new DockerQuick({ fail: true });
    const failed = await run(failing, { executor: docker.executor() });
    expect(failed.tasks[0]!.reason).toBe(`container exited with code 1: sh (image ${image})`);
    // Two pipes: their order in the log is the order dockerd read them, not always the written one.
    const log = logOf('DockerQuick', failing.hash);
    expect(log).toContain('to-stdout\n');
    expect(log).toContain('to-stderr\n');
  });

  describe('environment', () => {
    const secretName = 'DAGWRIGHT_DOCKER_TEST_SECRET';
    const secret = `sekrit-${randomUUID()}`;
    process.env[secretName] = secret;
    afterAll(() => {
      delete process.env[secretName];
    });

    class DockerShowEnv extends CommandTask.with({ code: p.int({ default: 0 }) }) {
      override image = image;
      override env() {
        return { FROM_TASK: 'task', SHARED: 'task' };
      }
      override output() {
        return new LocalTarget(`out/env-${this.code}.txt`);
      }
      command(staged: StagedPath) {
        return [
          'sh',
          '-c',
          'env > "$0"; echo "env written"; exit "$1"',
          staged.path,
          String(this.code),
        ];
      }
    }

    const executor = () =>
      docker.executor({
        env: { FROM_CONFIG: 'config', SHARED: 'config' },
        passEnv: [secretName, 'DAGWRIGHT_DOCKER_TEST_UNSET'],
      });

    it('passes config values, then passed-through ones, then the task’s own', async () => {
      const task = new DockerShowEnv({});
      expect((await run(task, { executor: executor() })).status).toBe('success');
      const lines = readFileSync('out/env-0.txt', 'utf8').split('\n');
      expect(lines).toEqual(
        expect.arrayContaining([
          'FROM_CONFIG=config',
          'FROM_TASK=task',
          'SHARED=task',
          `${secretName}=${secret}`,
          `DAGWRIGHT_TASK_ID=${task.id}`,
          `DAGWRIGHT_TASK_HASH=${task.hash}`,
        ]),
      );
      expect(lines.filter((line) => line.startsWith('DAGWRIGHT_DOCKER_TEST_UNSET'))).toEqual([]);
    });

    it('never writes a passed-through secret to the log, an error or the report', async () => {
      const ok = new DockerShowEnv({ code: 0 });
      const bad = new DockerShowEnv({ code: 4 });
      const texts: string[] = [];
      const result = await run([ok, bad], {
        executor: executor(),
        onEvent: (event) => {
          if (event.type === 'failed') texts.push(event.error, event.logTail ?? '');
        },
      });
      expect(result.tasks.find((t) => t.hash === bad.hash)!.reason).toBe(
        `container exited with code 4: sh (image ${image})`,
      );
      texts.push(JSON.stringify(result), logOf('DockerShowEnv', ok.hash));
      texts.push(logOf('DockerShowEnv', bad.hash));
      expect(texts.join('\n')).toContain('env written');
      for (const text of texts) expect(text).not.toContain(secret);
    });
  });
});
