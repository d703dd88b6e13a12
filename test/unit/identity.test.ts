/** Task identity: id, hash and paramPath(), and the path escaping under them. */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Task, p } from '../../src/index.js';
import { escapeSegment, taskHash } from '../../src/identity.js';

const hasControlChar = (text: string): boolean =>
  [...text].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);

class Features extends Task.with({
  date: p.date(),
  country: p.string({ default: 'de' }),
}) {}

class Train extends Task.with({ depth: p.int({ default: 6, min: 1 }) }) {}

class Namespaced extends Task.with({
  date: p.date(),
  learningRate: p.float({ default: 0.1 }),
  verbose: p.bool({ default: false, significant: false }),
}) {
  static override family = 'ml.Train';
}

/** Declared out of alphabetical order on purpose. */
class Ordered extends Task.with({
  zeta: p.int(),
  alpha: p.string(),
  workers: p.int({ default: 1, significant: false }),
  mid: p.bool({ default: true }),
}) {}

class Loose extends Task.with({
  a: p.string({ pathSafe: false }),
  b: p.string({ pathSafe: false, default: 'x' }),
}) {}

class Pair extends Task.with({ a: p.string(), b: p.string() }) {}

describe('task.id', () => {
  it('is Family(name=value, ...) over significant params in declaration order', () => {
    const task = new Ordered({ zeta: 3, alpha: 'q', workers: 8 });
    expect(task.id).toBe('Ordered(zeta=3, alpha=q, mid=true)');
    expect(String(task)).toBe(task.id);
  });

  it('uses canonical values', () => {
    expect(new Features({ date: '2024-01-01' }).id).toBe('Features(date=2024-01-01, country=de)');
    expect(new Namespaced({ date: '2024-01-01', learningRate: -0 }).id).toBe(
      'ml.Train(date=2024-01-01, learningRate=0)',
    );
  });

  it('is Family() for a task without parameters', () => {
    class Bare extends Task {}
    expect(new Bare().id).toBe('Bare()');
  });

  it('values holding ", " and "=" cannot make two different tasks share an id', () => {
    const first = new Pair({ a: 'x, b=y', b: 'z' });
    const second = new Pair({ a: 'x', b: 'y, b=z' });
    expect(second.a).toBe('x');
    expect(second.b).toBe('y, b=z');
    expect(second).not.toBe(first);
    expect(second.id).not.toBe(first.id);
  });
});

describe('significant: false', () => {
  it('leaves the parameter out of id, hash and paramPath', () => {
    const quiet = new Ordered({ zeta: 1, alpha: 'a', workers: 1 });
    const busy = new Ordered({ zeta: 1, alpha: 'a', workers: 16 });
    expect(busy.id).toBe(quiet.id);
    expect(busy.hash).toBe(quiet.hash);
    expect(busy.paramPath()).toBe(quiet.paramPath());
    expect(busy.id).not.toContain('workers');
    expect(busy.paramPath()).not.toContain('workers');
  });

  it('still shows the parameter in canonicalParams', () => {
    const task = new Ordered({ zeta: 1, alpha: 'a', workers: 16 });
    expect(task.canonicalParams).toEqual({ zeta: '1', alpha: 'a', workers: '16', mid: 'true' });
  });
});

describe('task.hash', () => {
  it('is 16 lowercase hex digits', () => {
    for (const task of [
      new Train(),
      new Features({ date: '2024-01-01' }),
      new Ordered({ zeta: 1, alpha: 'a' }),
    ]) {
      expect(task.hash).toMatch(/^[0-9a-f]{16}$/);
    }
  });

  it('has stable golden values (a change here changes every artifact lease and report)', () => {
    expect(new Features({ date: '2024-01-01' }).hash).toBe('9a0d16586408d85f');
    expect(new Train().hash).toBe('88990345bd8c05e8');
    expect(new Namespaced({ date: '2024-01-01', verbose: true }).hash).toBe('d2224ad5f039610f');
  });

  it('is the same for equal parameters given in different forms', () => {
    const a = new Features({ date: '2024-01-01', country: 'de' });
    const b = new Features({ date: '2024-01-01' });
    expect(b.hash).toBe(a.hash);
  });

  it('differs when any significant value differs', () => {
    const base = new Ordered({ zeta: 1, alpha: 'a', mid: true });
    const variants = [
      new Ordered({ zeta: 2, alpha: 'a', mid: true }),
      new Ordered({ zeta: 1, alpha: 'b', mid: true }),
      new Ordered({ zeta: 1, alpha: 'a', mid: false }),
    ];
    const hashes = new Set([base, ...variants].map((task) => task.hash));
    expect(hashes.size).toBe(4);
  });

  it('differs between families with the same parameters', () => {
    class Other extends Task.with({ depth: p.int({ default: 6, min: 1 }) }) {}
    expect(new Other().hash).not.toBe(new Train().hash);
  });

  it('does not confuse a value with the next parameter name', () => {
    const names = ['a', 'b'];
    const hashes = new Set([
      taskHash('Pair', { names, values: ['x, b=y', 'z'] }),
      taskHash('Pair', { names, values: ['x', 'y, b=z'] }),
      taskHash('Pair', { names, values: ['xb', 'z'] }),
      taskHash('Pair', { names, values: ['x', 'bz'] }),
      taskHash('Pai', { names: ['ra', 'b'], values: ['x', 'z'] }),
    ]);
    expect(hashes.size).toBe(5);
  });
});

