/**
 * Where each task runs: its own `executor` field, else the executor configured for its family,
 * else the run's default (`--executor`). Executors are made on first use, so a run that never
 * needs Docker never talks to dockerd.
 */
import { UsageError } from '../errors.js';
import type { Task } from '../task.js';
import type { ExecutionContext, Executor } from './executor.js';

export interface Routes {
  /** Executor name for tasks that name none. Default 'local'. */
  readonly default?: string;
  /** Executor name per task family, e.g. `{ TrainModel: 'docker' }`. */
  readonly byFamily?: Readonly<Record<string, string>>;
  /** The executors by name; a function makes one on first use. */
  readonly executors: Readonly<Record<string, Executor | (() => Executor | Promise<Executor>)>>;
}

export function routeExecutors(routes: Routes): Executor {
  const made = new Map<string, Promise<Executor>>();
  const get = (name: string, task: Task): Promise<Executor> => {
    let executor = made.get(name);
    if (!executor) {
      const entry = routes.executors[name];
      if (entry === undefined)
        throw new UsageError(
          `${task.id}: unknown executor '${name}'; known: ${Object.keys(routes.executors).join(', ')}`,
        );
      executor = Promise.resolve(typeof entry === 'function' ? entry() : entry);
      made.set(name, executor);
    }
    return executor;
  };
  const nameFor = (task: Task): string =>
    task.executor ?? routes.byFamily?.[task.family] ?? routes.default ?? 'local';
  return {
    name: routes.default ?? 'local',
    async execute(task: Task, context: ExecutionContext): Promise<void> {
      return (await get(nameFor(task), task)).execute(task, context);
    },
    async check(tasks: readonly Task[]): Promise<void> {
      const byName = new Map<string, Task[]>();
      for (const task of tasks) {
        const name = nameFor(task);
        const list = byName.get(name);
        if (list) list.push(task);
        else byName.set(name, [task]);
      }
      for (const [name, list] of byName) await (await get(name, list[0]!)).check?.(list);
    },
  };
}
