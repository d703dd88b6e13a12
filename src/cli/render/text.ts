/** Off a terminal: plain lines, one per event, on stderr. */
import type { RunEvent } from '../../scheduler/events.js';
import { lineFor, plain } from './lines.js';
import { PartitionProgress } from './partitions.js';
import type { Reporter } from './reporter.js';

/** Partition progress lines at most this often, and at the end (cron logs stay readable). */
const PROGRESS_EVERY_MS = 1000;

export function textReporter(stream: NodeJS.WritableStream): Reporter {
  const partitions = new PartitionProgress();
  let lastProgress = 0;
  return {
    onEvent(event: RunEvent) {
      const line = lineFor(event, plain, true);
      if (line !== undefined) stream.write(line + '\n');
      const changed = partitions.onEvent(event);
      if (!changed || event.type === 'partitions') return;
      if (event.type === 'started' || event.type === 'retrying') return;
      const now = performance.now();
      if (!partitions.finished && now - lastProgress < PROGRESS_EVERY_MS) return;
      lastProgress = now;
      stream.write(partitions.line() + '\n');
    },
    note(message: string) {
      stream.write(message + '\n');
    },
    close() {},
  };
}
