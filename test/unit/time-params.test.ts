/** Calendar and duration parameter kinds: date, month, dateHour, dateMinute, dateInterval, duration. */
import { describe, expect, it } from 'vitest';
import { thrown } from '../helpers/thrown.js';
import {
  DateInterval,
  ParameterError,
  ParamValueError,
  Task,
  Temporal,
  p,
} from '../../src/index.js';

describe('p.date', () => {
  const d = p.date();

  it('parses YYYY-MM-DD into a PlainDate and serializes it back', () => {
    const value = d.parse('2024-02-29');
    expect(value).toBeInstanceOf(Temporal.PlainDate);
    expect([value.year, value.month, value.day]).toEqual([2024, 2, 29]);
    expect(d.serialize(value)).toBe('2024-02-29');
  });

  it.each([
    '2023-02-29',
    '2024-13-01',
    '2024-00-10',
    '2024-2-1',
    '20240101',
    '2024-01-01T00:00',
    '2024-01-01Z',
    '',
    'today',
  ])('rejects %j', (text) => {
    expect(() => d.parse(text)).toThrow(ParamValueError);
    expect(() => d.coerce(text)).toThrow(ParamValueError);
  });

  it('coerces PlainDate objects and strings to the same value', () => {
    const fromObject = d.coerce(Temporal.PlainDate.from('2024-05-17'));
    const fromText = d.coerce('2024-05-17');
    expect(fromObject.equals(fromText)).toBe(true);
    expect(d.serialize(fromObject)).toBe(d.serialize(fromText));
  });

  it('rejects values that carry a time', () => {
    expect(() => d.coerce(Temporal.PlainDateTime.from('2024-05-17T10:00'))).toThrow(
      ParamValueError,
    );
    expect(() => d.coerce(1715904000000)).toThrow(ParamValueError);
  });

  it('rejects a JS Date with a hint to pass a string', () => {
    const error = thrown(() => d.coerce(new Date(Date.UTC(2024, 0, 1))));
    expect(error).toBeInstanceOf(ParamValueError);
    expect(error.message).toMatch(/JS Date/);
    expect(error.message).toMatch(/string/);
  });

  it('a JS Date passed to a task names the task and parameter', () => {
    class Daily extends Task.with({ date: p.date() }) {}
    const error = thrown(() => new Daily({ date: new Date() as unknown as string }));
    expect(error).toBeInstanceOf(ParameterError);
    expect(error.message).toContain('Daily');
    expect(error.message).toContain("'date'");
    expect(error.message).toMatch(/JS Date/);
  });
});

describe('p.month', () => {
  const m = p.month();

  it('parses and serializes YYYY-MM', () => {
    const value = m.parse('2024-05');
    expect(value).toBeInstanceOf(Temporal.PlainYearMonth);
    expect(m.serialize(value)).toBe('2024-05');
    expect(m.serialize(m.coerce(Temporal.PlainYearMonth.from('2024-12')))).toBe('2024-12');
  });

  it.each(['2024-13', '2024-00', '2024-5', '2024-05-01', '202405', ''])('rejects %j', (text) => {
    expect(() => m.parse(text)).toThrow(ParamValueError);
  });

  it('rejects a JS Date', () => {
    expect(() => m.coerce(new Date())).toThrow(/JS Date/);
  });
});

describe('p.dateHour', () => {
  const h = p.dateHour();

  it.each(['2024-05-17T08', '2024-05-17T08:00', '2024-05-17T08:00:00'])(
    'parses %j to the canonical 2024-05-17T08',
    (text) => {
      expect(h.serialize(h.parse(text))).toBe('2024-05-17T08');
    },
  );

  it.each([
    '2024-05-17T08:30',
    '2024-05-17T08:00:01',
    '2024-05-17T25',
    '2024-05-17',
    '2024-05-17 08',
    '2024-05-17T8',
    '2024-02-30T08',
  ])('rejects %j', (text) => {
    expect(() => h.parse(text)).toThrow(ParamValueError);
  });

  it('coerces PlainDateTime objects on the hour and rejects finer ones', () => {
    expect(h.serialize(h.coerce(Temporal.PlainDateTime.from('2024-01-02T23:00')))).toBe(
      '2024-01-02T23',
    );
    expect(() => h.coerce(Temporal.PlainDateTime.from('2024-01-02T23:15'))).toThrow(
      ParamValueError,
    );
    expect(() => h.coerce(new Date())).toThrow(/JS Date/);
  });

  it('never puts a colon in the canonical form', () => {
    expect(h.serialize(h.parse('2024-05-17T00:00'))).not.toContain(':');
  });
});

