/**
 * The planner (DESIGN.md 5): from the roots, frontier by frontier, find out which tasks are
 * complete, and expand the requirements of incomplete ones only. Existence is checked for a
 * whole frontier at once, grouped by store. Each task ends with a status and a reason.
 */
import { SchedulingError, UsageError, messageOf } from '../errors.js';
import { flatten } from '../shape.js';
import { ExternalTask, Task, WrapperTask, isTask } from '../task.js';
import { isTarget, type Store, type Target } from '../targets/target.js';
import { dependencyOrder, dependentsOf, findCycle, type Dependents } from './topology.js';

export type PlanStatus = 'complete' | 'pending' | 'missing_external' | 'upstream_missing';

export interface PlanNode {
  readonly index: number;
  readonly task: Task;
  status: PlanStatus;
  /** Why, in words: which outputs are missing, which input blocks it. */
  reason: string;
  /** Indexes of required tasks; empty for tasks that were not expanded (complete, external). */
  deps: number[];
  readonly outputs: readonly Target[];
}

export interface Plan {
  readonly nodes: readonly PlanNode[];
  readonly roots: readonly number[];
  readonly byId: ReadonlyMap<string, number>;
  readonly dependents: Dependents;
  /** All nodes, each after its dependencies. */
  readonly order: readonly number[];
  readonly planMs: number;
}

/** Shared by every node without requirements (most of them, in wide graphs). */
const NO_DEPS: number[] = [];

/** What the planner does with a task once its completeness is known. */
const enum Kind {
  Plain,
  Wrapper,
  External,
  Custom,
}

export interface PlanOptions {
  /**
   * Also expand complete tasks, to show the whole graph (`dag graph --all`). For display only:
   * `run()` never expands complete tasks. Default false.
   */
  readonly expandComplete?: boolean;
  /**
   * Tasks already found incomplete, by id, with their missing outputs (a backfill checks its
   * partitions in bulk before choosing which to run): taken as they are, not checked again.
   */
  readonly knownMissing?: ReadonlyMap<string, readonly Target[]>;
}

export async function plan(roots: readonly Task[], options: PlanOptions = {}): Promise<Plan> {
  const started = performance.now();
  const nodes: PlanNode[] = [];
  const byId = new Map<string, number>();
  const add = (task: Task): number => {
    let index = byId.get(task.id);
    if (index === undefined) {
      index = nodes.length;
      byId.set(task.id, index);
      nodes.push(newNode(task, index));
    }
    return index;
  };

  const rootIndexes = roots.map((root) => {
    if (!isTask(root)) throw new UsageError(`run() and plan() take tasks, got ${describe(root)}`);
    return add(root);
  });
  let frontier = [...new Set(rootIndexes)];
  while (frontier.length > 0) {
    const { state, missing } = await completeness(nodes, frontier, options.knownMissing);
    const next: number[] = [];
    for (let f = 0; f < frontier.length; f++) {
      const node = nodes[frontier[f]!]!;
      if (state[f] === State.Complete) {
        node.status = 'complete';
        node.reason = node.outputs.length > 0 ? 'outputs exist' : 'complete() returned true';
        if (!options.expandComplete || node.task instanceof ExternalTask) continue;
      } else if (node.task instanceof ExternalTask) {
        node.status = 'missing_external';
        node.reason = missingReason(node, missing[f], 'missing input');
        continue;
      } else {
        node.reason =
          state[f] === State.Undecided
            ? 'all requirements must be complete'
            : missingReason(node, missing[f], 'missing');
      }
      const requirements = requirementsOf(node.task);
      if (requirements.length > 0) node.deps = new Array<number>(requirements.length);
      for (let r = 0; r < requirements.length; r++) {
        const before = nodes.length;
        const index = add(requirements[r]!);
        node.deps[r] = index;
        if (index === before) next.push(index);
      }
    }
    frontier = next;
  }

  const edges = { deps: nodes.map((node) => node.deps) };
  const dependents = dependentsOf(edges);
  const order = dependencyOrder(edges, dependents);
  if (order.length !== nodes.length) {
    const cycle = findCycle(edges, order);
    throw new SchedulingError(
      `dependency cycle: ${cycle.map((i) => nodes[i]!.task.id).join(' -> ')}`,
    );
  }
  settle(nodes, order);
  return {
    nodes,
    roots: rootIndexes,
    byId,
    dependents,
    order,
    planMs: performance.now() - started,
  };
}

