/** Scalar and composite parameter kinds: CLI parsing, coercion, canonical form, validation. */
import { describe, expect, it } from 'vitest';
import { thrown } from '../helpers/thrown.js';
import { z } from 'zod';
import { ParameterError, ParamValueError, Task, p } from '../../src/index.js';

describe('p.string', () => {
  const s = p.string();

  it('parses and coerces plain text unchanged', () => {
    expect(s.parse('de')).toBe('de');
    expect(s.coerce('Hello, world=1')).toBe('Hello, world=1');
    expect(s.serialize('de')).toBe('de');
  });

  it.each(['a/b', '/abs', 'a\\b', '.', '..'])('rejects %j by default', (value) => {
    expect(() => s.parse(value)).toThrow(ParamValueError);
    expect(() => s.coerce(value)).toThrow(ParamValueError);
  });

  it('still accepts dots that are not a whole "." or ".." value', () => {
    expect(s.parse('v1.2')).toBe('v1.2');
    expect(s.parse('...')).toBe('...');
    expect(s.parse('.hidden')).toBe('.hidden');
  });

  it.each(['a\nb', 'a\u0000b', 'tab\there', 'del\u007f', '\r'])(
    'rejects control characters in %j, even with pathSafe: false',
    (value) => {
      expect(() => s.parse(value)).toThrow(ParamValueError);
      expect(() => p.string({ pathSafe: false }).parse(value)).toThrow(ParamValueError);
    },
  );

  it('pathSafe: false allows slashes, backslashes and dot segments', () => {
    const loose = p.string({ pathSafe: false });
    for (const value of ['a/b', '../up', '.', '..', 'a\\b']) {
      expect(loose.parse(value)).toBe(value);
      expect(loose.coerce(value)).toBe(value);
    }
  });

  it('rejects non-strings when coercing', () => {
    expect(() => s.coerce(12)).toThrow(ParamValueError);
    expect(() => s.coerce(null)).toThrow(ParamValueError);
  });

  it('a pattern must match the whole value', () => {
    const code = p.string({ pattern: /[a-z]{2}/ });
    expect(code.parse('de')).toBe('de');
    expect(() => code.parse('deu')).toThrow(ParamValueError);
    expect(() => code.parse('xde')).toThrow(ParamValueError);
    expect(() => code.parse('DE')).toThrow(ParamValueError);
    const global = p.string({ pattern: /[a-z]+/g });
    expect(global.parse('abc')).toBe('abc');
    expect(global.parse('abc')).toBe('abc');
  });
});

describe('p.int', () => {
  const i = p.int();

  it.each([
    ['42', 42],
    ['-7', -7],
    ['+3', 3],
    ['007', 7],
  ])('parses %j as %d', (text, value) => {
    expect(i.parse(text)).toBe(value);
  });

  it.each(['1.5', '1e3', 'abc', '', ' 1', '0x10', '9007199254740993'])('rejects %j', (text) => {
    expect(() => i.parse(text)).toThrow(ParamValueError);
  });

  it('coerces integers and rejects other values', () => {
    expect(i.coerce(3)).toBe(3);
    for (const bad of [1.5, '3', NaN, Infinity, 2 ** 60, true]) {
      expect(() => i.coerce(bad)).toThrow(ParamValueError);
    }
  });

  it('serializes -0 as 0', () => {
    expect(i.serialize(i.parse('-0'))).toBe('0');
    expect(i.serialize(i.coerce(-0))).toBe('0');
  });

  it('min and max are inclusive, for both parse and coerce', () => {
    const bounded = p.int({ min: 1, max: 10 });
    expect(bounded.coerce(1)).toBe(1);
    expect(bounded.coerce(10)).toBe(10);
    expect(() => bounded.coerce(0)).toThrow(ParamValueError);
    expect(() => bounded.coerce(11)).toThrow(ParamValueError);
    expect(() => bounded.parse('0')).toThrow(/minimum 1/);
    expect(() => bounded.parse('11')).toThrow(/maximum 10/);
  });
});

