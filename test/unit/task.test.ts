/** Task construction: instance sharing, argument checks, Task.with, family, clone. */
import { afterEach, describe, expect, it } from 'vitest';
import { thrown } from '../helpers/thrown.js';
import {
  ExternalTask,
  MemoryTarget,
  ParameterError,
  Task,
  Temporal,
  WrapperTask,
  p,
} from '../../src/index.js';

class Counter extends Task.with({ i: p.int() }) {}

class Features extends Task.with({
  date: p.date(),
  country: p.string({ default: 'de' }),
  verbose: p.bool({ default: false, significant: false }),
}) {}

class Train extends Task.with({
  date: p.date(),
  country: p.string({ default: 'de' }),
  learningRate: p.float({ default: 0.1 }),
  depth: p.int({ default: 6, min: 1 }),
}) {}

describe('instances', () => {
  it('equal parameters give the same object', () => {
    expect(new Counter({ i: 1 })).toBe(new Counter({ i: 1 }));
    expect(new Counter({ i: 1 })).not.toBe(new Counter({ i: 2 }));
  });

  it('equal values in different forms give the same object', () => {
    const fromText = new Features({ date: '2024-01-01' });
    const fromObject = new Features({ date: Temporal.PlainDate.from('2024-01-01'), country: 'de' });
    expect(fromObject).toBe(fromText);
  });

  it('different insignificant values give different objects with the same id', () => {
    const quiet = new Features({ date: '2024-01-01', verbose: false });
    const loud = new Features({ date: '2024-01-01', verbose: true });
    expect(loud).not.toBe(quiet);
    expect(loud.id).toBe(quiet.id);
    expect(loud.verbose).toBe(true);
    expect(quiet.verbose).toBe(false);
    expect(new Features({ date: '2024-01-01', verbose: true })).toBe(loud);
  });

  it('exposes coerced parameter values as fields', () => {
    const task = new Train({ date: '2024-03-01', depth: 8 });
    expect(task.date).toBeInstanceOf(Temporal.PlainDate);
    expect(task.date.toString()).toBe('2024-03-01');
    expect(task.country).toBe('de');
    expect(task.learningRate).toBe(0.1);
    expect(task.depth).toBe(8);
    expect(task.family).toBe('Train');
  });

  it('the same id in two classes of different families is two tasks', () => {
    class A extends Task.with({ i: p.int() }) {}
    class B extends Task.with({ i: p.int() }) {}
    expect(new A({ i: 1 })).not.toBe(new B({ i: 1 }));
  });
});

describe('constructor arguments', () => {
  it('an unknown parameter is a ParameterError with a "did you mean"', () => {
    const error = thrown(() => new Train({ date: '2024-01-01', contry: 'fr' } as never));
    expect(error).toBeInstanceOf(ParameterError);
    expect(error.message).toContain('Train');
    expect(error.message).toContain('contry');
    expect(error.message).toContain("did you mean 'country'");
  });

  it('suggests across case differences', () => {
    const error = thrown(() => new Train({ date: '2024-01-01', learningrate: 1 } as never));
    expect(error.message).toContain("did you mean 'learningRate'");
  });

  it('gives no suggestion when nothing is close, but lists the known names', () => {
    const error = thrown(() => new Train({ date: '2024-01-01', zzzzzzzz: 1 } as never));
    expect(error).toBeInstanceOf(ParameterError);
    expect(error.message).not.toContain('did you mean');
    expect(error.message).toContain('date, country, learningRate, depth');
  });

  it('a missing required parameter is a ParameterError naming it and its type', () => {
    const error = thrown(() => new Train({} as never));
    expect(error).toBeInstanceOf(ParameterError);
    expect(error.message).toContain('Train');
    expect(error.message).toContain("'date'");
    expect(error.message).toContain('YYYY-MM-DD');
  });

  it('an explicit undefined counts as missing, or as the default', () => {
    expect(() => new Train({ date: undefined } as never)).toThrow(/missing required parameter/);
    expect(new Train({ date: '2024-01-01', depth: undefined }).depth).toBe(6);
  });

  it('a task with only defaults can be built without arguments', () => {
    class Defaults extends Task.with({ n: p.int({ default: 3 }) }) {}
    expect(new Defaults().n).toBe(3);
    expect(new Defaults()).toBe(new Defaults({ n: 3 }));
  });

  it('a task without parameters rejects any argument', () => {
    class Bare extends Task {}
    expect(new Bare()).toBe(new Bare());
    expect(() => new Bare({ x: 1 })).toThrow(/takes no parameters/);
  });
});