/** Whether each task is complete, and which outputs it misses. */
export interface Decision {
  readonly complete: boolean;
  /** Missing outputs; empty for an incomplete task without outputs or with its own complete(). */
  readonly missing: readonly Target[];
}

/**
 * Decides many tasks at once, as the planner decides a frontier: one bulk existence check per
 * store. Wrapper tasks depend on their requirements, so they are reported incomplete here.
 */
export async function decide(tasks: readonly Task[]): Promise<Decision[]> {
  const nodes = tasks.map(newNode);
  const { state, missing } = await completeness(
    nodes,
    nodes.map((node) => node.index),
  );
  return nodes.map((_, f) => ({
    complete: state[f] === State.Complete,
    missing: missing[f] ?? [],
  }));
}

function newNode(task: Task, index: number): PlanNode {
  return { index, task, status: 'pending', reason: '', deps: NO_DEPS, outputs: outputsOf(task) };
}

/** Completeness of each frontier node, without an object or array per node. */
interface Frontier {
  /** Per frontier node: Undecided (wrappers), Complete, Incomplete, or MissingOutputs. */
  readonly state: Uint8Array;
  /** The missing outputs of MissingOutputs nodes, sparse. */
  readonly missing: (Target[] | undefined)[];
}

const enum State {
  Undecided,
  Complete,
  Incomplete,
  MissingOutputs,
}

async function completeness(
  nodes: readonly PlanNode[],
  frontier: readonly number[],
  knownMissing?: ReadonlyMap<string, readonly Target[]>,
): Promise<Frontier> {
  const state = new Uint8Array(frontier.length);
  const missing: (Target[] | undefined)[] = [];
  const byStore = new Map<Store, { targets: Target[]; owners: number[] }>();
  const custom: number[] = [];
  for (let f = 0; f < frontier.length; f++) {
    const node = nodes[frontier[f]!]!;
    const kind = kindOf(node.task);
    if (kind === Kind.Wrapper) continue;
    const known = knownMissing?.get(node.task.id);
    if (known) {
      state[f] = known.length > 0 ? State.MissingOutputs : State.Incomplete;
      if (known.length > 0) missing[f] = [...known];
      continue;
    }
    if (kind === Kind.Custom) {
      custom.push(f);
      continue;
    }
    if (node.outputs.length === 0) {
      state[f] = State.Incomplete;
      continue;
    }
    state[f] = State.Complete;
    for (const target of node.outputs) {
      let batch = byStore.get(target.store);
      if (!batch) byStore.set(target.store, (batch = { targets: [], owners: [] }));
      batch.targets.push(target);
      batch.owners.push(f);
    }
  }
  await Promise.all([
    customCompleteness(custom.map((f) => nodes[frontier[f]!]!.task)).then((done) =>
      custom.forEach((f, k) => (state[f] = done[k] ? State.Complete : State.Incomplete)),
    ),
    ...[...byStore].map(async ([store, batch]) => {
      const found = await store.existsMany(batch.targets).catch((error: unknown) => {
        // A store misconfigured (missing bucket, bad credentials) is the user's to fix: exit 2.
        if (error instanceof UsageError) throw error;
        throw new SchedulingError(`checking outputs failed: ${messageOf(error)}`, undefined, {
          cause: error,
        });
      });
      for (let k = 0; k < found.length; k++) {
        if (found[k]) continue;
        const f = batch.owners[k]!;
        state[f] = State.MissingOutputs;
        (missing[f] ??= []).push(batch.targets[k]!);
      }
    }),
  ]);
  return { state, missing };
}

function kindOf(task: Task): Kind {
  const complete = task.complete;
  if (complete === Task.prototype.complete)
    return task instanceof ExternalTask ? Kind.External : Kind.Plain;
  if (complete === WrapperTask.prototype.complete) return Kind.Wrapper;
  return Kind.Custom;
}

