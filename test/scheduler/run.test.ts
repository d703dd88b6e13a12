import { existsSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  ExternalTask,
  LocalTarget,
  MemoryTarget,
  SchedulingError,
  Task,
  WrapperTask,
  p,
  plan,
  run,
  type RunEvent,
} from '../../src/index.js';
import { useWorkdir } from '../helpers/workdir.js';

const work = useWorkdir();

/** Appends one line per execution, so tests can count runs. */
function record(name: string): void {
  mkdirSync('log', { recursive: true });
  writeFileSync('log/runs.txt', name + '\n', { flag: 'a' });
}
function runs(): string[] {
  return existsSync('log/runs.txt') ? readFileSync('log/runs.txt', 'utf8').trim().split('\n') : [];
}

class Source extends Task.with({ day: p.int() }) {
  override output() {
    return new LocalTarget(`data/source/${this.paramPath()}/source.txt`);
  }
  override async run() {
    record(this.id);
    await this.output().write(`source ${this.day}\n`);
  }
}

class Clean extends Task.with({ day: p.int() }) {
  override requires() {
    return new Source({ day: this.day });
  }
  override output() {
    return new LocalTarget(`data/clean/${this.paramPath()}/clean.txt`);
  }
  override async run() {
    record(this.id);
    await this.output().write((await this.input().readText()).toUpperCase());
  }
}

class Summary extends Task.with({ days: p.int({ default: 3 }) }) {
  override requires() {
    return Array.from({ length: this.days }, (_, day) => new Clean({ day }));
  }
  override output() {
    return new LocalTarget(`data/summary/${this.paramPath()}/summary.txt`);
  }
  override async run() {
    record(this.id);
    const parts = await Promise.all(this.input().map((target) => target.readText()));
    await this.output().write(parts.join(''));
  }
}

describe('run', () => {
  it('runs everything from a clean folder, in dependency order, and writes the artifacts', async () => {
    const events: RunEvent[] = [];
    const result = await run(new Summary(), { onEvent: (event) => events.push(event) });
    expect(result.status).toBe('success');
    expect(result.exitCode).toBe(0);
    expect(result.counts).toMatchObject({ total: 7, succeeded: 7, failed: 0 });
    expect(readFileSync(`${work.dir}/data/summary/days=3/summary.txt`, 'utf8')).toBe(
      'SOURCE 0\nSOURCE 1\nSOURCE 2\n',
    );
    const order = runs();
    for (let day = 0; day < 3; day++) {
      expect(order.indexOf(`Source(day=${day})`)).toBeLessThan(order.indexOf(`Clean(day=${day})`));
    }
    expect(order.at(-1)).toBe('Summary(days=3)');
    expect(events[0]!.type).toBe('planned');
    expect(events.at(-1)!.type).toBe('finished');
    expect(events.filter((event) => event.type === 'started')).toHaveLength(7);
  });

  it('does nothing on a second run', async () => {
    await run(new Summary());
    const second = await run(new Summary());
    expect(second.status).toBe('nothing_to_do');
    expect(second.counts.succeeded).toBe(0);
    expect(runs()).toHaveLength(7);
  });

  it('re-runs only what is missing below the requested root, never a complete task', async () => {
    await run(new Summary());
    rmSync('data/clean/day=1/clean.txt');
    // The root still exists: Luigi semantics, nothing runs.
    expect((await run(new Summary())).status).toBe('nothing_to_do');
    rmSync('data/summary/days=3/summary.txt');
    const result = await run(new Summary());
    expect(result.counts.succeeded).toBe(2);
    expect(runs().slice(7)).toEqual(['Clean(day=1)', 'Summary(days=3)']);
    expect(result.tasks.find((task) => task.id === 'Source(day=1)')!.status).toBe('complete');
  });

  it('reports each task with status, reason, attempts and output uris', async () => {
    const result = await run(new Clean({ day: 5 }));
    const report = result.tasks.find((task) => task.id === 'Clean(day=5)')!;
    expect(report).toMatchObject({
      family: 'Clean',
      params: { day: '5' },
      status: 'succeeded',
      attempts: 1,
    });
    expect(report.hash).toMatch(/^[0-9a-f]{16}$/);
    expect(report.outputs).toEqual([`file://${work.dir}/data/clean/day=5/clean.txt`]);
  });
});