describe('p.float', () => {
  const f = p.float();

  it.each([
    ['0.1', 0.1],
    ['.5', 0.5],
    ['5.', 5],
    ['1e-3', 0.001],
    ['-2.5E2', -250],
    ['+1', 1],
  ])('parses %j as %d', (text, value) => {
    expect(f.parse(text)).toBe(value);
  });

  it.each(['NaN', 'Infinity', '-Infinity', '1e400', '0x10', '', '1,5', 'abc', '1.2.3'])(
    'rejects %j',
    (text) => {
      expect(() => f.parse(text)).toThrow(ParamValueError);
    },
  );

  it('rejects non-finite and non-number values when coercing', () => {
    for (const bad of [NaN, Infinity, -Infinity, '0.1', null]) {
      expect(() => f.coerce(bad)).toThrow(ParamValueError);
    }
  });

  it('serializes -0 as 0, from the CLI and from constructors', () => {
    expect(f.serialize(f.coerce(-0))).toBe('0');
    expect(f.serialize(f.parse('-0'))).toBe('0');
    expect(f.serialize(f.parse('-0.0'))).toBe('0');
    expect(Object.is(f.coerce(-0), 0)).toBe(true);
  });

  it('serializes the shortest form that reads back to the same number', () => {
    expect(f.serialize(0.1)).toBe('0.1');
    expect(f.serialize(1)).toBe('1');
    expect(f.serialize(f.parse('1.0'))).toBe('1');
    expect(f.serialize(f.parse('1e3'))).toBe('1000');
    const sum = 0.1 + 0.2;
    expect(f.serialize(sum)).toBe('0.30000000000000004');
    expect(f.parse(f.serialize(sum))).toBe(sum);
    expect(f.parse(f.serialize(1e21))).toBe(1e21);
    expect(f.parse(f.serialize(5e-324))).toBe(5e-324);
  });

  it('min and max are inclusive', () => {
    const rate = p.float({ min: 0, max: 1 });
    expect(rate.coerce(0)).toBe(0);
    expect(rate.coerce(1)).toBe(1);
    expect(() => rate.coerce(-0.001)).toThrow(ParamValueError);
    expect(() => rate.parse('1.0001')).toThrow(ParamValueError);
  });
});

describe('p.bool', () => {
  const b = p.bool();

  it('parses true and false in any case', () => {
    expect(b.parse('true')).toBe(true);
    expect(b.parse('True')).toBe(true);
    expect(b.parse('FALSE')).toBe(false);
  });

  it.each(['yes', '1', '0', '', 'on', 't'])('rejects %j', (text) => {
    expect(() => b.parse(text)).toThrow(ParamValueError);
  });

  it('coerces only booleans and serializes as true/false', () => {
    expect(b.coerce(false)).toBe(false);
    expect(() => b.coerce('true')).toThrow(ParamValueError);
    expect(() => b.coerce(1)).toThrow(ParamValueError);
    expect(b.serialize(true)).toBe('true');
    expect(b.serialize(false)).toBe('false');
  });
});

describe('p.enum', () => {
  const size = p.enum(['small', 'large']);

  it('accepts the declared values only', () => {
    expect(size.parse('small')).toBe('small');
    expect(size.coerce('large')).toBe('large');
    expect(size.serialize('large')).toBe('large');
    expect(() => size.parse('medium')).toThrow(ParamValueError);
    expect(() => size.parse('Small')).toThrow(ParamValueError);
    expect(() => size.coerce(0)).toThrow(ParamValueError);
  });

  it('lists the allowed values in the error and type name', () => {
    expect(() => size.parse('medium')).toThrow(/small, large/);
    expect(size.typeName).toBe('small|large');
  });
});

