/**
 * On a terminal: a live progress line (done/running/pending, current tasks, elapsed) with
 * failures, retries and, for small runs, finished tasks printed above it.
 */
import { createLogUpdate } from 'log-update';
import { styleText } from 'node:util';
import { formatMs } from '../../scheduler/attempts.js';
import type { RunEvent } from '../../scheduler/events.js';
import { lineFor, type Palette } from './lines.js';
import { PartitionProgress } from './partitions.js';
import type { Reporter } from './reporter.js';

const colors: Palette = {
  ok: (text) => styleText('green', text),
  bad: (text) => styleText('red', text),
  warn: (text) => styleText('yellow', text),
  dim: (text) => styleText('dim', text),
};
const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
/** Above this many tasks to run, finished tasks get no line of their own. */
const VERBOSE_LIMIT = 200;

export function ttyReporter(stream: NodeJS.WriteStream): Reporter {
  const live = createLogUpdate(stream, { showCursor: true });
  const started = performance.now();
  const running = new Map<string, number>();
  let toRun = 0;
  let done = 0;
  let failed = 0;
  let frame = 0;
  let verbose = true;
  const partitions = new PartitionProgress();

  const render = () => {
    if (toRun === 0) return;
    const now = performance.now();
    const current = [...running.entries()]
      .slice(0, 3)
      .map(([id, since]) => `${id} ${colors.dim(formatMs(now - since))}`)
      .join(', ');
    const more = running.size > 3 ? ` +${running.size - 3}` : '';
    const counts = `${done}/${toRun} done · ${running.size} running · ${toRun - done - running.size} pending${failed ? ` · ${colors.bad(`${failed} failed`)}` : ''}`;
    const header = partitions.line();
    live(
      `${header ? `${header}\n` : ''}${SPINNER[frame++ % SPINNER.length]} ${counts} · ${formatMs(now - started)}${current ? `\n  ${current}${more}` : ''}`,
    );
  };
  const timer = setInterval(render, 100);
  timer.unref();

  const persist = (text: string) => {
    live.clear();
    stream.write(text + '\n');
    render();
  };

  return {
    onEvent(event: RunEvent) {
      partitions.onEvent(event);
      switch (event.type) {
        case 'planned':
          toRun = event.plan.nodes.filter((node) => node.status === 'pending').length;
          verbose = toRun <= VERBOSE_LIMIT;
          break;
        case 'started':
          running.set(event.task.id, performance.now());
          return;
        case 'succeeded':
        case 'skipped':
          running.delete(event.task.id);
          done++;
          break;
        case 'failed':
          running.delete(event.task.id);
          done++;
          failed++;
          break;
        case 'upstream_failed':
          done++;
          break;
        case 'retrying':
          running.delete(event.task.id);
          break;
        case 'finished':
          clearInterval(timer);
          live.clear();
          return;
      }
      const line = lineFor(event, colors, verbose);
      if (line !== undefined) persist(line);
    },
    note(message: string) {
      persist(colors.warn(message));
    },
    close() {
      clearInterval(timer);
      live.clear();
    },
  };
}