let flakyFailures = 0;
class Flaky extends Task.with({ name: p.string() }) {
  override output() {
    return new MemoryTarget(`flaky-${this.name}`);
  }
  override async run() {
    record(this.id);
    if (flakyFailures-- > 0) throw new Error('transient');
    await this.output().write('ok');
  }
}

class Broken extends Task.with({ name: p.string() }) {
  // Ready at the same time as Independent; this makes it start first with one worker.
  override priority = 1;
  override output() {
    return new MemoryTarget(`broken-${this.name}`);
  }
  override run() {
    record(this.id);
    throw new Error(`boom ${this.name}`);
  }
}

class AfterBroken extends Task.with({ name: p.string() }) {
  override requires() {
    return new Broken({ name: this.name });
  }
  override output() {
    return new MemoryTarget(`after-${this.name}`);
  }
  override run() {
    record(this.id);
  }
}

class Independent extends Task.with({ name: p.string() }) {
  override output() {
    return new MemoryTarget(`independent-${this.name}`);
  }
  override async run() {
    await new Promise((resolve) => setTimeout(resolve, 20));
    record(this.id);
    await this.output().write('ok');
  }
}

class Both extends WrapperTask.with({ name: p.string() }) {
  override requires() {
    return [new AfterBroken({ name: this.name }), new Independent({ name: this.name })];
  }
}

describe('failures', () => {
  it('retries a failing task the configured number of times with backoff', async () => {
    flakyFailures = 2;
    const events: RunEvent[] = [];
    const result = await run(new Flaky({ name: 'a' }), {
      retries: 2,
      retryDelayMs: 5,
      onEvent: (e) => events.push(e),
    });
    expect(result.status).toBe('success');
    expect(runs()).toHaveLength(3);
    const retries = events.filter((e) => e.type === 'retrying');
    expect(retries.map((e) => e.type === 'retrying' && e.delayMs)).toEqual([5, 10]);
    expect(result.tasks[0]!.attempts).toBe(3);
  });

  it('fails after the retries, marks dependents upstream_failed, finishes independent branches, exit 1', async () => {
    const result = await run(new Both({ name: 'x' }), { retries: 2, retryDelayMs: 1, workers: 2 });
    expect(result.status).toBe('failed');
    expect(result.exitCode).toBe(1);
    expect(runs().filter((line) => line === 'Broken(name=x)')).toHaveLength(3);
    expect(runs()).not.toContain('AfterBroken(name=x)');
    const status = Object.fromEntries(result.tasks.map((task) => [task.family, task.status]));
    expect(status).toEqual({
      Broken: 'failed',
      AfterBroken: 'upstream_failed',
      Independent: 'succeeded',
      Both: 'upstream_failed',
    });
    expect(result.tasks.find((task) => task.family === 'Broken')!.reason).toBe('boom x');
  });

  it('with failFast starts nothing after the first failure', async () => {
    const result = await run(new Both({ name: 'y' }), { failFast: true, workers: 1 });
    expect(result.status).toBe('failed');
    expect(result.counts.not_run).toBe(1);
    expect(runs()).not.toContain('Independent(name=y)');
  });

  it('fails a task whose run() returns without writing its output', async () => {
    class Lazy extends Task.with({ n: p.int() }) {
      override output() {
        return new LocalTarget('data/lazy.txt');
      }
      override run() {}
    }
    const result = await run(new Lazy({ n: 1 }));
    expect(result.tasks[0]!.status).toBe('failed');
    expect(result.tasks[0]!.reason).toBe('finished but output missing: data/lazy.txt');
  });

  it('fails an attempt that exceeds its timeout and aborts its signal', async () => {
    let aborted = false;
    class Slow extends Task.with({ n: p.int() }) {
      override timeoutMs = 50;
      override output() {
        return new MemoryTarget('slow');
      }
      override async run(context: { signal: AbortSignal }) {
        context.signal.addEventListener('abort', () => (aborted = true));
        await new Promise((resolve) => setTimeout(resolve, 2000));
      }
    }
    const result = await run(new Slow({ n: 1 }));
    expect(result.tasks[0]!.reason).toBe('timed out after 50ms');
    expect(aborted).toBe(true);
  });
});

