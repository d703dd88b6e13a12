/** Builds the run report from the plan and the final per-task state. */
import type { Plan } from '../graph/plan.js';
import {
  emptyCounts,
  overallStatus,
  type RunResult,
  type TaskReport,
  type TaskStatus,
} from './result.js';

export function buildResult(
  thePlan: Plan,
  status: readonly TaskStatus[],
  reason: readonly string[],
  attempts: Uint32Array,
  durations: Float64Array,
  meta: { interrupted: 'SIGINT' | 'SIGTERM' | undefined; runMs: number },
): RunResult {
  const counts = emptyCounts();
  counts.total = status.length;
  for (const s of status) counts[s]++;
  const overall = overallStatus(counts, meta.interrupted);
  let tasks: TaskReport[] | undefined;
  return {
    ...overall,
    counts,
    // Built on first use: a 100k-task "nothing to do" run should not pay for 100k reports.
    get tasks(): TaskReport[] {
      return (tasks ??= thePlan.order.map((i) => {
        const { task, outputs } = thePlan.nodes[i]!;
        return {
          id: task.id,
          hash: task.hash,
          family: task.family,
          params: task.canonicalParams,
          status: status[i]!,
          reason: reason[i]!,
          attempts: attempts[i]!,
          durationMs: Math.round(durations[i]!),
          outputs: outputs.map((target) => target.uri),
        };
      }));
    },
    planMs: thePlan.planMs,
    runMs: meta.runMs,
  };
}