describe('p.list', () => {
  const strings = p.list(p.string());
  const loose = p.list(p.string({ pathSafe: false }));
  const ints = p.list(p.int({ min: 0 }));

  it('parses comma-separated items, trimming spaces', () => {
    expect(strings.parse('de,fr,nl')).toEqual(['de', 'fr', 'nl']);
    expect(strings.parse(' de , fr ')).toEqual(['de', 'fr']);
    expect(ints.parse('1,2,3')).toEqual([1, 2, 3]);
    expect(strings.parse('')).toEqual([]);
  });

  it('parses a JSON array, where items may hold commas', () => {
    expect(strings.parse('["a,b","c"]')).toEqual(['a,b', 'c']);
    expect(ints.parse('[1, 2]')).toEqual([1, 2]);
    expect(() => strings.parse('[1,')).toThrow(ParamValueError);
  });

  it('checks each item with the item kind and names the bad item', () => {
    expect(() => ints.parse('1,x')).toThrow(/item 1/);
    expect(() => ints.parse('1,-1')).toThrow(/item 1/);
    expect(() => ints.coerce([0, 1.5])).toThrow(/item 1/);
    expect(() => strings.coerce(['ok', 'a/b'])).toThrow(ParamValueError);
  });

  it('rejects non-arrays when coercing', () => {
    expect(() => strings.coerce('de,fr')).toThrow(ParamValueError);
  });

  it('keeps order, and order is part of the canonical form', () => {
    expect(strings.serialize(strings.coerce(['b', 'a']))).toBe('b,a');
    expect(strings.serialize(['a', 'b'])).not.toBe(strings.serialize(['b', 'a']));
  });

  it('returns frozen arrays', () => {
    expect(Object.isFrozen(strings.coerce(['a']))).toBe(true);
    expect(Object.isFrozen(strings.parse('a,b'))).toBe(true);
  });

  it('escapes commas and backslashes so distinct lists serialize differently', () => {
    expect(loose.serialize(['a,b'])).not.toBe(loose.serialize(['a', 'b']));
    const lists: string[][] = [
      [],
      ['a,b'],
      ['a', 'b'],
      ['a\\', 'b'],
      ['a\\,b'],
      ['a\\\\', 'b'],
      ['a', ''],
      ['', 'a'],
      ['a,'],
      [','],
      ['', ''],
      ['\\'],
      ['\\,'],
      ['\\', ''],
    ];
    const forms = lists.map((value) => loose.serialize(loose.coerce(value)));
    expect(new Set(forms).size).toBe(lists.length);
  });

  it('an empty list and a list holding one empty string are different values', () => {
    expect(loose.serialize(loose.coerce(['']))).not.toBe(loose.serialize(loose.coerce([])));
  });

  it('serializes items with the item kind', () => {
    const dates = p.list(p.date());
    expect(dates.serialize(dates.parse('2024-01-01,2024-01-02'))).toBe('2024-01-01,2024-01-02');
    const floats = p.list(p.float());
    expect(floats.serialize(floats.coerce([-0, 0.5]))).toBe('0,0.5');
  });
});

describe('p.json', () => {
  const schema = z.object({ lr: z.number(), layers: z.array(z.number()) });
  const hyper = p.json(schema);

  it('parses JSON text checked by the schema', () => {
    expect(hyper.parse('{"lr":0.1,"layers":[64,32]}')).toEqual({ lr: 0.1, layers: [64, 32] });
  });

  it('serializes with sorted keys, at every depth', () => {
    expect(hyper.serialize(hyper.coerce({ lr: 0.1, layers: [1, 2] }))).toBe(
      '{"layers":[1,2],"lr":0.1}',
    );
    const any = p.json(z.any());
    expect(any.serialize({ b: 1, a: { d: 2, c: 3 } })).toBe('{"a":{"c":3,"d":2},"b":1}');
    expect(any.serialize({ b: 2, a: 1 })).toBe(any.serialize({ a: 1, b: 2 }));
  });

  it('rejects text that is not JSON', () => {
    expect(() => hyper.parse('{lr: 0.1}')).toThrow(/not valid JSON/);
  });

  it('rejects values the schema refuses, naming where', () => {
    const error = thrown(() => hyper.coerce({ lr: 'fast', layers: [] }));
    expect(error).toBeInstanceOf(ParamValueError);
    expect(error.message).toContain('lr');
    expect(() => hyper.parse('{"lr":1}')).toThrow(/layers/);
  });
});

describe('parameter options', () => {
  it('records description and significance; significant by default', () => {
    const plain = p.int();
    const quiet = p.bool({ significant: false, description: 'log more' });
    expect(plain.significant).toBe(true);
    expect(quiet.significant).toBe(false);
    expect(quiet.description).toBe('log more');
  });

  it('coerces defaults when declared', () => {
    const depth = p.int({ default: 6 });
    expect(depth.hasDefault).toBe(true);
    expect(depth.defaultValue).toBe(6);
    expect(p.int().hasDefault).toBe(false);
    expect(p.int({ default: undefined }).hasDefault).toBe(false);
    const start = p.date({ default: '2024-01-01' });
    expect(start.serialize(start.defaultValue!)).toBe('2024-01-01');
  });

  it('rejects a default that breaks the declared rules', () => {
    expect(() => p.int({ default: 0, min: 1 })).toThrow(ParamValueError);
    expect(() => p.string({ default: 'a/b' })).toThrow(ParamValueError);
    expect(() => p.enum(['a', 'b'], { default: 'c' as 'a' })).toThrow(ParamValueError);
  });
});

