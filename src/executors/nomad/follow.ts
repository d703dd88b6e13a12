/**
 * Following one dispatched child to its end with blocking queries: placement first (an
 * evaluation that could not place it says why within milliseconds, but "not placed now" is not
 * "never": only a request no node could ever hold fails at once), then its allocation until it
 * is terminal. A killed task reads `complete` with DesiredStatus `stop`: that is not a success.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { NomadApiError, type NomadClient } from './client.js';
import { TASK } from './job.js';
import { getJob } from './jobs.js';

const enc = encodeURIComponent;
const BLOCK_MS = 30_000;
/** How long an unreachable agent (a restart) is waited for before the attempt fails. */
const UNREACHABLE_GRACE_MS = 60_000;

export interface NomadEvent {
  readonly Type: string;
  readonly ExitCode?: number;
  readonly Signal?: number;
  readonly DisplayMessage?: string;
  readonly Message?: string;
  readonly Details?: Readonly<Record<string, string>> | null;
}

export interface Allocation {
  readonly ID: string;
  readonly ClientStatus: string;
  readonly DesiredStatus: string;
  readonly CreateTime: number;
  readonly TaskStates?: Readonly<
    Record<string, { readonly State: string; readonly Events?: readonly NomadEvent[] | null }>
  > | null;
}

interface Evaluation {
  readonly Status: string;
  readonly FailedTGAllocs?: Readonly<Record<string, FailedPlacement>> | null;
}

interface FailedPlacement {
  readonly NodesEvaluated?: number;
  readonly NodesAvailable?: Readonly<Record<string, number>> | null;
  readonly ConstraintFiltered?: Readonly<Record<string, number>> | null;
  readonly DimensionExhausted?: Readonly<Record<string, number>> | null;
  readonly ClassFiltered?: Readonly<Record<string, number>> | null;
}

/** The attempt cannot run on this cluster; the message says why. */
export class NomadPlacementError extends Error {
  /** `true`: no node could ever take it; `false`: the cluster was busy for too long. */
  readonly permanent: boolean;

  constructor(message: string, permanent: boolean) {
    super(message);
    this.name = 'NomadPlacementError';
    this.permanent = permanent;
  }
}

export interface Request {
  readonly cpuMHz?: number;
  readonly memoryMB?: number;
}

export interface FollowOptions {
  readonly signal: AbortSignal;
  /** Longest a child may wait for a place on a busy cluster. */
  readonly queueTimeoutMs: number;
  readonly request: Request;
}

export type Ending =
  | { readonly ok: true; readonly alloc: Allocation }
  | {
      readonly ok: false;
      readonly alloc: Allocation | undefined;
      readonly message: string;
      /** The program's exit code, when it ran and exited on its own. */
      readonly exitCode?: number;
    };

/** Waits for the child's allocation to end; throws NomadPlacementError if it cannot be placed. */
export async function followChild(
  client: NomadClient,
  jobId: string,
  evalId: string | undefined,
  options: FollowOptions,
): Promise<Ending> {
  const started = Date.now();
  let busy: string | undefined;
  if (evalId) busy = await placementProblem(client, evalId, options);
  let index = 1;
  let unreachableSince: number | undefined;
  for (;;) {
    options.signal.throwIfAborted();
    const waited = Date.now() - started;
    if (busy !== undefined && waited > options.queueTimeoutMs) {
      throw new NomadPlacementError(
        `not placed within ${Math.round(options.queueTimeoutMs / 1000)} s: the cluster is busy (${busy})`,
        false,
      );
    }
    let response;
    try {
      response = await client.get<Allocation[] | null>(`/job/${enc(jobId)}/allocations`, {
        block: { index, waitMs: Math.min(BLOCK_MS, Math.max(1000, options.queueTimeoutMs)) },
        signal: options.signal,
      });
      unreachableSince = undefined;
    } catch (error) {
      options.signal.throwIfAborted();
      if (!(error instanceof NomadApiError) || error.status !== undefined) throw error;
      unreachableSince ??= Date.now();
      if (Date.now() - unreachableSince > UNREACHABLE_GRACE_MS) throw error;
      // A restarted agent may count its index from scratch: a blocking query on the old index
      // would wait out its whole time.
      index = 1;
      await sleep(1000, undefined, { signal: options.signal });
      continue;
    }
    index = Math.max(index, response.index);
    const allocs = newestFirst(response.body);
    // A job Nomad no longer knows answers with an empty list: check it still exists.
    if (allocs.length === 0 && (await getJob(client, jobId)) === undefined)
      return { ok: false, alloc: undefined, message: lostMessage(jobId) };
    const alloc = allocs[0];
    if (alloc) busy = undefined;
    if (alloc && isTerminal(alloc)) return ending(alloc);
  }
}

/** `true` when the finished job's newest allocation ran to a successful end. */
export async function succeeded(client: NomadClient, jobId: string): Promise<boolean> {
  const { body } = await client.get<Allocation[] | null>(`/job/${enc(jobId)}/allocations`);
  const newest = newestFirst(body)[0];
  return newest !== undefined && isTerminal(newest) && ending(newest).ok;
}

