/** One human line per event, shared by the plain and the terminal reporters. */
import { formatMs } from '../../scheduler/attempts.js';
import type { RunEvent } from '../../scheduler/events.js';

export interface Palette {
  ok(text: string): string;
  bad(text: string): string;
  warn(text: string): string;
  dim(text: string): string;
}

export const plain: Palette = { ok: (t) => t, bad: (t) => t, warn: (t) => t, dim: (t) => t };

/** The line for an event, or undefined for events not worth a line of their own. */
export function lineFor(event: RunEvent, palette: Palette, verbose: boolean): string | undefined {
  switch (event.type) {
    case 'partitions': {
      const beyond = event.missing - event.toRun;
      return palette.dim(
        `partitions of ${event.family}: ${event.total} in range, ${event.present} present, ${event.missing} missing${beyond > 0 ? `, running the first ${event.toRun} (limit)` : ''}`,
      );
    }
    case 'planned': {
      const counts = new Map<string, number>();
      for (const node of event.plan.nodes)
        counts.set(node.status, (counts.get(node.status) ?? 0) + 1);
      const parts = [`${counts.get('pending') ?? 0} to run`];
      if (counts.has('complete')) parts.push(`${counts.get('complete')} complete`);
      if (counts.has('missing_external')) {
        parts.push(palette.bad(`${counts.get('missing_external')} missing input`));
      }
      if (counts.has('upstream_missing')) {
        parts.push(`${counts.get('upstream_missing')} blocked by missing input`);
      }
      const total = event.plan.nodes.length;
      const tasks = `${total} task${total === 1 ? '' : 's'}`;
      return palette.dim(`planned ${tasks} in ${formatMs(event.plan.planMs)}: ${parts.join(', ')}`);
    }
    case 'started':
      return verbose
        ? palette.dim(
            `started ${event.task.id}${event.attempt > 1 ? ` (attempt ${event.attempt})` : ''}`,
          )
        : undefined;
    case 'succeeded':
      return verbose
        ? `${palette.ok('✓')} ${event.task.id} ${palette.dim(formatMs(event.durationMs))}`
        : undefined;
    case 'skipped':
      return verbose
        ? `${palette.ok('✓')} ${event.task.id} ${palette.dim(event.reason)}`
        : undefined;
    case 'retrying':
      return `${palette.warn('↻')} ${event.task.id} attempt ${event.attempt} failed: ${event.error}; retrying in ${formatMs(event.delayMs)}`;
    case 'failed': {
      const head = `${palette.bad('✗')} ${event.task.id} failed${event.attempts > 1 ? ` after ${event.attempts} attempts` : ''}: ${event.error}`;
      if (!event.logTail) return head;
      const tail = event.logTail.split('\n').map((line) => palette.dim(`    │ ${line}`));
      return [head, palette.dim(`    log: ${event.logPath}`), ...tail].join('\n');
    }
    case 'upstream_failed':
      return verbose ? palette.dim(`- ${event.task.id} not run: ${event.cause}`) : undefined;
    case 'running_elsewhere':
      return palette.warn(`… ${event.task.id} is running in ${event.holder}`);
    case 'stopping':
      return palette.warn(`stopping: ${event.reason}; running tasks will finish`);
    case 'finished':
      return undefined;
  }
}
