/** Off a terminal: plain lines, one per event, on stderr. */
import type { RunEvent } from '../../scheduler/events.js';
import { lineFor, plain } from './lines.js';
import type { Reporter } from './reporter.js';

export function textReporter(stream: NodeJS.WritableStream): Reporter {
  return {
    onEvent(event: RunEvent) {
      const line = lineFor(event, plain, true);
      if (line !== undefined) stream.write(line + '\n');
    },
    note(message: string) {
      stream.write(message + '\n');
    },
    close() {},
  };
}
