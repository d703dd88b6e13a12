/**
 * Backfill: the missing partitions of a family, decided in bulk and run. Luigi's RangeDaily
 * with `task_limit`, as a function: existence is checked once for all partitions (one listing
 * per store prefix), the first `limit` missing ones in order are run, the rest reported.
 */
import { UsageError } from '../errors.js';
import { decide, plan, type Plan } from '../graph/plan.js';
import type { RunOptions } from '../scheduler/run.js';
import { execute } from '../scheduler/run.js';
import type { RunResult, TaskStatus } from '../scheduler/result.js';
import type { Target } from '../targets/target.js';
import { WrapperTask } from '../task.js';
import { partitionedFamily, type PartitionedFamily, type RangeFamily } from './partition-family.js';
import { partitions, type PartitionValue } from './partitions.js';
import type { RangeOptions } from './range.js';

export interface PartitionRunOptions extends RunOptions {
  /** Run at most this many missing partitions, the first in order (Luigi's task_limit). */
  limit?: number;
}

/** A range as `Range.of` takes it, plus the run options and `limit`. */
export interface BackfillOptions<F> extends RangeOptions<F>, PartitionRunOptions {}

export interface PartitionReport {
  /** The partition's canonical text, e.g. `2024-01-01`. */
  readonly partition: string;
  readonly id: string;
  /** `complete` when it existed before; `not_run` when beyond the limit or stopped early. */
  readonly status: TaskStatus;
  readonly reason: string;
  /** For `dag cron`: the tick this partition was due at. */
  readonly tick?: string;
}

export interface PartitionCounts {
  readonly total: number;
  /** Complete before the run started. */
  readonly present: number;
  readonly missing: number;
  /** Missing ones chosen to run (all of them unless `limit`). */
  readonly toRun: number;
}

export interface BackfillResult {
  readonly family: string;
  readonly param: string;
  readonly partitions: readonly PartitionReport[];
  readonly partitionCounts: PartitionCounts;
  /** The run of the chosen partitions and whatever they need. */
  readonly run: RunResult;
}

/** Runs the missing partitions of `Family` between `from` and `to`. */
export async function backfill<F extends RangeFamily>(
  Family: F,
  options: BackfillOptions<F>,
): Promise<BackfillResult> {
  const family = partitionedFamily(Family, { param: options.param, params: options.params });
  const values = partitions({
    kind: family.kind,
    from: family.value('from', options.from),
    to: family.value('to', options.to),
    every: options.every,
    tz: options.tz,
    reverse: options.reverse,
  });
  return runPartitions(family, values, options);
}

/** Decides the given partitions in bulk and runs the missing ones (up to `limit`), in order. */
export async function runPartitions(
  family: PartitionedFamily,
  values: readonly PartitionValue[],
  options: PartitionRunOptions,
  ticks?: readonly string[],
): Promise<BackfillResult> {
  const limit = options.limit ?? Infinity;
  if (limit !== Infinity && (!Number.isInteger(limit) || limit < 0))
    throw new UsageError(`limit must be a whole number >= 0, got ${limit}`);
  const started = performance.now();
  const tasks = values.map((value) => family.task(value));
  const decisions = await decide(tasks);

  const knownMissing = new Map<string, readonly Target[]>();
  const chosen = [];
  let missing = 0;
  for (let i = 0; i < tasks.length; i++) {
    if (decisions[i]!.complete) continue;
    missing++;
    if (chosen.length >= limit) continue;
    chosen.push(tasks[i]!);
    // A wrapper's completeness is its requirements': the planner still has to look.
    if (!(tasks[i] instanceof WrapperTask)) knownMissing.set(tasks[i]!.id, decisions[i]!.missing);
  }
  const partitionCounts = {
    total: tasks.length,
    present: tasks.length - missing,
    missing,
    toRun: chosen.length,
  };
  options.onEvent?.({
    type: 'partitions',
    family: family.family,
    ...partitionCounts,
    tasks: chosen,
  });

  const chosenPlan = await plan(chosen, { knownMissing });
  const thePlan: Plan = { ...chosenPlan, planMs: performance.now() - started };
  options.onEvent?.({ type: 'planned', plan: thePlan });
  const result = await execute(thePlan, options);

  const outcome = new Map<string, { status: TaskStatus; reason: string }>();
  for (const task of result.tasks) outcome.set(task.id, task);
  const reports = tasks.map((task, i): PartitionReport => {
    const ran = outcome.get(task.id);
    const { status, reason } = decisions[i]!.complete
      ? { status: 'complete' as const, reason: 'outputs exist' }
      : (ran ?? {
          status: 'not_run' as const,
          reason: `beyond the limit of ${limit} missing partition${limit === 1 ? '' : 's'}`,
        });
    return {
      partition: family.text(values[i]!),
      id: task.id,
      status,
      reason,
      ...(ticks ? { tick: ticks[i] } : {}),
    };
  });
  return {
    family: family.family,
    param: family.param,
    partitions: reports,
    partitionCounts,
    run: result,
  };
}
