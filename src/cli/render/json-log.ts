/** `--log-format json`: one JSON object per event per line, for log collectors. */
import type { RunEvent } from '../../scheduler/events.js';
import type { Reporter } from './reporter.js';

export function jsonLogReporter(stream: NodeJS.WritableStream): Reporter {
  const write = (record: Record<string, unknown>) =>
    stream.write(JSON.stringify({ time: new Date().toISOString(), ...record }) + '\n');
  return {
    onEvent(event: RunEvent) {
      switch (event.type) {
        case 'planned': {
          const statuses: Record<string, number> = {};
          for (const node of event.plan.nodes)
            statuses[node.status] = (statuses[node.status] ?? 0) + 1;
          write({
            event: 'planned',
            total: event.plan.nodes.length,
            ...statuses,
            planMs: Math.round(event.plan.planMs),
          });
          break;
        }
        case 'partitions': {
          const { type, tasks, ...counts } = event;
          write({ event: type, ...counts, ids: tasks.map((task) => task.id) });
          break;
        }
        case 'finished': {
          const { status, exitCode, counts, planMs, runMs } = event.result;
          write({
            event: 'finished',
            status,
            exitCode,
            counts,
            planMs: Math.round(planMs),
            runMs: Math.round(runMs),
          });
          break;
        }
        default:
          if ('task' in event) {
            const { type, task, ...rest } = event;
            write({ event: type, id: task.id, hash: task.hash, family: task.family, ...rest });
          } else {
            const { type, ...rest } = event;
            write({ event: type, ...rest });
          }
      }
    },
    note(message: string) {
      write({ event: 'note', message });
    },
    close() {},
  };
}
