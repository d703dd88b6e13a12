/** Range: identity, partitions as requirements, bad families, and a run over the missing ones. */
import { describe, expect, it, vi } from 'vitest';
import { thrown } from '../helpers/thrown.js';
import { useWorkdir } from '../helpers/workdir.js';
import {
  MemoryTarget,
  Range,
  Task,
  Temporal,
  UsageError,
  WrapperTask,
  p,
  plan,
  run,
  type RunEvent,
} from '../../src/index.js';
import { memoryStore } from '../../src/targets/memory.js';

class TrainFeatures extends Task.with({ date: p.date(), country: p.string({ default: 'de' }) }) {
  override output() {
    return new MemoryTarget(`features/${this.paramPath()}`);
  }
  override async run() {
    await this.output().write('ok');
  }
}

class HourlyCounts extends Task.with({ hour: p.dateHour(), source: p.string() }) {}
class Compare extends Task.with({ start: p.date(), end: p.date() }) {}
class Plain extends Task.with({ name: p.string() }) {}

const ids = (range: Range): string[] => (range.requires() as Task[]).map((task) => task.id);

describe('Range.of', () => {
  it('is a wrapper task with a stable id over canonical values', () => {
    const range = Range.of(TrainFeatures, {
      from: '2024-01-01',
      to: '2024-02-01',
      params: { country: 'de' },
    });
    expect(range).toBeInstanceOf(WrapperTask);
    expect(range.id).toBe(
      'Range(of=TrainFeatures, param=date, from=2024-01-01, to=2024-02-01, every=day, tz=UTC, reverse=false, ofParams={"country":"de"})',
    );
    const same = Range.of(TrainFeatures, {
      param: 'date',
      from: Temporal.PlainDate.from('2024-01-01'),
      to: '2024-02-01',
      params: { country: 'de' },
    });
    expect(same).toBe(range);
    expect(same.hash).toBe(range.hash);
  });

  it('requires one task per partition, oldest first', () => {
    const range = Range.of(TrainFeatures, {
      from: '2024-02-28',
      to: '2024-03-02',
      params: { country: 'fr' },
    });
    expect(ids(range)).toEqual([
      'TrainFeatures(date=2024-02-28, country=fr)',
      'TrainFeatures(date=2024-02-29, country=fr)',
      'TrainFeatures(date=2024-03-01, country=fr)',
    ]);
  });

  it('reverses: newest first', () => {
    const range = Range.of(TrainFeatures, {
      from: '2024-01-29',
      to: '2024-02-01',
      reverse: true,
    });
    expect(ids(range)).toEqual([
      'TrainFeatures(date=2024-01-31, country=de)',
      'TrainFeatures(date=2024-01-30, country=de)',
      'TrainFeatures(date=2024-01-29, country=de)',
    ]);
  });

  it('ranges over hours and cron ticks', () => {
    const hourly = Range.of(HourlyCounts, {
      from: '2024-01-01T22',
      to: '2024-01-02T01',
      params: { source: 'web' },
    });
    expect(ids(hourly)).toEqual([
      'HourlyCounts(hour=2024-01-01T22, source=web)',
      'HourlyCounts(hour=2024-01-01T23, source=web)',
      'HourlyCounts(hour=2024-01-02T00, source=web)',
    ]);
    const weekdays = Range.of(TrainFeatures, {
      from: '2024-01-05',
      to: '2024-01-09',
      every: '0 6 * * 1-5',
      tz: 'Europe/Berlin',
    });
    expect(weekdays.id).toContain('every=0 6 * * 1-5, tz=Europe/Berlin');
    expect(ids(weekdays)).toEqual([
      'TrainFeatures(date=2024-01-05, country=de)',
      'TrainFeatures(date=2024-01-08, country=de)',
    ]);
  });

  it('names what is wrong with the family or the options', () => {
    const message = (fn: () => unknown): string => {
      const error = thrown(fn);
      expect(error).toBeInstanceOf(UsageError);
      return error.message;
    };
    expect(message(() => Range.of(Plain, { from: '2024-01-01', to: '2024-01-02' }))).toBe(
      'Range of Plain: it has no date, month, dateHour or dateMinute parameter to range over',
    );
    expect(message(() => Range.of(Compare, { from: '2024-01-01', to: '2024-01-02' }))).toBe(
      'Range of Compare: several time parameters (start, end); choose one with param',
    );
    expect(message(() => Range.of(HourlyCounts, { param: 'source', from: 'a', to: 'b' }))).toBe(
      'Range of HourlyCounts: "source" is not a time parameter of it (candidates: hour)',
    );
    expect(
      message(() =>
        Range.of(TrainFeatures, {
          from: '2024-01-01',
          to: '2024-01-02',
          params: { date: '2024-01-01' },
        }),
      ),
    ).toBe(
      'Range of TrainFeatures: date is the parameter ranged over; give it as from/to, not in params',
    );
    expect(
      message(() =>
        Range.of(TrainFeatures, {
          from: '2024-01-01',
          to: '2024-01-02',
          params: { contry: 'de' } as never,
        }),
      ),
    ).toBe('Range of TrainFeatures: unknown parameter "contry" in params; known: date, country');
    expect(message(() => Range.of(TrainFeatures, { from: 'soon', to: '2024-01-02' }))).toBe(
      'Range of TrainFeatures: from: expected a date YYYY-MM-DD, got "soon"',
    );
  });
});

