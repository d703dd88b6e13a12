/** DateInterval: the five Luigi forms, dates(), contains() and bad forms. */
import { describe, expect, it } from 'vitest';
import { DateInterval, Temporal } from '../../src/index.js';

const day = (text: string): Temporal.PlainDate => Temporal.PlainDate.from(text);
const span = (interval: DateInterval): [string, string] => [
  interval.start.toString(),
  interval.end.toString(),
];

describe('DateInterval.parse', () => {
  it.each<[string, string, string, number]>([
    ['2024', '2024-01-01', '2025-01-01', 366],
    ['2023', '2023-01-01', '2024-01-01', 365],
    ['2024-02', '2024-02-01', '2024-03-01', 29],
    ['2023-02', '2023-02-01', '2023-03-01', 28],
    ['2024-12', '2024-12-01', '2025-01-01', 31],
    ['2024-W05', '2024-01-29', '2024-02-05', 7],
    ['2024-W01', '2024-01-01', '2024-01-08', 7],
    ['2024-05-17', '2024-05-17', '2024-05-18', 1],
    ['2024-02-29', '2024-02-29', '2024-03-01', 1],
    ['2024-05-01-2024-06-01', '2024-05-01', '2024-06-01', 31],
    ['2023-12-30-2024-01-02', '2023-12-30', '2024-01-02', 3],
  ])('%s covers [%s, %s), %d days', (text, start, end, days) => {
    const interval = DateInterval.parse(text);
    expect(span(interval)).toEqual([start, end]);
    expect(interval.dates()).toHaveLength(days);
    expect(interval.toString()).toBe(text);
    expect(interval.toJSON()).toBe(text);
    expect(JSON.stringify({ interval })).toBe(`{"interval":"${text}"}`);
  });

  it('knows week 53 in a year that has one', () => {
    expect(span(DateInterval.parse('2020-W53'))).toEqual(['2020-12-28', '2021-01-04']);
    expect(span(DateInterval.parse('2026-W53'))).toEqual(['2026-12-28', '2027-01-04']);
    expect(span(DateInterval.parse('2015-W53'))).toEqual(['2015-12-28', '2016-01-04']);
  });

  it('starts week 1 in the previous December when the ISO calendar says so', () => {
    expect(span(DateInterval.parse('2025-W01'))).toEqual(['2024-12-30', '2025-01-06']);
    expect(span(DateInterval.parse('2020-W01'))).toEqual(['2019-12-30', '2020-01-06']);
    expect(DateInterval.parse('2025-W01').contains(day('2024-12-31'))).toBe(true);
  });

  it('starts week 1 in January when Jan 1 is a Friday to Sunday', () => {
    // 2021-01-01 is a Friday: those days belong to 2020-W53.
    expect(span(DateInterval.parse('2021-W01'))).toEqual(['2021-01-04', '2021-01-11']);
    expect(DateInterval.parse('2020-W53').contains(day('2021-01-01'))).toBe(true);
  });

  it('every week starts on a Monday and lasts 7 days', () => {
    for (const text of ['2024-W01', '2024-W26', '2024-W52', '2020-W53', '2025-W01']) {
      const interval = DateInterval.parse(text);
      expect(interval.start.dayOfWeek).toBe(1);
      expect(interval.start.add({ days: 7 }).equals(interval.end)).toBe(true);
    }
  });

  it.each([
    '2021-W53',
    '2024-W53',
    '2024-W00',
    '2024-W54',
    '2024-W5',
    '2024-13',
    '2024-00',
    '2024-02-30',
    '2023-02-29',
    '2024-06-01-2024-05-01',
    '2024-05-01-2024-05-01',
    '2024-05-01-2024-02-30',
    '24',
    '2024-5',
    '2024/05',
    '2024-05-01/2024-06-01',
    '2024-05-01..2024-06-01',
    '2024-05-17T00',
    ' 2024',
    '',
    'last week',
  ])('rejects %j with a RangeError', (text) => {
    expect(() => DateInterval.parse(text)).toThrow(RangeError);
  });

  it('names the accepted forms when nothing fits', () => {
    expect(() => DateInterval.parse('May 2024')).toThrow(/2024-W05/);
  });
});

describe('DateInterval methods', () => {
  it('dates() lists every day in order, end excluded', () => {
    const dates = DateInterval.parse('2024-02-27-2024-03-02').dates();
    expect(dates.map(String)).toEqual(['2024-02-27', '2024-02-28', '2024-02-29', '2024-03-01']);
  });

  it('dates() of a year covers it without gaps', () => {
    const dates = DateInterval.parse('2023').dates();
    expect(dates[0]!.toString()).toBe('2023-01-01');
    expect(dates.at(-1)!.toString()).toBe('2023-12-31');
    for (let i = 1; i < dates.length; i++) {
      expect(dates[i - 1]!.add({ days: 1 }).equals(dates[i]!)).toBe(true);
    }
  });

  it('contains() includes the start and excludes the end', () => {
    const may = DateInterval.parse('2024-05');
    expect(may.contains(day('2024-05-01'))).toBe(true);
    expect(may.contains(day('2024-05-31'))).toBe(true);
    expect(may.contains(day('2024-06-01'))).toBe(false);
    expect(may.contains(day('2024-04-30'))).toBe(false);
    expect(may.contains(day('2023-05-15'))).toBe(false);
  });

  it('contains() agrees with dates()', () => {
    const week = DateInterval.parse('2020-W53');
    const inside = new Set(week.dates().map(String));
    for (
      let d = day('2020-12-20');
      Temporal.PlainDate.compare(d, day('2021-01-10')) < 0;
      d = d.add({ days: 1 })
    ) {
      expect(week.contains(d)).toBe(inside.has(d.toString()));
    }
  });

  it('between() builds the custom form, end exclusive', () => {
    const interval = DateInterval.between(day('2024-01-30'), day('2024-02-02'));
    expect(interval.toString()).toBe('2024-01-30-2024-02-02');
    expect(interval.dates().map(String)).toEqual(['2024-01-30', '2024-01-31', '2024-02-01']);
    expect(() => DateInterval.between(day('2024-02-02'), day('2024-02-02'))).toThrow(RangeError);
  });

  it('equals() compares the written form', () => {
    expect(DateInterval.parse('2024-05').equals(DateInterval.parse('2024-05'))).toBe(true);
    expect(DateInterval.parse('2024-05').equals(DateInterval.parse('2024-06'))).toBe(false);
  });
});
