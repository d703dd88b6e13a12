/** The local executor: plain tasks run in this process, CommandTasks as child processes. */
import { CommandTask, type Task } from '../task.js';
import { runCommand } from './command.js';
import type { ExecutionContext, Executor } from './executor.js';

export const localExecutor: Executor = {
  name: 'local',
  async execute(task: Task, context: ExecutionContext): Promise<void> {
    if (task instanceof CommandTask) return runCommand(task, context);
    await task.run(context);
  },
};