describe('scheduling', () => {
  it('never runs more tasks at once than a resource allows', async () => {
    let running = 0;
    let peak = 0;
    class UsesDb extends Task.with({ i: p.int() }) {
      override resources = { db: 1 };
      override output() {
        return new MemoryTarget(`db-${this.i}`);
      }
      override async run() {
        peak = Math.max(peak, ++running);
        await new Promise((resolve) => setTimeout(resolve, 10));
        running--;
        await this.output().write('x');
      }
    }
    class All extends WrapperTask.with({}) {
      override requires() {
        return Array.from({ length: 6 }, (_, i) => new UsesDb({ i }));
      }
    }
    const result = await run(new All(), { workers: 4 });
    expect(result.counts.succeeded).toBe(7);
    expect(peak).toBe(1);
    peak = 0;
    MemoryTarget.clear();
    await run(new All(), { workers: 4, resources: { db: 3 } });
    expect(peak).toBe(3);
  });

  it('starts higher priorities first, and raises the priority of what they need', async () => {
    class Job extends Task.with({
      name: p.string(),
      rank: p.int({ default: 0 }),
      needs: p.string({ default: '' }),
    }) {
      override priority = this.rank;
      override requires() {
        return this.needs ? new Job({ name: this.needs }) : undefined;
      }
      override output() {
        return new MemoryTarget(`job-${this.name}`);
      }
      override async run() {
        record(this.name);
        await this.output().write('x');
      }
    }
    class Jobs extends WrapperTask.with({}) {
      override requires() {
        return [
          new Job({ name: 'low' }),
          new Job({ name: 'high', rank: 5, needs: 'dep' }),
          new Job({ name: 'mid', rank: 2 }),
        ];
      }
    }
    await run(new Jobs(), { workers: 1 });
    expect(runs()).toEqual(['dep', 'high', 'mid', 'low']);
  });

  it('reports a missing external input, blocks its dependents, exit 3', async () => {
    class Raw extends ExternalTask.with({ day: p.int() }) {
      override output() {
        return new LocalTarget(`incoming/raw-${this.day}.csv`);
      }
    }
    class Load extends Task.with({ day: p.int() }) {
      override requires() {
        return new Raw({ day: this.day });
      }
      override output() {
        return new MemoryTarget(`load-${this.day}`);
      }
      override async run() {
        record('load');
        await this.output().write('loaded');
      }
    }
    const result = await run(new Load({ day: 1 }));
    expect(result.status).toBe('missing_external');
    expect(result.exitCode).toBe(3);
    expect(result.tasks.map((task) => [task.id, task.status, task.reason])).toEqual([
      ['Raw(day=1)', 'missing_external', 'missing input incoming/raw-1.csv'],
      ['Load(day=1)', 'upstream_missing', 'blocked: input Raw(day=1) is missing'],
    ]);
    expect(runs()).toEqual([]);
    mkdirSync('incoming');
    writeFileSync('incoming/raw-1.csv', 'a,b\n');
    expect((await run(new Load({ day: 1 }))).status).toBe('success');
  });

  it('waits for a task that another run holds, then finds it complete', async () => {
    class Shared extends Task.with({ n: p.int() }) {
      override output() {
        return new LocalTarget('data/shared.txt');
      }
      override async run() {
        record('shared');
        await new Promise((resolve) => setTimeout(resolve, 300));
        await this.output().write('x');
      }
    }
    const events: RunEvent[] = [];
    const [first, second] = await Promise.all([
      run(new Shared({ n: 1 })),
      new Promise((resolve) => setTimeout(resolve, 50)).then(() =>
        run(new Shared({ n: 1 }), { onEvent: (e) => events.push(e) }),
      ),
    ]);
    expect(runs()).toEqual(['shared']);
    expect(first.counts.succeeded).toBe(1);
    expect(second.tasks[0]!.status).toBe('complete');
    expect(second.tasks[0]!.reason).toBe('completed by another process');
    expect(events.map((e) => e.type)).toContain('running_elsewhere');
  });

  it('with wait: false gives up on a held task: running_elsewhere, exit 4', async () => {
    class Held extends Task.with({ n: p.int() }) {
      override output() {
        return new LocalTarget('data/held.txt');
      }
      override async run() {
        await new Promise((resolve) => setTimeout(resolve, 300));
        await this.output().write('x');
      }
    }
    const [, second] = await Promise.all([
      run(new Held({ n: 1 })),
      new Promise((resolve) => setTimeout(resolve, 50)).then(() =>
        run(new Held({ n: 1 }), { wait: false }),
      ),
    ]);
    expect(second.status).toBe('running_elsewhere');
    expect(second.exitCode).toBe(4);
  });

  it('stops starting tasks when its signal aborts, lets running ones finish', async () => {
    const stop = new AbortController();
    class Step extends Task.with({ i: p.int() }) {
      override output() {
        return new MemoryTarget(`step-${this.i}`);
      }
      override async run() {
        record(this.id);
        if (this.i === 0) stop.abort('SIGINT');
        await new Promise((resolve) => setTimeout(resolve, 20));
        await this.output().write('x');
      }
    }
    class Steps extends WrapperTask.with({}) {
      override requires() {
        return [0, 1, 2].map((i) => new Step({ i }));
      }
    }
    const result = await run(new Steps(), { signal: stop.signal, workers: 1 });
    expect(result.status).toBe('interrupted');
    expect(result.exitCode).toBe(130);
    expect(runs()).toEqual(['Step(i=0)']);
    expect(result.counts).toMatchObject({ succeeded: 1, not_run: 3 });
  });
});