describe('Task.with', () => {
  it.each([
    'id',
    'run',
    'output',
    'requires',
    'input',
    'hash',
    'family',
    'paramPath',
    'complete',
    'clone',
    'toString',
    'constructor',
    'priority',
    'retries',
    'resources',
    'params',
    'hasOwnProperty',
  ])('rejects the reserved parameter name %j', (name) => {
    const error = thrown(() => Task.with({ [name]: p.string() }));
    expect(error).toBeInstanceOf(ParameterError);
    expect(error.message).toContain(name);
    expect(error.message).toMatch(/reserved/);
  });

  it.each(['my-param', '_x', '1st', 'a b', ''])('rejects the parameter name %j', (name) => {
    expect(() => Task.with({ [name]: p.string() })).toThrow(ParameterError);
  });

  it('rejects two names that map to the same command-line flag', () => {
    expect(() => Task.with({ learningRate: p.float(), learning_rate: p.float() })).toThrow(
      /--learning-rate/,
    );
  });

  it('chained .with() keeps the parent parameters, in order, before the new ones', () => {
    const Base = Task.with({ date: p.date(), country: p.string({ default: 'de' }) });
    class Child extends Base.with({ depth: p.int({ default: 2 }) }) {}
    const task = new Child({ date: '2024-01-01', depth: 4 });
    expect(task.id).toBe('Child(date=2024-01-01, country=de, depth=4)');
    expect(task.date.toString()).toBe('2024-01-01');
    expect(task.depth).toBe(4);
    expect(() => new Child({ depth: 4 } as never)).toThrow(/'date'/);
  });

  it('a subclass of a concrete task can add parameters', () => {
    class Grand extends Train.with({ seed: p.int({ default: 0 }) }) {}
    const task = new Grand({ date: '2024-01-01', seed: 7 });
    expect(task).toBeInstanceOf(Train);
    expect(task.id).toBe('Grand(date=2024-01-01, country=de, learningRate=0.1, depth=6, seed=7)');
  });

  it('chained .with() rejects a name whose flag clashes with a parent parameter', () => {
    const Base = Task.with({ learningRate: p.float({ default: 0.1 }) });
    expect(() => Base.with({ learning_rate: p.float({ default: 0.2 }) })).toThrow(ParameterError);
  });
});

describe('family', () => {
  it('is the class name by default', () => {
    expect(new Counter({ i: 5 }).family).toBe('Counter');
    expect(new Counter({ i: 5 }).id).toBe('Counter(i=5)');
  });

  it("static family = 'ns.Name' overrides it", () => {
    class Model extends Task.with({ i: p.int() }) {
      static override family = 'ml.Train';
    }
    const task = new Model({ i: 1 });
    expect(task.family).toBe('ml.Train');
    expect(task.id).toBe('ml.Train(i=1)');
    expect(task.hash).not.toBe(new Counter({ i: 1 }).hash);
  });

  it('a subclass does not inherit the explicit family of its parent', () => {
    class Parent extends Task.with({ i: p.int() }) {
      static override family = 'ns.Parent';
    }
    class Kid extends Parent {}
    expect(new Kid({ i: 1 }).family).toBe('Kid');
    expect(new Parent({ i: 1 }).family).toBe('ns.Parent');
  });

  it('an invalid family name is a ParameterError', () => {
    class Odd extends Task.with({ i: p.int() }) {
      static override family = 'has space';
    }
    expect(() => new Odd({ i: 1 })).toThrow(ParameterError);
  });

  it('names the family in parameter errors', () => {
    class Model extends Task.with({ depth: p.int({ min: 1 }) }) {
      static override family = 'ml.Model';
    }
    expect(() => new Model({ depth: 0 })).toThrow(/ml\.Model: parameter 'depth'/);
  });
});

