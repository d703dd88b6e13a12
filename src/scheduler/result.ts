/** What a run reports: the `--json` document of DESIGN.md 6. */
import { ExitCode, type ExitCodeValue } from '../errors.js';

export type TaskStatus =
  /** Outputs existed before the run (or another process made them meanwhile). */
  | 'complete'
  | 'succeeded'
  | 'failed'
  | 'upstream_failed'
  | 'missing_external'
  /** Blocked by a missing external input upstream. */
  | 'upstream_missing'
  /** Held by another process, and `--no-wait` was given (or a dependency of such a task). */
  | 'running_elsewhere'
  /** Not started: the run stopped first (`--fail-fast`, Ctrl+C). */
  | 'not_run';

export type RunStatus =
  | 'success'
  | 'nothing_to_do'
  | 'failed'
  | 'missing_external'
  | 'running_elsewhere'
  | 'scheduling_error'
  | 'interrupted';

export interface TaskReport {
  readonly id: string;
  readonly hash: string;
  readonly family: string;
  /** Every parameter as its canonical string. */
  readonly params: Readonly<Record<string, string>>;
  readonly status: TaskStatus;
  readonly reason: string;
  readonly attempts: number;
  readonly durationMs: number;
  readonly outputs: readonly string[];
}

export type Counts = Record<'total' | TaskStatus, number>;

export interface RunResult {
  readonly status: RunStatus;
  readonly exitCode: ExitCodeValue;
  readonly counts: Counts;
  readonly tasks: readonly TaskReport[];
  /** The scheduling error, when status is `scheduling_error`. */
  readonly error?: string;
  readonly planMs: number;
  readonly runMs: number;
}

export function emptyCounts(): Counts {
  return {
    total: 0,
    complete: 0,
    succeeded: 0,
    failed: 0,
    upstream_failed: 0,
    missing_external: 0,
    upstream_missing: 0,
    running_elsewhere: 0,
    not_run: 0,
  };
}

/**
 * The run's status and exit code. When several apply, the most actionable wins: a failure (1)
 * over a missing input (3) over a task held elsewhere (4); an interruption beats them all.
 */
export function overallStatus(
  counts: Counts,
  interrupted?: 'SIGINT' | 'SIGTERM',
): {
  status: RunStatus;
  exitCode: ExitCodeValue;
} {
  if (interrupted) {
    return {
      status: 'interrupted',
      exitCode: interrupted === 'SIGTERM' ? ExitCode.terminated : ExitCode.interrupted,
    };
  }
  if (counts.failed > 0) return { status: 'failed', exitCode: ExitCode.taskFailed };
  if (counts.missing_external > 0)
    return { status: 'missing_external', exitCode: ExitCode.missingExternal };
  if (counts.running_elsewhere > 0)
    return { status: 'running_elsewhere', exitCode: ExitCode.runningElsewhere };
  if (counts.not_run > 0) return { status: 'failed', exitCode: ExitCode.taskFailed };
  if (counts.succeeded === 0) return { status: 'nothing_to_do', exitCode: ExitCode.ok };
  return { status: 'success', exitCode: ExitCode.ok };
}
