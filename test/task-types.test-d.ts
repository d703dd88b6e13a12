import { describe, expectTypeOf, it } from 'vitest';
import {
  CommandTask,
  LocalTarget,
  MemoryTarget,
  Task,
  Temporal,
  WrapperTask,
  p,
  type DateInterval,
} from '../src/index.js';
import { z } from 'zod';

class Features extends Task.with({
  date: p.date(),
  country: p.string({ default: 'de' }),
}) {
  override output() {
    return new LocalTarget(`data/features/${this.paramPath()}/features.csv`);
  }
}

class Train extends Task.with({
  date: p.date(),
  country: p.string({ default: 'de' }),
  learningRate: p.float({ default: 0.1 }),
  depth: p.int({ default: 6, min: 1 }),
  verbose: p.bool({ default: false, significant: false }),
}) {
  override requires() {
    return { features: new Features({ date: this.date, country: this.country }) };
  }
  override output() {
    return { model: new LocalTarget('m.json'), metrics: new MemoryTarget('metrics') };
  }
}

class Many extends WrapperTask.with({ n: p.int({ default: 3 }) }) {
  override requires() {
    return [new Features({ date: '2024-01-01' }), new Features({ date: '2024-01-02' })];
  }
}

describe('Task.with', () => {
  it('infers parameter value types, readonly', () => {
    const train = new Train({ date: '2024-01-01' });
    expectTypeOf(train.date).toEqualTypeOf<Temporal.PlainDate>();
    expectTypeOf(train.country).toEqualTypeOf<string>();
    expectTypeOf(train.learningRate).toEqualTypeOf<number>();
    expectTypeOf(train.verbose).toEqualTypeOf<boolean>();
    // @ts-expect-error parameters are readonly
    train.depth = 3;
  });

  it('requires parameters without a default and checks argument types', () => {
    // @ts-expect-error date is required
    new Train({});
    // @ts-expect-error depth is an int
    new Train({ date: '2024-01-01', depth: 'deep' });
    // @ts-expect-error unknown parameter
    new Train({ date: '2024-01-01', lr: 0.1 });
    new Train({ date: Temporal.PlainDate.from('2024-01-01'), depth: 3 });
  });

  it('lets all-default tasks be built without arguments', () => {
    new Many();
    new Many({ n: 2 });
  });

  it('types input() from requires()', () => {
    const train = new Train({ date: '2024-01-01' });
    expectTypeOf(train.input().features).toEqualTypeOf<LocalTarget>();
    expectTypeOf(new Many().input()).toEqualTypeOf<LocalTarget[]>();
  });

  it('infers every kind', () => {
    class _Kinds extends Task.with({
      e: p.enum(['a', 'b']),
      m: p.month(),
      h: p.dateHour(),
      i: p.dateInterval(),
      d: p.duration(),
      l: p.list(p.int()),
      j: p.json(z.object({ alpha: z.number() })),
    }) {}
    type K = InstanceType<typeof _Kinds>;
    expectTypeOf<K['e']>().toEqualTypeOf<'a' | 'b'>();
    expectTypeOf<K['m']>().toEqualTypeOf<Temporal.PlainYearMonth>();
    expectTypeOf<K['h']>().toEqualTypeOf<Temporal.PlainDateTime>();
    expectTypeOf<K['i']>().toEqualTypeOf<DateInterval>();
    expectTypeOf<K['d']>().toEqualTypeOf<Temporal.Duration>();
    expectTypeOf<K['l']>().toEqualTypeOf<readonly number[]>();
    expectTypeOf<K['j']>().toEqualTypeOf<{ alpha: number }>();
  });

  it('types the staged outputs of a CommandTask', () => {
    class Cmd extends CommandTask.with({ n: p.int() }) {
      override output() {
        return { a: new LocalTarget('a'), b: new LocalTarget('b') };
      }
      command(staged: { a: { path: string }; b: { path: string } }) {
        return ['cp', staged.a.path, staged.b.path];
      }
    }
    expectTypeOf(new Cmd({ n: 1 }).n).toEqualTypeOf<number>();
  });

  it('chains with() and keeps the parent parameters', () => {
    class Tuned extends Train.with({ seed: p.int({ default: 0 }) }) {}
    const tuned = new Tuned({ date: '2024-01-01', seed: 3 });
    expectTypeOf(tuned.seed).toEqualTypeOf<number>();
    expectTypeOf(tuned.date).toEqualTypeOf<Temporal.PlainDate>();
    // @ts-expect-error date still required
    new Tuned({ seed: 1 });
  });
});