/**
 * User `complete()` methods may call remote services: at most this many run at once. Luigi's
 * parallel scheduling found existence checks dominate planning; a bound keeps them polite.
 */
const CUSTOM_COMPLETE_CONCURRENCY = 32;

async function customCompleteness(tasks: readonly Task[]): Promise<boolean[]> {
  if (tasks.length === 0) return [];
  const { default: pLimit } = await import('p-limit');
  const limit = pLimit(CUSTOM_COMPLETE_CONCURRENCY);
  return Promise.all(tasks.map((task) => limit(() => customComplete(task))));
}

async function customComplete(task: Task): Promise<boolean> {
  let done: unknown;
  try {
    done = await task.complete();
  } catch (error) {
    throw planningError(task, 'complete()', error);
  }
  if (typeof done !== 'boolean') {
    throw new SchedulingError(
      `${task.id}: complete() must return a boolean, got ${describe(done)}`,
      task.id,
    );
  }
  return done;
}

function outputsOf(task: Task): Target[] {
  let outputs: unknown[];
  try {
    outputs = flatten(task.output() as unknown, isTarget);
  } catch (error) {
    throw planningError(task, 'output()', error);
  }
  for (const output of outputs) {
    if (!isTarget(output)) {
      throw new SchedulingError(
        `${task.id}: output() returned ${describe(output)}, which is not a target`,
        task.id,
      );
    }
  }
  return outputs as Target[];
}

function requirementsOf(task: Task): Task[] {
  let deps: unknown[];
  try {
    deps = flatten(task.requires() as unknown, isTask);
  } catch (error) {
    throw planningError(task, 'requires()', error);
  }
  for (const dep of deps) {
    if (!isTask(dep)) {
      const hint = isTarget(dep)
        ? ' (wrap a target in an ExternalTask whose output() returns it)'
        : '';
      throw new SchedulingError(
        `${task.id}: requires() returned ${describe(dep)}, which is not a task${hint}`,
        task.id,
      );
    }
  }
  return deps as Task[];
}

/** Bad input surfacing in a task keeps its usage exit code; anything else is a scheduling error. */
function planningError(task: Task, where: string, error: unknown): Error {
  if (error instanceof UsageError)
    return new UsageError(`${task.id}: ${error.message}`, { cause: error });
  return new SchedulingError(`${task.id}: ${where} threw: ${messageOf(error)}`, task.id, {
    cause: error,
  });
}

function missingReason(node: PlanNode, missing: Target[] | undefined, verb: string): string {
  if (!missing) {
    return node.outputs.length === 0
      ? 'has no outputs, so it always runs'
      : 'complete() returned false';
  }
  const more = missing.length > 1 ? ` and ${missing.length - 1} more` : '';
  return `${verb} ${String(missing[0])}${more}`;
}

/** Wrappers take their status from their requirements; tasks behind missing inputs are blocked. */
function settle(nodes: PlanNode[], order: readonly number[]): void {
  // The missing external task that blocks each node, by index.
  const blockedBy = new Map<number, Task>();
  for (const i of order) {
    const node = nodes[i]!;
    if (node.status === 'missing_external') blockedBy.set(i, node.task);
    if (node.status !== 'pending') continue;
    const blocker = node.deps.find((d) => blockedBy.has(d));
    if (blocker !== undefined) {
      const cause = blockedBy.get(blocker)!;
      blockedBy.set(i, cause);
      node.status = 'upstream_missing';
      node.reason = `blocked: input ${cause.id} is missing`;
      continue;
    }
    if (kindOf(node.task) !== Kind.Wrapper) continue;
    const incomplete = node.deps.filter((d) => nodes[d]!.status !== 'complete').length;
    if (incomplete === 0) {
      node.status = 'complete';
      node.reason = 'all requirements are complete';
    } else {
      node.reason = `waits for ${incomplete} incomplete requirement${incomplete === 1 ? '' : 's'}`;
    }
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return `an instance of ${value.constructor?.name ?? 'Object'}`;
  return `${typeof value} ${JSON.stringify(value) ?? String(value)}`;
}