describe('p.dateMinute', () => {
  const m = p.dateMinute();

  it.each(['2024-05-17T0830', '2024-05-17T08:30', '2024-05-17T08:30:00'])(
    'parses %j to the canonical 2024-05-17T0830',
    (text) => {
      expect(m.serialize(m.parse(text))).toBe('2024-05-17T0830');
    },
  );

  it.each([
    '2024-05-17T08:30:15',
    '2024-05-17T08',
    '2024-05-17T0860',
    '2024-05-17T083',
    '2024-05-17',
  ])('rejects %j', (text) => {
    expect(() => m.parse(text)).toThrow(ParamValueError);
  });

  it('coerces PlainDateTime objects and rejects seconds', () => {
    expect(m.serialize(m.coerce(Temporal.PlainDateTime.from('2024-01-02T03:04')))).toBe(
      '2024-01-02T0304',
    );
    expect(() => m.coerce(Temporal.PlainDateTime.from('2024-01-02T03:04:05'))).toThrow(
      ParamValueError,
    );
  });
});

describe('p.dateInterval', () => {
  const di = p.dateInterval();

  it.each(['2024', '2024-05', '2024-W05', '2024-05-17', '2024-05-01-2024-06-01'])(
    'parses %j and serializes it unchanged',
    (text) => {
      const value = di.parse(text);
      expect(value).toBeInstanceOf(DateInterval);
      expect(di.serialize(value)).toBe(text);
      expect(di.serialize(di.coerce(text))).toBe(text);
    },
  );

  it('coerces DateInterval objects', () => {
    const interval = DateInterval.parse('2024-W01');
    expect(di.coerce(interval)).toBe(interval);
  });

  it.each(['2024-W54', '2024-13', 'last week', '2024-06-01-2024-05-01', ''])(
    'rejects %j with a ParamValueError',
    (text) => {
      expect(() => di.parse(text)).toThrow(ParamValueError);
    },
  );

  it('rejects non-strings', () => {
    expect(() => di.coerce(2024)).toThrow(ParamValueError);
  });
});

describe('p.duration', () => {
  const d = p.duration();
  const canon = (value: string | number | Temporal.Duration): string =>
    d.serialize(d.coerce(value));

  it('60m, 1h, 3600s, PT1H, 3600 and a Temporal duration of 60 minutes are equal', () => {
    const forms = ['60m', '1h', '3600s', 'PT1H', 'pt60m', '3600', '1 hour', '60 minutes'];
    for (const form of forms) expect(d.serialize(d.parse(form))).toBe('PT1H');
    expect(canon(3600)).toBe('PT1H');
    expect(canon(Temporal.Duration.from({ minutes: 60 }))).toBe('PT1H');
  });

  it.each([
    ['90s', 'PT1M30S'],
    ['1h30m', 'PT1H30M'],
    ['90m', 'PT1H30M'],
    ['2 days', 'P2D'],
    ['48h', 'P2D'],
    ['1w', 'P7D'],
    ['P1W', 'P7D'],
    ['1500ms', 'PT1.5S'],
    ['1.5s', 'PT1.5S'],
    ['0', 'PT0S'],
  ])('%j has the canonical form %j', (text, form) => {
    expect(d.serialize(d.parse(text))).toBe(form);
  });

  it('ignores surrounding whitespace in every form', () => {
    for (const text of [' 90s ', ' 1h30m', '2 days ', ' PT1H ']) {
      expect(d.serialize(d.parse(text))).toBe(d.serialize(d.parse(text.trim())));
    }
  });

  it.each(['1mo', '1y', 'P1M', 'P1Y', '-5m', 'abc', '', '5 parsecs', '1h x', 'h'])(
    'rejects %j',
    (text) => {
      expect(() => d.parse(text)).toThrow(ParamValueError);
    },
  );

  it('rejects negative and non-finite numbers and JS Dates', () => {
    expect(() => d.coerce(-1)).toThrow(ParamValueError);
    expect(() => d.coerce(Infinity)).toThrow(ParamValueError);
    expect(() => d.coerce(Temporal.Duration.from({ minutes: -5 }))).toThrow(ParamValueError);
    expect(() => d.coerce(new Date())).toThrow(/JS Date/);
  });

  it('never puts a colon in the canonical form', () => {
    expect(d.serialize(d.parse('1d2h3m4s5ms'))).toBe('P1DT2H3M4.005S');
  });

  it('tasks given 60m and 1h are the same task', () => {
    class Wait extends Task.with({ timeout: p.duration() }) {}
    expect(new Wait({ timeout: '60m' })).toBe(new Wait({ timeout: '1h' }));
    expect(new Wait({ timeout: '60m' }).id).toBe('Wait(timeout=PT1H)');
  });
});

describe('calendars', () => {
  it('refuses a date in another calendar, whose fields may name another day', () => {
    const gregorian = Temporal.PlainDate.from('2024-05-10').withCalendar('gregory');
    expect(() => p.date().coerce(gregorian)).toThrow(
      '"2024-05-10[u-ca=gregory]" is in the gregory calendar; pass an ISO date (withCalendar(\'iso8601\'))',
    );
    expect(p.date().serialize(p.date().coerce(Temporal.PlainDate.from('0099-01-02')))).toBe(
      '0099-01-02',
    );
  });
});