describe('paramPath()', () => {
  it('is name=value segments over significant params, joined by /', () => {
    expect(new Features({ date: '2024-01-01' }).paramPath()).toBe('date=2024-01-01/country=de');
    expect(new Ordered({ zeta: 3, alpha: 'q', workers: 4 }).paramPath()).toBe(
      'zeta=3/alpha=q/mid=true',
    );
  });

  it('keeps ordinary values readable', () => {
    class Run extends Task.with({
      lr: p.float(),
      tags: p.list(p.string()),
      hour: p.dateHour(),
      name: p.string(),
    }) {}
    const task = new Run({ lr: 0.001, tags: ['a', 'b'], hour: '2024-05-17T08', name: 'v1.2_x-y' });
    expect(task.paramPath()).toBe('lr=0.001/tags=a,b/hour=2024-05-17T08/name=v1.2_x-y');
  });

  const tricky = [
    '..',
    '.',
    '...',
    'a/b',
    '/',
    '../../etc',
    'a:b',
    'C:\\x',
    'a\\b',
    '%2F',
    '%',
    ' ',
    'a b',
    'é',
    '日本',
    '?#*',
    '',
  ];

  it.each(tricky)('escapes %j into one safe segment', (value) => {
    const task = new Loose({ a: value });
    const path = task.paramPath();
    const segments = path.split('/');
    expect(segments).toHaveLength(2);
    const [first, second] = segments as [string, string];
    expect(first.startsWith('a=')).toBe(true);
    expect(second).toBe('b=x');
    const escaped = first.slice(2);
    expect(escaped).not.toMatch(/[/:\\]/);
    expect(hasControlChar(escaped)).toBe(false);
    expect(escaped).not.toBe('.');
    expect(escaped).not.toBe('..');
    expect(escaped).toBe(escapeSegment(value));
  });

  it('gives distinct paths for distinct values', () => {
    const paths = tricky.map((value) => new Loose({ a: value }).paramPath());
    expect(new Set(paths).size).toBe(tricky.length);
  });

  it('escapes colons and slashes inside json and list values', () => {
    class Cfg extends Task.with({
      cfg: p.json(z.any()),
      dirs: p.list(p.string({ pathSafe: false })),
    }) {}
    const path = new Cfg({ cfg: { url: 'http://x/y' }, dirs: ['a/b', 'c'] }).paramPath();
    expect(path.split('/')).toHaveLength(2);
    expect(path).not.toContain(':');
  });

  it('is deterministic', () => {
    const first = new Loose({ a: 'a/b:c' }).paramPath();
    expect(new Loose({ a: 'a/b:c' }).paramPath()).toBe(first);
    expect(first).toBe('a=a%2Fb%3Ac/b=x');
  });
});

describe('escapeSegment', () => {
  const values = [
    '',
    '.',
    '..',
    '...',
    '%2E',
    '%2E%2E',
    '%2e',
    '%',
    '%25',
    'a/b',
    'a%2Fb',
    'a:b',
    'a%3Ab',
    'é',
    '%C3%A9',
    'e\u0301',
    'A',
    'a',
    ' ',
    '%20',
    '+',
    '%2B',
    '.a',
    '%2Ea',
    'a.',
    'a..b',
    'a,b',
    '\\',
    '/',
    '//',
    '\n',
    '\u0000',
    '\u007f',
    '%0A',
    '\u{1F600}',
    'a=b',
  ];

  it('is injective on tricky values', () => {
    const escaped = values.map(escapeSegment);
    expect(new Set(escaped).size).toBe(values.length);
  });

  it.each(values)('turns %j into a safe segment', (value) => {
    const escaped = escapeSegment(value);
    expect(escaped).toMatch(/^[A-Za-z0-9._,%-]*$/);
    expect(escaped).not.toBe('.');
    expect(escaped).not.toBe('..');
    expect(escapeSegment(value)).toBe(escaped);
  });

  it('leaves safe values unchanged', () => {
    for (const value of ['2024-01-01', 'de', 'v1.2_rc-3', 'a,b', '0.001', 'a..b', '.hidden']) {
      expect(escapeSegment(value)).toBe(value);
    }
  });

  it('percent-encodes UTF-8 bytes in upper case', () => {
    expect(escapeSegment('é')).toBe('%C3%A9');
    expect(escapeSegment('..')).toBe('%2E%2E');
    expect(escapeSegment('a/b')).toBe('a%2Fb');
  });
});
