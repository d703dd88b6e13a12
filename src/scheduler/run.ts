/**
 * The scheduler: plan, then run what is pending. A ready queue driven by dependency counts (no
 * rescans), worker slots, named resources, priorities, leases across processes, and a stop that
 * lets running work finish.
 */
import { SchedulingError, messageOf } from '../errors.js';
import { localExecutor } from '../executors/local.js';
import type { Executor } from '../executors/executor.js';
import { plan as makePlan, type Plan } from '../graph/plan.js';
import { WrapperTask, type Task } from '../task.js';
import { attempt, missingOf, type AttemptOutcome, type AttemptSettings } from './attempts.js';
import type { EventListener } from './events.js';
import type { LockStore } from './lock-store.js';
import { openLockStore } from './open-lock-store.js';
import { ReadyQueue } from './ready-queue.js';
import { ResourcePool } from './resources.js';
import { buildResult } from './report.js';
import type { RunResult, TaskStatus } from './result.js';

export interface RunOptions {
  /** Tasks run at once. Default 1. */
  readonly workers?: number;
  /** Stop starting tasks after the first failure. Default false: independent branches go on. */
  readonly failFast?: boolean;
  /** Wait for tasks another process is running (default), or give up on them (`--no-wait`). */
  readonly wait?: boolean;
  /** Extra attempts per task unless the task sets `retries`. Default 0. */
  readonly retries?: number;
  /** First retry delay; doubles per retry up to `maxRetryDelayMs`. Defaults 1000 and 60000. */
  readonly retryDelayMs?: number;
  readonly maxRetryDelayMs?: number;
  /** Per-attempt time limit unless the task sets `timeoutMs`. Default none. */
  readonly timeoutMs?: number;
  /** Capacities of named resources, e.g. `{ gpu: 1 }`. */
  readonly resources?: Readonly<Record<string, number>>;
  /**
   * Where leases live, shared by every process working on the same artifacts: a folder, or
   * `s3://bucket/prefix` / `webhdfs://host:port/path` for runs on several machines, or a
   * LockStore. Default `.dagwright/locks`.
   */
  readonly lockStore?: string | LockStore;
  /** A folder for leases; the same as a folder given as `lockStore`. */
  readonly lockDir?: string;
  /** A lease not renewed for this long is stale. Default 60 s. */
  readonly leaseTtlMs?: number;
  /** Task logs go to `<logDir>/<Family>/<hash>.log`. Default `.dagwright/logs`. */
  readonly logDir?: string;
  readonly executor?: Executor;
  readonly onEvent?: EventListener;
  /** Aborting it stops starting new tasks; running ones finish. Its reason may be 'SIGINT'/'SIGTERM'. */
  readonly signal?: AbortSignal;
  /** Aborting it also cancels running tasks. */
  readonly cancelSignal?: AbortSignal;
}

/** Plans and runs `roots`; resolves with the report, throws on a scheduling error. */
export async function run(
  roots: Task | readonly Task[],
  options: RunOptions = {},
): Promise<RunResult> {
  const thePlan = await makePlan(Array.isArray(roots) ? roots : [roots as Task]);
  options.onEvent?.({ type: 'planned', plan: thePlan });
  return execute(thePlan, options);
}

type Outcome =
  | AttemptOutcome
  | { readonly kind: 'complete'; readonly reason: string }
  | { readonly kind: 'held'; readonly holder: string };

/** Runs the pending tasks of a plan. */
export async function execute(thePlan: Plan, options: RunOptions = {}): Promise<RunResult> {
  return new Execution(thePlan, options).run();
}

class Execution {
  readonly #plan: Plan;
  readonly #options: RunOptions;
  readonly #status: (TaskStatus | 'pending' | 'running' | 'waiting')[];
  readonly #reason: string[];
  readonly #attempts: Uint32Array;
  readonly #durations: Float64Array;
  readonly #waitingFor: Uint32Array;
  readonly #priority: Float64Array;
  readonly #ready = new ReadyQueue();
  readonly #parked = new Map<string, number[]>();
  readonly #elsewhere = new Set<number>();
  readonly #pool: ResourcePool;
  #leases!: LockStore;
  readonly #workers: number;
  #running = 0;
  #stopping: string | undefined;
  #done: (() => void) | undefined;
  #pollTimer: NodeJS.Timeout | undefined;
  readonly #attemptSettings: AttemptSettings;
  /** Optional-called, so event objects are only built when someone listens. */
  readonly #onEvent: EventListener | undefined;

