/**
 * One task's attempts: run through the executor, with a timeout, then check that every output
 * exists; on failure retry with exponential backoff until the retries are used up.
 */
import { appendFileSync, closeSync, openSync, readSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { messageOf } from '../errors.js';
import type { ExecutionContext, Executor } from '../executors/executor.js';
import type { Task } from '../task.js';
import { ensureDir, pathExists } from '../targets/atomic-file.js';
import type { Store, Target } from '../targets/target.js';
import type { RunEvent } from './events.js';
import { settledWithin } from '../settled-within.js';

export interface AttemptSettings {
  readonly executor: Executor;
  readonly retries: number;
  readonly retryDelayMs: number;
  readonly maxRetryDelayMs: number;
  readonly timeoutMs: number | undefined;
  readonly logDir: string;
  /** Aborted on a hard stop: running attempts are cancelled. */
  readonly cancelSignal: AbortSignal | undefined;
  /** `true` once the run is stopping: no further retries. */
  readonly stopping: () => boolean;
  /** Undefined when nobody listens: events are then not even built. */
  readonly emit: ((event: RunEvent) => void) | undefined;
}

export type AttemptOutcome =
  | { readonly kind: 'succeeded'; readonly attempts: number; readonly durationMs: number }
  | {
      readonly kind: 'failed';
      readonly attempts: number;
      readonly durationMs: number;
      readonly error: string;
      readonly logPath?: string;
      readonly logTail?: string;
    };

export async function attempt(
  task: Task,
  outputs: readonly Target[],
  settings: AttemptSettings,
): Promise<AttemptOutcome> {
  const retries = task.retries ?? settings.retries;
  const timeoutMs = task.timeoutMs ?? settings.timeoutMs;
  const baseDelay = task.retryDelayMs ?? settings.retryDelayMs;
  const log = new TaskLog(settings.logDir, task);
  const started = performance.now();
  for (let n = 1; ; n++) {
    settings.emit?.({ type: 'started', task, attempt: n });
    let error: unknown;
    try {
      await once(task, n, timeoutMs, log, settings);
      const missing = await missingOf(outputs);
      if (missing.length === 0)
        return { kind: 'succeeded', attempts: n, durationMs: performance.now() - started };
      const more = missing.length > 1 ? ` and ${missing.length - 1} more` : '';
      error = new Error(`finished but output missing: ${String(missing[0])}${more}`);
    } catch (thrown) {
      error = thrown;
    }
    const message = messageOf(error);
    if (n > retries || settings.stopping() || settings.cancelSignal?.aborted) {
      const logTail = tailOf(log.path);
      return {
        kind: 'failed',
        attempts: n,
        durationMs: performance.now() - started,
        error: message,
        ...(logTail ? { logPath: log.path, logTail } : {}),
      };
    }
    const delayMs = Math.min(baseDelay * 2 ** (n - 1), settings.maxRetryDelayMs);
    settings.emit?.({ type: 'retrying', task, attempt: n, delayMs, error: message });
    await sleep(delayMs, settings.cancelSignal);
  }
}

async function once(
  task: Task,
  attemptNumber: number,
  timeoutMs: number | undefined,
  log: TaskLog,
  settings: AttemptSettings,
) {
  const { cancelSignal } = settings;
  const controller = timeoutMs !== undefined ? new AbortController() : undefined;
  const signal = controller ? linked(controller, cancelSignal) : (cancelSignal ?? NEVER);
  const context = new AttemptContext(signal, attemptNumber, log);
  const work = settings.executor.execute(task, context);
  if (!controller && !cancelSignal) return work;

  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const stopped = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason instanceof Error ? signal.reason : new Error('cancelled'));
    signal.addEventListener('abort', onAbort, { once: true });
    if (controller) {
      timer = setTimeout(
        () => controller.abort(new Error(`timed out after ${formatMs(timeoutMs!)}`)),
        timeoutMs,
      );
    }
  });
  try {
    await Promise.race([work, stopped]);
  } catch (error) {
    // Aborted: give the work a moment to stop (a program is killed, its staging removed) so
    // that nothing of it outlives the attempt; in-process code that ignores the signal is left.
    if (signal.aborted) await settledWithin(work, ABORT_GRACE_MS);
    throw error;
  } finally {
    clearTimeout(timer);
    signal.removeEventListener('abort', onAbort!);
    work.catch(() => undefined);
  }
}

/** A child gets SIGTERM, then SIGKILL 5 s later; this covers both. */
const ABORT_GRACE_MS = 7000;

const NEVER = new AbortController().signal;

/** A task's log file; its path is joined on first use, since most tasks never log. */
class TaskLog {
  readonly #dir: string;
  readonly #task: Task;
  #path: string | undefined;

  constructor(dir: string, task: Task) {
    this.#dir = dir;
    this.#task = task;
  }

  get path(): string {
    return (this.#path ??= join(this.#dir, this.#task.family, `${this.#task.hash}.log`));
  }

  append(message: string): void {
    ensureDir(dirname(this.path));
    appendFileSync(this.path, message.endsWith('\n') ? message : message + '\n');
  }
}

class AttemptContext implements ExecutionContext {
  readonly signal: AbortSignal;
  readonly attempt: number;
  readonly #log: TaskLog;

  constructor(signal: AbortSignal, attempt: number, log: TaskLog) {
    this.signal = signal;
    this.attempt = attempt;
    this.#log = log;
  }

  get logPath(): string {
    return this.#log.path;
  }

  /** An arrow function, so `const { log } = context` works too. */
  readonly log = (message: string): void => this.#log.append(message);
}

function linked(controller: AbortController, parent: AbortSignal | undefined): AbortSignal {
  if (parent) {
    if (parent.aborted) controller.abort(parent.reason);
    else parent.addEventListener('abort', () => controller.abort(parent.reason), { once: true });
  }
  return controller.signal;
}

/** The outputs that do not exist, asking each store once. */
export async function missingOf(outputs: readonly Target[]): Promise<Target[]> {
  if (outputs.length === 0) return [];
  if (outputs.length === 1) return (await outputs[0]!.exists()) ? [] : [outputs[0]!];
  const byStore = new Map<Store, Target[]>();
  for (const target of outputs) {
    const group = byStore.get(target.store);
    if (group) group.push(target);
    else byStore.set(target.store, [target]);
  }
  const missing: Target[] = [];
  for (const [store, targets] of byStore) {
    const found = await store.existsMany(targets);
    targets.forEach((target, i) => found[i] || missing.push(target));
  }
  return missing;
}

/** The last lines of a log file, or undefined when there is none. */
export function tailOf(path: string, lines = 20): string | undefined {
  if (!pathExists(path)) return undefined;
  const size = statSync(path).size;
  const length = Math.min(size, 8192);
  const buffer = Buffer.alloc(length);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, buffer, 0, length, size - length);
  } finally {
    closeSync(fd);
  }
  const text = buffer.toString('utf8').trimEnd();
  return text.length === 0 ? undefined : text.split('\n').slice(-lines).join('\n');
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

export function formatMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)}s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes}m${String(Math.round((ms % 60_000) / 1000)).padStart(2, '0')}s`;
}