function newestFirst(allocs: readonly Allocation[] | null): Allocation[] {
  return [...(allocs ?? [])].sort((a, b) => b.CreateTime - a.CreateTime);
}

const lostMessage = (jobId: string) =>
  `Nomad no longer knows job ${jobId} (purged from outside, or the agent lost its state)`;

function isTerminal(alloc: Allocation): boolean {
  return ['complete', 'failed', 'lost'].includes(alloc.ClientStatus);
}

function ending(alloc: Allocation): Ending {
  const events = alloc.TaskStates?.[TASK]?.Events ?? [];
  if (alloc.ClientStatus === 'complete' && alloc.DesiredStatus === 'run')
    return { ok: true, alloc };
  if (alloc.ClientStatus === 'lost')
    return { ok: false, alloc, message: 'allocation lost: its node went away' };
  if (alloc.DesiredStatus !== 'run' || events.some((event) => event.Type === 'Killed'))
    return { ok: false, alloc, message: 'the job was stopped from outside before it finished' };
  return { ok: false, alloc, ...failureOf(events) };
}

/** The most telling event of a failed task, as one line. */
function failureOf(events: readonly NomadEvent[]): { message: string; exitCode?: number } {
  const last = (type: string) => [...events].reverse().find((event) => event.Type === type);
  const terminated = last('Terminated');
  if (terminated?.Details?.oom_killed === 'true')
    return { message: 'killed for running out of memory' };
  if (terminated) {
    const signal = Number(terminated.Signal ?? terminated.Details?.signal ?? 0);
    const code = terminated.ExitCode ?? Number(terminated.Details?.exit_code ?? NaN);
    if (signal > 0 && code === 0) return { message: `killed by signal ${signal}` };
    return { message: `exited with code ${code}`, exitCode: code };
  }
  for (const type of ['Driver Failure', 'Failed Validation', 'Setup Failure', 'Task hook failed']) {
    const event = last(type);
    if (event) {
      const detail =
        event.Details?.driver_error ??
        event.Details?.validation_error ??
        event.Details?.setup_error ??
        event.DisplayMessage ??
        event.Message;
      return { message: `${type.toLowerCase()}: ${detail ?? 'no details'}` };
    }
  }
  const lastEvent = events.at(-1);
  return { message: `failed (${lastEvent?.DisplayMessage || lastEvent?.Type || 'no events'})` };
}

/**
 * `undefined` once the evaluation placed the child; the reason when the cluster is busy; throws
 * when no node could ever take it (missing driver or constraint, or a request above every node).
 */
async function placementProblem(
  client: NomadClient,
  evalId: string,
  options: FollowOptions,
): Promise<string | undefined> {
  let index = 1;
  let evaluation: Evaluation;
  for (;;) {
    const response = await client.get<Evaluation>(`/evaluation/${enc(evalId)}`, {
      block: { index, waitMs: 10_000 },
      signal: options.signal,
    });
    evaluation = response.body;
    if (evaluation.Status !== 'pending') break;
    index = Math.max(index + 1, response.index);
  }
  const failed = Object.values(evaluation.FailedTGAllocs ?? {})[0];
  if (!failed) return undefined;
  const filtered = Object.keys(failed.ConstraintFiltered ?? {});
  if (filtered.length > 0 || (failed.NodesEvaluated ?? 0) === 0) {
    const why = filtered.length > 0 ? filtered.join(', ') : 'no ready node in its datacenters';
    throw new NomadPlacementError(`no node of this cluster can run it (${why})`, true);
  }
  const tooBig = await exceedsEveryNode(client, options.request);
  if (tooBig) throw new NomadPlacementError(`it never fits this cluster: ${tooBig}`, true);
  const exhausted = Object.keys(failed.DimensionExhausted ?? {});
  return exhausted.length > 0 ? `${exhausted.join(', ')} exhausted` : 'no free node';
}

interface NodeStub {
  readonly Status: string;
  readonly NodeResources?: {
    readonly Cpu?: { readonly CpuShares?: number };
    readonly Memory?: { readonly MemoryMB?: number };
  };
}

/** Says what the largest ready node lacks, or `undefined` if some node could hold it. */
async function exceedsEveryNode(client: NomadClient, request: Request) {
  const { body } = await client.get<NodeStub[]>('/nodes', { query: { resources: true } });
  const ready = (body ?? []).filter((node) => node.Status === 'ready');
  const most = (pick: (node: NodeStub) => number | undefined) =>
    Math.max(0, ...ready.map((node) => pick(node) ?? 0));
  const memory = most((node) => node.NodeResources?.Memory?.MemoryMB);
  const cpu = most((node) => node.NodeResources?.Cpu?.CpuShares);
  if (request.memoryMB !== undefined && request.memoryMB > memory)
    return `it asks for ${request.memoryMB} MB of memory, the largest node has ${memory} MB`;
  if (request.cpuMHz !== undefined && request.cpuMHz > cpu)
    return `it asks for ${request.cpuMHz} MHz of CPU, the largest node has ${cpu} MHz`;
  return undefined;
}
