/**
 * Ctrl+C and SIGTERM: the first stops starting new tasks and lets running ones finish; the
 * second cancels running tasks; the third exits at once.
 */
import type { Reporter } from './render/reporter.js';

export interface Trap {
  /** Aborted on the first signal, with 'SIGINT' or 'SIGTERM' as reason. */
  readonly signal: AbortSignal;
  /** Aborted on the second signal. */
  readonly cancelSignal: AbortSignal;
  dispose(): void;
}

export function trapSignals(reporter: Reporter): Trap {
  const stop = new AbortController();
  const cancel = new AbortController();
  let count = 0;
  const handler = (name: NodeJS.Signals) => {
    count++;
    if (count === 1) {
      stop.abort(name);
      reporter.note(
        `${name}: finishing running tasks, starting no new ones (press Ctrl+C again to cancel them)`,
      );
    } else if (count === 2) {
      cancel.abort(new Error(`cancelled by ${name}`));
      reporter.note(`${name}: cancelling running tasks`);
    } else {
      process.exit(name === 'SIGTERM' ? 143 : 130);
    }
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    signal: stop.signal,
    cancelSignal: cancel.signal,
    dispose() {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}
