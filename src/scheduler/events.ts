/** The typed event stream of a run; the CLI renders it, `--log-format json` prints it. */
import type { Plan } from '../graph/plan.js';
import type { RunResult } from './result.js';

/** The task an event is about; events carry the Task itself, which has these. */
export interface TaskRef {
  readonly id: string;
  readonly hash: string;
  readonly family: string;
}

export type RunEvent =
  /** A backfill or cron pass decided its partitions; `tasks` are the missing ones it will run. */
  | {
      readonly type: 'partitions';
      readonly family: string;
      readonly total: number;
      readonly present: number;
      readonly missing: number;
      readonly toRun: number;
      readonly tasks: readonly TaskRef[];
    }
  | { readonly type: 'planned'; readonly plan: Plan }
  | { readonly type: 'started'; readonly task: TaskRef; readonly attempt: number }
  | {
      readonly type: 'retrying';
      readonly task: TaskRef;
      readonly attempt: number;
      readonly delayMs: number;
      readonly error: string;
    }
  | {
      readonly type: 'succeeded';
      readonly task: TaskRef;
      readonly attempts: number;
      readonly durationMs: number;
    }
  | {
      readonly type: 'failed';
      readonly task: TaskRef;
      readonly attempts: number;
      readonly error: string;
      /** Last lines of the task's log, when it wrote one. */
      readonly logTail?: string;
      readonly logPath?: string;
    }
  | { readonly type: 'upstream_failed'; readonly task: TaskRef; readonly cause: string }
  /** Another process holds the task's lease; this one waits unless `--no-wait`. */
  | { readonly type: 'running_elsewhere'; readonly task: TaskRef; readonly holder: string }
  /** Found complete when its turn came: another process made it. */
  | { readonly type: 'skipped'; readonly task: TaskRef; readonly reason: string }
  | { readonly type: 'stopping'; readonly reason: string }
  | { readonly type: 'finished'; readonly result: RunResult };

export type RunEventType = RunEvent['type'];
export type EventListener = (event: RunEvent) => void;
