/**
 * `dag run` placing tasks on Docker through the real executable: by `--executor`, by family in
 * dag.config, and by a class field; programs in containers, plain tasks in the dag process.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { jsonOf, makeProject, type Project } from '../helpers/project.js';
import { dockerService } from './services.js';

const docker = dockerService();

function project(config: Record<string, unknown> = {}): Project {
  const p = makeProject();
  p.fixture('docker-pipeline.ts');
  p.write(
    'dag.config.json',
    JSON.stringify({ modules: ['docker-pipeline.ts'], artifactRoot: 'data', ...config }),
  );
  return p;
}

const env = { DOCKER_TEST_IMAGE: docker.image };

describe('dag run with the docker executor', () => {
  it('--executor docker runs the program in a container and publishes its output', async () => {
    const p = project();
    const result = await p.dag(
      ['run', 'Greet', '--name', 'ada', '--executor', 'docker', '--json'],
      {
        env,
      },
    );
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(jsonOf(result).counts).toMatchObject({ succeeded: 1 });
    expect(p.read('data/greet/name=ada/hello.txt')).toBe('hello ada from docker-init\n');
  });

  it('a family configured for docker runs there while plain tasks stay in the dag process', async () => {
    const p = project({ executors: { Greet: 'docker' } });
    const result = await p.dag(['run', 'Shout', '--name', 'bob', '--json'], { env });
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(jsonOf(result).counts).toMatchObject({ succeeded: 2 });
    expect(p.read('data/shout/name=bob/HELLO.txt')).toBe('HELLO BOB FROM DOCKER-INIT\n');
  });

  it('a class field places a task on docker without any flag or config', async () => {
    const p = project();
    const result = await p.dag(['run', 'GreetInDocker', '--name', 'cy'], { env });
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(p.read('data/greet/name=cy/hello.txt')).toBe('hello cy from docker-init\n');
  });

  it('without docker, the same program runs as a local child process', async () => {
    const p = project();
    const result = await p.dag(['run', 'Greet', '--name', 'dee'], { env });
    expect(result.exitCode, String(result.stderr)).toBe(0);
    // Locally, PID 1 is this machine's own init.
    const init = readFileSync('/proc/1/comm', 'utf8').trim();
    expect(p.read('data/greet/name=dee/hello.txt')).toBe(`hello dee from ${init}\n`);
  });

  it('a missing image fails the task with one clear line in the report', async () => {
    const p = project();
    const result = await p.dag(
      ['run', 'Greet', '--name', 'eve', '--executor', 'docker', '--json'],
      {
        env: { DOCKER_TEST_IMAGE: 'local/not-there:test' },
      },
    );
    expect(result.exitCode).toBe(1);
    const task = jsonOf(result).tasks[0]!;
    expect(task.reason).toBe(
      'image local/not-there:test is not on this machine (dagwright never pulls: build or load it first)',
    );
    expect(() => readFileSync(p.path('data/greet/name=eve/hello.txt'))).toThrow();
  });
});
