/** How a task's work gets done: in this process, as a child process, in Docker, on Nomad. */
import type { RunContext, Task } from '../task.js';

export interface ExecutionContext extends RunContext {
  /** The task's log file; a CommandTask's stdout and stderr go here. */
  readonly logPath: string;
}

export interface Executor {
  readonly name: string;
  /** Does the work of one attempt; resolves when it succeeded, rejects when it failed. */
  execute(task: Task, context: ExecutionContext): Promise<void>;
  /**
   * Called with every task the run will hand it, before the first one starts: throws a
   * UsageError for a task it cannot run as configured, so nothing is started in vain.
   */
  check?(tasks: readonly Task[]): Promise<void>;
}
