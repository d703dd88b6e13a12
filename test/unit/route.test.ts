/** routeExecutors(): each task runs where its class, its family's config or the run says. */
import { describe, expect, it } from 'vitest';
import {
  MemoryTarget,
  Task,
  WrapperTask,
  routeExecutors,
  run,
  type Executor,
} from '../../src/index.js';

function recorder(name: string, log: string[]): Executor {
  return {
    name,
    async execute(task) {
      log.push(`${name}:${task.family}`);
      await task.run(undefined as never);
    },
  };
}

let n = 0;
function family(executor?: string) {
  const id = ++n;
  class Job extends Task {
    static override family = `Job${id}`;
    override output() {
      return new MemoryTarget(`route-${id}`);
    }
    override async run() {
      await this.output().write('done');
    }
  }
  if (executor) Job.prototype.executor = executor;
  return Job;
}

describe('routeExecutors()', () => {
  it('takes the task field first, then the family config, then the default', async () => {
    const log: string[] = [];
    const Fielded = family('docker');
    const Configured = family();
    const Plain = family();
    const executor = routeExecutors({
      default: 'local',
      byFamily: { [new Configured().family]: 'docker', [new Fielded().family]: 'local' },
      executors: { local: recorder('local', log), docker: () => recorder('docker', log) },
    });
    const result = await run([new Fielded(), new Configured(), new Plain()], { executor });
    expect(result.status, JSON.stringify(result.tasks.map((t) => t.reason))).toBe('success');
    expect(log.sort()).toEqual(
      [
        `docker:${new Fielded().family}`,
        `docker:${new Configured().family}`,
        `local:${new Plain().family}`,
      ].sort(),
    );
  });

  it('makes a lazily given executor once, on first use only', async () => {
    let made = 0;
    const log: string[] = [];
    const executor = routeExecutors({
      default: 'local',
      executors: {
        local: recorder('local', log),
        docker: () => (made++, recorder('docker', log)),
      },
    });
    await run([new (family())(), new (family())()], { executor });
    expect(made).toBe(0);
    await run([new (family('docker'))(), new (family('docker'))()], { executor, workers: 2 });
    expect(made).toBe(1);
  });

  it('refuses a task that names an unknown executor before anything runs', async () => {
    const ran: string[] = [];
    const executor = routeExecutors({ executors: { local: recorder('local', ran) } });
    const task = new (family('kubernetes'))();
    await expect(run([new (family('local'))(), task], { executor })).rejects.toThrow(
      `${task.id}: unknown executor 'kubernetes'; known: local`,
    );
    expect(ran).toEqual([]);
  });

  it('asks each executor to check the tasks it will run, and never a plain wrapper', async () => {
    const checked: string[] = [];
    const ran: string[] = [];
    const checking: Executor = {
      ...recorder('docker', ran),
      async check(tasks) {
        checked.push(...tasks.map((task) => task.family));
      },
    };
    const Job = family('docker');
    class All extends WrapperTask {
      override requires() {
        return new Job();
      }
    }
    const executor = routeExecutors({ default: 'docker', executors: { docker: checking } });
    const result = await run(new All(), { executor });
    expect(result.status).toBe('success');
    expect(checked).toEqual([new Job().family]);
    expect(ran).toEqual([`docker:${new Job().family}`]);
  });
});