  constructor(thePlan: Plan, options: RunOptions) {
    this.#plan = thePlan;
    this.#options = options;
    const n = thePlan.nodes.length;
    this.#status = thePlan.nodes.map((node) => node.status);
    this.#reason = thePlan.nodes.map((node) => node.reason);
    this.#attempts = new Uint32Array(n);
    this.#durations = new Float64Array(n);
    this.#waitingFor = new Uint32Array(n);
    this.#priority = new Float64Array(n);
    this.#pool = new ResourcePool(options.resources);
    this.#workers = Math.max(1, Math.floor(options.workers ?? 1));
    this.#onEvent = options.onEvent;
    this.#attemptSettings = {
      executor: options.executor ?? localExecutor,
      retries: options.retries ?? 0,
      retryDelayMs: options.retryDelayMs ?? 1000,
      maxRetryDelayMs: options.maxRetryDelayMs ?? 60_000,
      timeoutMs: options.timeoutMs,
      logDir: options.logDir ?? '.dagwright/logs',
      cancelSignal: options.cancelSignal,
      stopping: () => this.#stopping !== undefined,
      emit: options.onEvent,
    };
  }

  async run(): Promise<RunResult> {
    const started = performance.now();
    this.#prepare();
    await this.#attemptSettings.executor.check?.(
      this.#plan.nodes
        .filter((node) => node.status === 'pending' && !isPureWrapper(node.task))
        .map((node) => node.task),
    );
    const { lockStore, lockDir, leaseTtlMs } = this.#options;
    this.#leases =
      typeof lockStore === 'object'
        ? lockStore
        : await openLockStore(lockStore ?? lockDir ?? '.dagwright/locks', { ttlMs: leaseTtlMs });
    const { signal } = this.#options;
    const onStop = () => this.#stop(String(signal?.reason ?? 'stopped'));
    if (signal?.aborted) onStop();
    signal?.addEventListener('abort', onStop, { once: true });
    try {
      // Tasks start from #finish as slots free up; this only waits for the end.
      await new Promise<void>((resolve) => {
        this.#done = resolve;
        this.#advance();
      });
    } finally {
      signal?.removeEventListener('abort', onStop);
      clearTimeout(this.#pollTimer);
      await this.#leases.releaseAll();
    }
    for (let i = 0; i < this.#status.length; i++) {
      const status = this.#status[i];
      if (status === 'pending' || status === 'waiting' || status === 'running') {
        this.#status[i] = 'not_run';
        this.#reason[i] = `not started: ${this.#stopping ?? 'run ended'}`;
      }
    }
    const interrupted =
      signal?.aborted && (signal.reason === 'SIGINT' || signal.reason === 'SIGTERM')
        ? signal.reason
        : undefined;
    const result = buildResult(
      this.#plan,
      this.#status as TaskStatus[],
      this.#reason,
      this.#attempts,
      this.#durations,
      {
        interrupted,
        runMs: performance.now() - started,
      },
    );
    this.#onEvent?.({ type: 'finished', result });
    return result;
  }

  /** Dependency counts, effective priorities, first ready tasks. */
  #prepare(): void {
    const { nodes, order } = this.#plan;
    // A task is as urgent as the most urgent task waiting for it (Luigi raises upstream priority).
    this.#priority.fill(-Infinity);
    for (let k = order.length - 1; k >= 0; k--) {
      const node = nodes[order[k]!]!;
      if (node.status !== 'pending') continue;
      const effective = Math.max(node.task.priority ?? 0, this.#priority[node.index]!);
      this.#priority[node.index] = effective;
      for (const dep of node.deps)
        if (this.#priority[dep]! < effective) this.#priority[dep] = effective;
      const impossible = this.#pool.impossible(node.task.resources);
      if (impossible) throw new SchedulingError(`${node.task.id}: ${impossible}`, node.task.id);
    }
    for (const i of order) {
      const node = nodes[i]!;
      if (node.status !== 'pending') continue;
      let waiting = 0;
      for (const dep of node.deps) if (nodes[dep]!.status === 'pending') waiting++;
      this.#waitingFor[i] = waiting;
      if (waiting === 0) this.#ready.push(i, this.#priority[i]!);
    }
  }

  /** Starts what can start; ends the run when nothing is running, waiting or ready to go. */
  #advance(): void {
    this.#dispatch();
    const idle = this.#running === 0 && this.#elsewhere.size === 0;
    if (idle && (this.#ready.size === 0 || this.#stopping)) this.#done?.();
  }

  #dispatch(): void {
    while (!this.#stopping && this.#running < this.#workers && this.#ready.size > 0) {
      const i = this.#ready.pop()!;
      const request = this.#plan.nodes[i]!.task.resources;
      if (!this.#pool.fits(request)) {
        this.#park(i, request!);
        continue;
      }
      this.#pool.take(request);
      this.#running++;
      this.#status[i] = 'running';
      this.#start(i).then(
        (outcome) => this.#finish(i, outcome),
        (error: unknown) =>
          this.#finish(i, { kind: 'failed', attempts: 1, durationMs: 0, error: messageOf(error) }),
      );
    }
  }

  async #start(i: number): Promise<Outcome> {
    const node = this.#plan.nodes[i]!;
    const { task, outputs } = node;
    if (isPureWrapper(task)) return { kind: 'succeeded', attempts: 1, durationMs: 0 };
    const durable = outputs.some((target) => target.store.durable);
    const acquired = durable ? await this.#leases.acquire(task.hash) : undefined;
    if (acquired && 'holder' in acquired) return { kind: 'held', holder: acquired.holder };
    try {
      // Another process may have made it since we planned.
      if (durable && (await missingOf(outputs)).length === 0) {
        return { kind: 'complete', reason: 'completed by another process' };
      }
      return await attempt(task, outputs, this.#attemptSettings);
    } finally {
      if (acquired) await this.#leases.release(acquired.lease);
    }
  }

  #finish(i: number, outcome: Outcome): void {
    const task = this.#plan.nodes[i]!.task;
    this.#running--;
    this.#unpark(task.resources);
    switch (outcome.kind) {
      case 'succeeded':
        this.#settle(i, 'succeeded', `ran in ${Math.round(outcome.durationMs)}ms`, outcome);
        this.#onEvent?.({
          type: 'succeeded',
          task,
          attempts: outcome.attempts,
          durationMs: outcome.durationMs,
        });
        this.#release(i);
        break;
      case 'complete':
        this.#settle(i, 'complete', outcome.reason);
        this.#onEvent?.({ type: 'skipped', task, reason: outcome.reason });
        this.#release(i);
        break;
      case 'failed': {
        this.#settle(i, 'failed', outcome.error, outcome);
        const { logPath, logTail } = outcome;
        this.#onEvent?.({
          type: 'failed',
          task,
          attempts: outcome.attempts,
          error: outcome.error,
          ...(logTail ? { logPath, logTail } : {}),
        });
        this.#blockDependents(i, 'upstream_failed', `upstream ${task.id} failed`);
        if (this.#options.failFast) this.#stop('--fail-fast after a failure');
        break;
      }
      case 'held':
        this.#onEvent?.({ type: 'running_elsewhere', task, holder: outcome.holder });
        if (this.#options.wait === false) {
          this.#settle(i, 'running_elsewhere', `running in ${outcome.holder}`);
          this.#blockDependents(i, 'running_elsewhere', `waits for ${task.id}, running elsewhere`);
        } else {
          this.#status[i] = 'waiting';
          this.#reason[i] = `waiting for ${outcome.holder}`;
          this.#elsewhere.add(i);
          this.#schedulePoll();
        }
        break;
    }
    this.#advance();
  }

  #settle(
    i: number,
    status: TaskStatus,
    reason: string,
    outcome?: { attempts: number; durationMs: number },
  ): void {
    this.#status[i] = status;
    this.#reason[i] = reason;
    if (outcome) {
      this.#attempts[i] = outcome.attempts;
      this.#durations[i] = outcome.durationMs;
    }
  }

  /** A task is done: its dependents wait for one task fewer. */
  #release(i: number): void {
    const { offsets, targets } = this.#plan.dependents;
    for (let e = offsets[i]!; e < offsets[i + 1]!; e++) {
      const d = targets[e]!;
      if (this.#status[d] === 'pending' && --this.#waitingFor[d]! === 0)
        this.#ready.push(d, this.#priority[d]!);
    }
  }

  #blockDependents(
    i: number,
    status: 'upstream_failed' | 'running_elsewhere',
    reason: string,
  ): void {
    const { offsets, targets } = this.#plan.dependents;
    const stack = [i];
    while (stack.length > 0) {
      const node = stack.pop()!;
      for (let e = offsets[node]!; e < offsets[node + 1]!; e++) {
        const d = targets[e]!;
        if (this.#status[d] !== 'pending') continue;
        this.#settle(d, status, reason);
        if (status === 'upstream_failed')
          this.#onEvent?.({
            type: 'upstream_failed',
            task: this.#plan.nodes[d]!.task,
            cause: reason,
          });
        stack.push(d);
      }
    }
  }

  /** Parks a task that waits for a resource under the first resource that is short. */
  #park(i: number, request: Readonly<Record<string, number>>): void {
    const name = Object.keys(request).find((key) => !this.#pool.fits({ [key]: request[key]! }))!;
    const list = this.#parked.get(name);
    if (list) list.push(i);
    else this.#parked.set(name, [i]);
  }

  /** Resources came back: return as many parked tasks as the freed amount could serve. */
  #unpark(request: Readonly<Record<string, number>> | undefined): void {
    if (!request) return;
    this.#pool.give(request);
    for (const name in request) {
      const list = this.#parked.get(name);
      let freed = request[name]!;
      while (list && list.length > 0 && freed > 0) {
        const i = list.shift()!;
        freed -= this.#plan.nodes[i]!.task.resources![name]!;
        this.#ready.push(i, this.#priority[i]!);
      }
    }
  }

  /** Polls leases held by other processes; a released one puts its task back in the queue. */
  #schedulePoll(delayMs = 100): void {
    if (this.#pollTimer) return;
    this.#pollTimer = setTimeout(() => {
      this.#poll().then(
        () => {
          this.#pollTimer = undefined;
          if (this.#stopping) this.#elsewhere.clear();
          if (this.#elsewhere.size > 0) this.#schedulePoll(Math.min(delayMs * 2, 1000));
          this.#advance();
        },
        (error: unknown) => {
          // The lock store is unreachable: give up on the waiting tasks, with the reason.
          this.#pollTimer = undefined;
          for (const i of this.#elsewhere) {
            this.#settle(i, 'running_elsewhere', `lease check failed: ${messageOf(error)}`);
            this.#blockDependents(i, 'running_elsewhere', 'waits for a task running elsewhere');
          }
          this.#elsewhere.clear();
          this.#advance();
        },
      );
    }, delayMs);
  }

  async #poll(): Promise<void> {
    for (const i of [...this.#elsewhere]) {
      if (this.#stopping) break;
      if (await this.#leases.isHeld(this.#plan.nodes[i]!.task.hash)) continue;
      this.#elsewhere.delete(i);
      this.#status[i] = 'pending';
      this.#ready.push(i, this.#priority[i]!);
    }
  }

  #stop(reason: string): void {
    if (this.#stopping) return;
    this.#stopping = reason;
    this.#elsewhere.clear();
    this.#onEvent?.({ type: 'stopping', reason });
    this.#advance();
  }
}

/** A WrapperTask with the stock complete(): done when its requirements are, never executed. */
function isPureWrapper(task: Task): boolean {
  return task instanceof WrapperTask && task.complete === WrapperTask.prototype.complete;
}
