/**
 * Every error dagwright raises on purpose. Each carries the process exit code the CLI uses
 * (DESIGN.md 6) and a message that fits on one line and says what to do.
 */

export const ExitCode = {
  /** Success, or nothing to do. */
  ok: 0,
  /** A task failed. */
  taskFailed: 1,
  /** Usage error or invalid input. */
  usage: 2,
  /** An external input is missing. */
  missingExternal: 3,
  /** A needed task is running in another process and `--no-wait` was given. */
  runningElsewhere: 4,
  /** Scheduling error: a cycle, or an exception while planning. */
  scheduling: 5,
  /** Interrupted by SIGINT (128 + 2). */
  interrupted: 130,
  /** Terminated by SIGTERM (128 + 15). */
  terminated: 143,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export class DagwrightError extends Error {
  readonly exitCode: ExitCodeValue;

  constructor(message: string, exitCode: ExitCodeValue, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.exitCode = exitCode;
  }
}

/** Bad command line, bad config, a module that does not load. Exit code 2. */
export class UsageError extends DagwrightError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, ExitCode.usage, options);
  }
}

/** A parameter value that is missing, unknown or does not parse. Exit code 2. */
export class ParameterError extends UsageError {}

/** A required parameter was not given; `parameter` names it (the CLI suggests its flag). */
export class MissingParameterError extends ParameterError {
  readonly parameter: string;

  constructor(message: string, parameter: string) {
    super(message);
    this.parameter = parameter;
  }
}

/** An artifact path that would leave its folder, or is otherwise unusable. Exit code 2. */
export class UnsafePathError extends UsageError {}

/** Raised by a write onto an artifact that already exists; nothing was changed. */
export class ArtifactExistsError extends DagwrightError {
  readonly uri: string;

  constructor(uri: string) {
    super(
      `artifact already exists: ${uri} (artifacts are append-only; write under a new name or delete it by hand)`,
      ExitCode.taskFailed,
    );
    this.uri = uri;
  }
}

/** A cycle, or an exception in `requires()`, `output()` or `complete()`. Exit code 5. */
export class SchedulingError extends DagwrightError {
  /** The id of the task being planned when it happened, if any. */
  readonly taskId: string | undefined;

  constructor(message: string, taskId?: string, options?: ErrorOptions) {
    super(message, ExitCode.scheduling, options);
    this.taskId = taskId;
  }
}

/** The message of anything thrown, without its stack. */
export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
