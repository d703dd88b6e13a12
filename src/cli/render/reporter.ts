/** Renders a run's events: a live line on a terminal, plain lines otherwise, or JSON lines. */
import type { RunEvent } from '../../scheduler/events.js';
import { jsonLogReporter } from './json-log.js';
import { textReporter } from './text.js';

export interface Reporter {
  onEvent(event: RunEvent): void;
  /** A message outside the event stream, e.g. "stopping after Ctrl+C". */
  note(message: string): void;
  /** Stops any live display. */
  close(): void;
}

export type LogFormat = 'text' | 'json';

export async function createReporter(
  format: LogFormat,
  stream: NodeJS.WriteStream,
): Promise<Reporter> {
  if (format === 'json') return jsonLogReporter(stream);
  // A pseudo-terminal without a size (some CI runners) cannot show a live line.
  const sized = (stream.rows ?? 0) > 0 && (stream.columns ?? 0) > 0;
  if (stream.isTTY && sized && process.env.TERM !== 'dumb' && !process.env.CI) {
    const { ttyReporter } = await import('./tty.js');
    return ttyReporter(stream);
  }
  return textReporter(stream);
}