describe('Range planning and running', () => {
  useWorkdir();

  const thirtyDays = (): Range =>
    Range.of(TrainFeatures, { from: '2024-01-01', to: '2024-01-31', params: { country: 'de' } });

  /** All 30 dailies present except Jan 5, Jan 17 and Jan 29. */
  const presentExceptThree = async (range: Range): Promise<void> => {
    const missing = new Set(['2024-01-05', '2024-01-17', '2024-01-29']);
    for (const task of range.requires() as TrainFeatures[]) {
      if (!missing.has(task.date.toString())) await task.output().write('ok');
    }
  };

  it('decides the 30 partitions with one bulk check, never one per partition', async () => {
    const range = thirtyDays();
    await presentExceptThree(range);
    const bulk = vi.spyOn(memoryStore, 'existsMany');
    const single = vi.spyOn(MemoryTarget.prototype, 'exists');
    try {
      const thePlan = await plan([range]);
      expect(bulk).toHaveBeenCalledTimes(1);
      expect(bulk.mock.calls[0]![0]).toHaveLength(30);
      expect(single).not.toHaveBeenCalled();
      const pending = thePlan.nodes.filter((node) => node.status === 'pending');
      expect(pending.map((node) => node.task.id)).toEqual([
        range.id,
        'TrainFeatures(date=2024-01-05, country=de)',
        'TrainFeatures(date=2024-01-17, country=de)',
        'TrainFeatures(date=2024-01-29, country=de)',
      ]);
    } finally {
      bulk.mockRestore();
      single.mockRestore();
    }
  });

  it('runs exactly the 3 missing partitions, oldest first with one worker', async () => {
    const range = thirtyDays();
    await presentExceptThree(range);
    const started: string[] = [];
    const onEvent = (event: RunEvent): void => {
      if (event.type === 'started') started.push(event.task.id);
    };
    const result = await run(range, { workers: 1, onEvent });
    expect(result.status).toBe('success');
    expect(started).toEqual([
      'TrainFeatures(date=2024-01-05, country=de)',
      'TrainFeatures(date=2024-01-17, country=de)',
      'TrainFeatures(date=2024-01-29, country=de)',
    ]);
    const statuses = new Map(result.tasks.map((task) => [task.id, task.status]));
    expect(statuses.get(range.id)).toBe('succeeded');
    expect([...statuses.values()].filter((status) => status === 'succeeded')).toHaveLength(4);
    expect(await range.complete()).toBe(true);
  });

  it('runs them newest first with reverse', async () => {
    const range = Range.of(TrainFeatures, {
      from: '2024-01-01',
      to: '2024-01-31',
      reverse: true,
    });
    await presentExceptThree(range);
    const started: string[] = [];
    await run(range, {
      workers: 1,
      onEvent: (event) => event.type === 'started' && started.push(event.task.id),
    });
    expect(started).toEqual([
      'TrainFeatures(date=2024-01-29, country=de)',
      'TrainFeatures(date=2024-01-17, country=de)',
      'TrainFeatures(date=2024-01-05, country=de)',
    ]);
  });
});