describe('planning errors', () => {
  it('names the cycle', async () => {
    class Egg extends Task.with({ n: p.int() }) {
      override requires() {
        return new Chicken({ n: this.n });
      }
      override output() {
        return new MemoryTarget('egg');
      }
    }
    class Chicken extends Task.with({ n: p.int() }) {
      override requires() {
        return new Egg({ n: this.n });
      }
      override output() {
        return new MemoryTarget('chicken');
      }
    }
    await expect(plan([new Egg({ n: 1 })])).rejects.toThrow(
      new SchedulingError('dependency cycle: Egg(n=1) -> Chicken(n=1) -> Egg(n=1)'),
    );
  });

  it('reports an exception in requires(), output() or complete() with the task id', async () => {
    class BadRequires extends Task.with({ n: p.int() }) {
      override requires(): never {
        throw new Error('no config');
      }
      override output() {
        return new MemoryTarget('bad-requires');
      }
    }
    class BadComplete extends Task.with({ n: p.int() }) {
      override complete(): boolean {
        throw new Error('store down');
      }
    }
    await expect(plan([new BadRequires({ n: 1 })])).rejects.toThrow(
      'BadRequires(n=1): requires() threw: no config',
    );
    await expect(plan([new BadComplete({ n: 1 })])).rejects.toThrow(
      'BadComplete(n=1): complete() threw: store down',
    );
  });

  it('rejects a requirement that is not a task, and suggests wrapping a target', async () => {
    class Wrong extends Task.with({ n: p.int() }) {
      override requires() {
        return [new LocalTarget('x.csv')] as never;
      }
    }
    await expect(plan([new Wrong({ n: 1 })])).rejects.toThrow(
      'Wrong(n=1): requires() returned an instance of LocalTarget, which is not a task (wrap a target in an ExternalTask whose output() returns it)',
    );
  });

  it('calls custom complete() methods with bounded concurrency', async () => {
    let inFlight = 0;
    let peak = 0;
    class Remote extends Task.with({ i: p.int() }) {
      override async complete() {
        peak = Math.max(peak, ++inFlight);
        await new Promise((resolve) => setTimeout(resolve, 5));
        inFlight--;
        return true;
      }
    }
    class Remotes extends WrapperTask.with({}) {
      override requires() {
        return Array.from({ length: 200 }, (_, i) => new Remote({ i }));
      }
    }
    const thePlan = await plan([new Remotes()]);
    expect(thePlan.nodes.every((node) => node.status === 'complete')).toBe(true);
    expect(peak).toBe(32);
  });

  it('never expands the requirements of a complete task', async () => {
    let asked = 0;
    class Expensive extends Task.with({ n: p.int() }) {
      override requires() {
        asked++;
        return new Source({ day: 99 });
      }
      override output() {
        return new LocalTarget('data/expensive.txt');
      }
    }
    mkdirSync('data');
    writeFileSync('data/expensive.txt', 'done');
    const thePlan = await plan([new Expensive({ n: 1 })]);
    expect(asked).toBe(0);
    expect(thePlan.nodes).toHaveLength(1);
    expect(thePlan.nodes[0]!.status).toBe('complete');
  });
});