describe('clone()', () => {
  class Evaluate extends Task.with({
    date: p.date(),
    country: p.string({ default: 'de' }),
    metric: p.string({ default: 'auc' }),
  }) {}

  it('copies the shared parameters into a task of another class', () => {
    const train = new Train({ date: '2024-02-02', country: 'fr', depth: 9 });
    const evaluate = train.clone(Evaluate);
    expect(evaluate).toBeInstanceOf(Evaluate);
    expect(evaluate.id).toBe('Evaluate(date=2024-02-02, country=fr, metric=auc)');
    expect(evaluate).toBe(new Evaluate({ date: '2024-02-02', country: 'fr' }));
  });

  it('applies overrides', () => {
    const train = new Train({ date: '2024-02-02', country: 'fr' });
    const evaluate = train.clone(Evaluate, { metric: 'f1', country: 'nl' });
    expect(evaluate.id).toBe('Evaluate(date=2024-02-02, country=nl, metric=f1)');
  });

  it('onto its own class gives the same task, or a sibling with overrides', () => {
    const train = new Train({ date: '2024-02-02' });
    expect(train.clone(Train)).toBe(train);
    const deeper = train.clone(Train, { depth: 12 });
    expect(deeper.depth).toBe(12);
    expect(deeper.date).toBe(train.date);
  });

  it('checks overrides like the constructor does', () => {
    const train = new Train({ date: '2024-02-02' });
    expect(() => train.clone(Train, { depth: 0 })).toThrow(ParameterError);
  });
});

describe('requires, input and complete', () => {
  afterEach(() => MemoryTarget.clear());

  class Source extends ExternalTask.with({ name: p.string() }) {
    override output() {
      return new MemoryTarget(`src/${this.name}`);
    }
  }

  class Join extends Task.with({ left: p.string(), right: p.string() }) {
    override requires() {
      return {
        left: new Source({ name: this.left }),
        right: new Source({ name: this.right }),
      };
    }
    override output() {
      return [new MemoryTarget(`join/${this.paramPath()}`), new MemoryTarget('join/log')];
    }
  }

  it('input() mirrors requires() with the outputs', () => {
    const join = new Join({ left: 'a', right: 'b' });
    const input = join.input();
    expect(input.left.uri).toBe('memory://src/a');
    expect(input.right.uri).toBe('memory://src/b');
  });

  it('complete() is true only when every output exists', async () => {
    const join = new Join({ left: 'a', right: 'b' });
    expect(await join.complete()).toBe(false);
    await new MemoryTarget('join/left=a/right=b').write('x');
    expect(await join.complete()).toBe(false);
    await new MemoryTarget('join/log').write('x');
    expect(await join.complete()).toBe(true);
  });

  it('a task without outputs is never complete', async () => {
    class NoOutput extends Task {}
    expect(await new NoOutput().complete()).toBe(false);
  });

  it('a WrapperTask is complete when all its requirements are', async () => {
    class All extends WrapperTask.with({ names: p.list(p.string()) }) {
      override requires() {
        return this.names.map((name) => new Source({ name }));
      }
    }
    const all = new All({ names: ['x', 'y'] });
    expect(await all.complete()).toBe(false);
    await new MemoryTarget('src/x').write('1');
    expect(await all.complete()).toBe(false);
    await new MemoryTarget('src/y').write('1');
    expect(await all.complete()).toBe(true);
  });

  it('an ExternalTask refuses to run', () => {
    const source = new Source({ name: 'a' });
    expect(() => source.run()).toThrow(/ExternalTask/);
  });
});