class Train extends Task.with({
  name: p.string({ default: 'base' }),
  depth: p.int({ default: 6, min: 1 }),
  learningRate: p.float({ default: 0.1 }),
  verbose: p.bool({ default: false }),
  size: p.enum(['small', 'large'], { default: 'small' }),
  countries: p.list(p.string(), { default: ['de'] }),
  hyper: p.json(z.object({ lr: z.number() }), { default: { lr: 1 } }),
}) {}

describe('values on a task', () => {
  it('uses defaults for parameters not passed', () => {
    const task = new Train();
    expect(task.depth).toBe(6);
    expect(task.name).toBe('base');
    expect(task.countries).toEqual(['de']);
    expect(task.hyper).toEqual({ lr: 1 });
  });

  it('coerces constructor values', () => {
    const task = new Train({ depth: 3, countries: ['fr', 'nl'], learningRate: -0 });
    expect(task.depth).toBe(3);
    expect(task.countries).toEqual(['fr', 'nl']);
    expect(task.canonicalParams.learningRate).toBe('0');
  });

  it('json values with keys in another order are the same task', () => {
    class Fit extends Task.with({ config: p.json(z.record(z.string(), z.number())) }) {}
    expect(new Fit({ config: { a: 1, b: 2 } })).toBe(new Fit({ config: { b: 2, a: 1 } }));
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['depth', { depth: 0 }, '0'],
    ['depth', { depth: 2.5 }, '2.5'],
    ['name', { name: 'a/b' }, 'a/b'],
    ['learningRate', { learningRate: 'fast' }, 'fast'],
    ['verbose', { verbose: 'yes' }, 'yes'],
    ['size', { size: 'medium' }, 'medium'],
    ['countries', { countries: ['de', 'x/y'] }, 'x/y'],
    ['hyper', { hyper: { lr: 'high' } }, 'high'],
  ])(
    'a bad %s gives a ParameterError naming the task, the parameter and the value',
    (name, args, shown) => {
      const error = thrown(() => new Train(args as never));
      expect(error).toBeInstanceOf(ParameterError);
      expect(error.message).toContain('Train');
      expect(error.message).toContain(name);
      expect(error.message).toContain(shown);
    },
  );

  it.each([NaN, Infinity])('a non-finite float (%d) is named as such in the error', (value) => {
    const error = thrown(() => new Train({ learningRate: value }));
    expect(error).toBeInstanceOf(ParameterError);
    expect(error.message).toContain('learningRate');
    expect(error.message).toContain(String(value));
  });

  it('ParameterError is a usage error (exit code 2)', () => {
    const error = thrown(() => new Train({ depth: 0 })) as ParameterError;
    expect(error.exitCode).toBe(2);
  });
});

describe('round trip through the canonical form', () => {
  it.each<[string, { parse(t: string): unknown; serialize(v: never): string }, string]>([
    ['string', p.string(), 'de'],
    ['int', p.int(), '-42'],
    ['float', p.float(), '0.30000000000000004'],
    ['bool', p.bool(), 'false'],
    ['enum', p.enum(['x', 'y']), 'y'],
    ['date', p.date(), '2024-02-29'],
    ['month', p.month(), '2024-12'],
    ['dateHour', p.dateHour(), '2024-05-17T08'],
    ['dateMinute', p.dateMinute(), '2024-05-17T0830'],
    ['dateInterval', p.dateInterval(), '2024-W05'],
    ['duration', p.duration(), 'PT1H30M'],
    ['list', p.list(p.int()), '3,1,2'],
    ['json', p.json(z.any()), '{"a":[1,{"b":null}],"z":"q"}'],
  ])('%s: parse(serialize(x)) gives x back', (_kind, param, text) => {
    const value = param.parse(text);
    expect(param.serialize(value as never)).toBe(text);
    expect(param.serialize(param.parse(param.serialize(value as never)) as never)).toBe(text);
  });
});
