/** The real Nomad dev agent for the nomad executor tests, and small helpers around it. */
import { afterAll, expect } from 'vitest';
import { NomadExecutor, type NomadExecutorOptions } from '../../src/executors/nomad/executor.js';
import { dockerService, nomadService, uniquePrefix } from './services.js';

export const nomad = nomadService();
/** busybox, imported by scripts/services/docker.sh; never pulled. */
export const image = dockerService().image;

export interface Child {
  readonly ID: string;
  readonly Status: string;
  readonly Meta: Record<string, string>;
}

/** Every child job dispatched for a task (by one run, if given), as Nomad lists them. */
export async function childrenOf(
  hash: string,
  runId?: string,
  address = nomad.addr,
): Promise<Child[]> {
  const url = new URL('/v1/jobs', address);
  url.searchParams.set('prefix', 'dagwright-');
  url.searchParams.set('meta', 'true');
  const byRun = runId === undefined ? '' : ` and Meta.dagwright_run == ${JSON.stringify(runId)}`;
  url.searchParams.set('filter', `Meta.dagwright_hash == ${JSON.stringify(hash)}${byRun}`);
  const response = await fetch(url);
  expect(response.status).toBe(200);
  return (await response.json()) as Child[];
}

/** Waits until a child of every task runs (at the address of another agent, if given). */
export async function untilRunning(hashes: readonly string[], address?: string): Promise<void> {
  for (;;) {
    const children = await Promise.all(hashes.map((hash) => childrenOf(hash, undefined, address)));
    if (children.every((list) => list.some((child) => child.Status === 'running'))) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

export async function nomadApi(method: string, path: string): Promise<unknown> {
  const response = await fetch(new URL(`/v1${path}`, nomad.addr), { method });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

/** A run id for this file; afterwards none of its jobs may still be pending or running. */
export function useNomad(name: string) {
  const runId = uniquePrefix(name);
  const executors: NomadExecutor[] = [];
  afterAll(async () => {
    for (const executor of executors) executor.close();
    const url = new URL('/v1/jobs', nomad.addr);
    url.searchParams.set('prefix', 'dagwright-');
    url.searchParams.set('meta', 'true');
    url.searchParams.set('filter', `Meta.dagwright_run == ${JSON.stringify(runId)}`);
    const jobs = (await (await fetch(url)).json()) as Child[];
    expect(jobs.filter((job) => job.Status !== 'dead').map((job) => job.ID)).toEqual([]);
  });
  return {
    runId,
    executor: (options: Partial<NomadExecutorOptions> = {}) => {
      const executor = new NomadExecutor({
        runId,
        settings: { address: nomad.addr },
        ...options,
      });
      executors.push(executor);
      return executor;
    },
  };
}
