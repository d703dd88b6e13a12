/** The real dockerd for the docker executor tests, and small helpers around it. */
import { readFileSync } from 'node:fs';
import { afterAll, expect } from 'vitest';
import { DockerEngine } from '../../src/executors/docker/engine.js';
import { DockerExecutor, type DockerExecutorOptions } from '../../src/executors/docker/executor.js';
import { dockerService, uniquePrefix } from './services.js';

const service = dockerService();

export const socketPath = service.host.replace(/^unix:\/\//, '');
/** busybox, imported by scripts/services/docker.sh; never pulled. */
export const image = service.image;

/** A run id for this file; every container it makes carries it, and none may be left. */
export function useDocker(name: string) {
  const runId = uniquePrefix(name);
  const engine = new DockerEngine(socketPath);
  afterAll(async () => {
    expect(await engine.listContainers([`dagwright.run=${runId}`])).toEqual([]);
    engine.close();
  });
  return {
    runId,
    engine,
    executor: (options: Partial<DockerExecutorOptions> = {}) =>
      new DockerExecutor({ socketPath, runId, ...options }),
    /** The containers of this run made for one task. */
    containersOf: (hash: string) =>
      engine.listContainers([`dagwright.run=${runId}`, `dagwright.task=${hash}`]),
  };
}

export function logOf(family: string, hash: string): string {
  return readFileSync(`.dagwright/logs/${family}/${hash}.log`, 'utf8');
}
