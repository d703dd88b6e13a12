/** The end-of-run summary and the `--json` document. */
import { formatMs } from '../../scheduler/attempts.js';
import type { RunResult, TaskStatus } from '../../scheduler/result.js';

const ORDER: TaskStatus[] = [
  'succeeded',
  'complete',
  'failed',
  'upstream_failed',
  'missing_external',
  'upstream_missing',
  'running_elsewhere',
  'not_run',
];

export function summaryText(result: RunResult): string {
  const parts = ORDER.filter((status) => result.counts[status] > 0).map(
    (status) => `${result.counts[status]} ${status.replace('_', ' ')}`,
  );
  const lines = [
    `${result.status.replace(/_/g, ' ')}: ${parts.join(', ') || 'no tasks'} in ${formatMs(result.planMs + result.runMs)}`,
  ];
  if (result.status !== 'success' && result.status !== 'nothing_to_do') {
    const shown = new Set<TaskStatus>(['failed', 'missing_external', 'running_elsewhere']);
    const problems = result.tasks.filter((task) => shown.has(task.status));
    for (const task of problems.slice(0, 20))
      lines.push(`  ${task.status}: ${task.id}: ${task.reason}`);
    if (problems.length > 20) lines.push(`  ... and ${problems.length - 20} more`);
  }
  return lines.join('\n');
}

/** The `dag run --json` document (DESIGN.md 6). */
export function runDocument(result: RunResult): Record<string, unknown> {
  return {
    status: result.status,
    exitCode: result.exitCode,
    counts: result.counts,
    tasks: result.tasks,
    ...(result.error ? { error: result.error } : {}),
    planMs: Math.round(result.planMs),
    runMs: Math.round(result.runMs),
  };
}
