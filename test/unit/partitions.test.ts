/** partitions(): every kind, from/to edges, reverse, limit, cron ticks across DST, bad input. */
import { describe, expect, it } from 'vitest';
import { thrown } from '../helpers/thrown.js';
import {
  Temporal,
  UsageError,
  partitions,
  windowFromNow,
  type PartitionOptions,
} from '../../src/index.js';

const texts = (values: readonly { toString(): string }[]): string[] =>
  values.map((value) => value.toString());

describe('partitions: fixed steps', () => {
  it('gives every day, across a leap day, with to exclusive', () => {
    const days = partitions({ kind: 'date', from: '2024-02-27', to: '2024-03-02' });
    expect(days[0]).toBeInstanceOf(Temporal.PlainDate);
    expect(texts(days)).toEqual(['2024-02-27', '2024-02-28', '2024-02-29', '2024-03-01']);
  });

  it('gives every month, across a year end', () => {
    const months = partitions({ kind: 'month', from: '2023-11', to: '2024-03' });
    expect(months[0]).toBeInstanceOf(Temporal.PlainYearMonth);
    expect(texts(months)).toEqual(['2023-11', '2023-12', '2024-01', '2024-02']);
  });

  it('gives every hour, across midnight', () => {
    const hours = partitions({ kind: 'dateHour', from: '2024-01-01T22', to: '2024-01-02T02' });
    expect(hours[0]).toBeInstanceOf(Temporal.PlainDateTime);
    expect(texts(hours)).toEqual([
      '2024-01-01T22:00:00',
      '2024-01-01T23:00:00',
      '2024-01-02T00:00:00',
      '2024-01-02T01:00:00',
    ]);
  });

  it('gives every minute, across an hour', () => {
    const from = Temporal.PlainDateTime.from('2024-01-01T09:58');
    const minutes = partitions({ kind: 'dateMinute', from, to: '2024-01-01T1001' });
    expect(texts(minutes)).toEqual([
      '2024-01-01T09:58:00',
      '2024-01-01T09:59:00',
      '2024-01-01T10:00:00',
    ]);
  });

  it('counts a whole leap year and a year of hours', () => {
    expect(partitions({ kind: 'date', from: '2024-01-01', to: '2025-01-01' })).toHaveLength(366);
    expect(
      partitions({ kind: 'dateHour', from: '2023-01-01T00', to: '2024-01-01T00' }),
    ).toHaveLength(8760);
  });

  it('gives none when from equals to', () => {
    expect(partitions({ kind: 'date', from: '2024-01-01', to: '2024-01-01' })).toEqual([]);
    expect(partitions({ kind: 'month', from: '2024-01', to: '2024-01' })).toEqual([]);
    expect(
      partitions({ kind: 'date', from: '2024-01-01', to: '2024-01-01', every: '0 0 * * *' }),
    ).toEqual([]);
  });

  it('gives newest first with reverse', () => {
    const days = partitions({ kind: 'date', from: '2024-01-01', to: '2024-01-04', reverse: true });
    expect(texts(days)).toEqual(['2024-01-03', '2024-01-02', '2024-01-01']);
  });

  it('takes the first ones of the order with limit', () => {
    const options = { kind: 'date', from: '2024-01-01', to: '2024-02-01', limit: 2 } as const;
    expect(texts(partitions(options))).toEqual(['2024-01-01', '2024-01-02']);
    expect(texts(partitions({ ...options, reverse: true }))).toEqual(['2024-01-31', '2024-01-30']);
    expect(partitions({ ...options, limit: 0 })).toEqual([]);
    expect(partitions({ ...options, limit: 100 })).toHaveLength(31);
  });
});

describe('partitions: cron expressions', () => {
  it('maps UTC ticks to dates, hours and minutes', () => {
    const every = '0 6 * * 1-5';
    const days = partitions({ kind: 'date', from: '2024-01-05', to: '2024-01-10', every });
    expect(texts(days)).toEqual(['2024-01-05', '2024-01-08', '2024-01-09']);
    const hours = partitions({
      kind: 'dateHour',
      from: '2024-01-01T00',
      to: '2024-01-01T12',
      every: '0 */4 * * *',
    });
    expect(texts(hours)).toEqual([
      '2024-01-01T00:00:00',
      '2024-01-01T04:00:00',
      '2024-01-01T08:00:00',
    ]);
    const minutes = partitions({
      kind: 'dateMinute',
      from: '2024-01-01T0000',
      to: '2024-01-01T0100',
      every: '*/15 * * * *',
      reverse: true,
      limit: 3,
    });
    expect(texts(minutes)).toEqual([
      '2024-01-01T00:45:00',
      '2024-01-01T00:30:00',
      '2024-01-01T00:15:00',
    ]);
  });

  it('gives a partition once when several ticks fall in it', () => {
    // 24 hourly ticks a day for a date parameter: each date once.
    const days = partitions({
      kind: 'date',
      from: '2024-01-01',
      to: '2024-01-04',
      every: '0 * * * *',
    });
    expect(texts(days)).toEqual(['2024-01-01', '2024-01-02', '2024-01-03']);
    const months = partitions({
      kind: 'month',
      from: '2023-12',
      to: '2024-03',
      every: '0 0 1,15 * *',
    });
    expect(texts(months)).toEqual(['2023-12', '2024-01', '2024-02']);
  });

  it('reads from/to and ticks in tz', () => {
    // 23:30 UTC on Jan 1 is 00:30 on Jan 2 in Berlin.
    const berlin = partitions({
      kind: 'date',
      from: '2024-01-01',
      to: '2024-01-03',
      every: '30 0 * * *',
      tz: 'Europe/Berlin',
    });
    expect(texts(berlin)).toEqual(['2024-01-01', '2024-01-02']);
  });

  const berlin = (options: Omit<PartitionOptions, 'tz'>) =>
    texts(partitions({ ...options, tz: 'Europe/Berlin' }));

  it('spring forward in Berlin (2024-03-31, 02:00 -> 03:00): hourly skips no real hour', () => {
    // There is no 02:00 that day: the 23 real hourly ticks are 23 partitions, 01 then 03.
    const hours = berlin({
      kind: 'dateHour',
      from: '2024-03-31T00',
      to: '2024-03-31T05',
      every: '0 * * * *',
    });
    expect(hours).toEqual([
      '2024-03-31T00:00:00',
      '2024-03-31T01:00:00',
      '2024-03-31T03:00:00',
      '2024-03-31T04:00:00',
    ]);
    expect(
      berlin({ kind: 'dateHour', from: '2024-03-31T00', to: '2024-04-01T00', every: '0 * * * *' }),
    ).toHaveLength(23);
  });

  it('fall back in Berlin (2024-10-27, 03:00 -> 02:00): the repeated hour is one partition', () => {
    // Two real ticks at 02:00 (CEST, then CET) share the wall-clock hour 02: built once.
    const hours = berlin({
      kind: 'dateHour',
      from: '2024-10-27T00',
      to: '2024-10-27T05',
      every: '0 * * * *',
    });
    expect(hours).toEqual([
      '2024-10-27T00:00:00',
      '2024-10-27T01:00:00',
      '2024-10-27T02:00:00',
      '2024-10-27T03:00:00',
      '2024-10-27T04:00:00',
    ]);
    expect(
      berlin({ kind: 'dateHour', from: '2024-10-27T00', to: '2024-10-28T00', every: '0 * * * *' }),
    ).toHaveLength(24);
  });

  it('a daily 02:30 job in Berlin runs on both DST days, once each', () => {
    // cron-parser moves the nonexistent 02:30 of Mar 31 to 03:30 (the day is not skipped) and
    // fires the ambiguous 02:30 of Oct 27 once (not twice), so each date is one partition.
    const every = '30 2 * * *';
    expect(berlin({ kind: 'date', from: '2024-03-30', to: '2024-04-02', every })).toEqual([
      '2024-03-30',
      '2024-03-31',
      '2024-04-01',
    ]);
    expect(berlin({ kind: 'date', from: '2024-10-26', to: '2024-10-29', every })).toEqual([
      '2024-10-26',
      '2024-10-27',
      '2024-10-28',
    ]);
    // At minute precision the spring tick shows where it really fired: 03:30 local time.
    expect(
      berlin({ kind: 'dateMinute', from: '2024-03-30T0000', to: '2024-04-02T0000', every }),
    ).toEqual(['2024-03-30T02:30:00', '2024-03-31T03:30:00', '2024-04-01T02:30:00']);
    expect(
      berlin({ kind: 'dateMinute', from: '2024-10-26T0000', to: '2024-10-29T0000', every }),
    ).toEqual(['2024-10-26T02:30:00', '2024-10-27T02:30:00', '2024-10-28T02:30:00']);
  });
});

describe('partitions: bad input', () => {
  const message = (options: PartitionOptions): string => {
    const error = thrown(() => partitions(options));
    expect(error).toBeInstanceOf(UsageError);
    return error.message;
  };

  it('names each mistake and how to fix it', () => {
    expect(message({ kind: 'date', from: '2024-02-01', to: '2024-01-01' })).toBe(
      'partitions: from 2024-02-01 is after to 2024-01-01; swap them',
    );
    expect(message({ kind: 'date', from: '2024-01-01', to: '2024-02-01', every: 'hour' })).toBe(
      "partitions: every 'hour' does not fit a date parameter (use 'day' or a cron expression)",
    );
    expect(message({ kind: 'month', from: '2024-01', to: '2024-02', every: 'day' })).toBe(
      "partitions: every 'day' does not fit a month parameter (use 'month' or a cron expression)",
    );
    expect(
      message({ kind: 'date', from: '2024-01-01', to: '2024-02-01', every: '61 * * * *' }),
    ).toBe(
      'partitions: every "61 * * * *" is neither day, month, hour, minute nor a valid cron expression (Constraint error, got value 61 expected range 0-59)',
    );
    expect(message({ kind: 'date', from: '2024-13-01', to: '2024-02-01' })).toBe(
      'partitions: from: "2024-13-01" is not a valid date',
    );
    expect(message({ kind: 'date', from: '2024-01-01', to: '2024-02-01', limit: -1 })).toBe(
      'partitions: limit must be a whole number >= 0, got -1',
    );
    expect(
      message({
        kind: 'date',
        from: '2024-01-01',
        to: '2024-02-01',
        every: '0 0 * * *',
        tz: 'Mars/Base',
      }),
    ).toBe('unknown time zone "Mars/Base" (use an IANA name like Europe/Berlin)');
  });

  it('refuses more than a million partitions and says how to narrow', () => {
    const expected =
      'partitions: more than 1,000,000 partitions between 2000-01-01T0000 and 2024-01-01T0000; narrow from/to, set a limit or use a coarser every';
    expect(message({ kind: 'dateMinute', from: '2000-01-01T0000', to: '2024-01-01T0000' })).toBe(
      expected,
    );
    // With a limit only the partitions asked for are made.
    expect(
      partitions({ kind: 'dateMinute', from: '2000-01-01T0000', to: '2024-01-01T0000', limit: 2 }),
    ).toHaveLength(2);
  });
});

describe('windowFromNow', () => {
  it('gives the partitions before the current one, like Luigi days_back', () => {
    const now = '2024-03-10T13:45:00Z';
    const { from, to } = windowFromNow({ kind: 'date', now, back: 30 });
    expect([from.toString(), to.toString()]).toEqual(['2024-02-09', '2024-03-10']);
    expect(partitions({ kind: 'date', from, to })).toHaveLength(30);
  });

  it('reads now in tz and works for every kind', () => {
    const now = Temporal.Instant.from('2024-12-31T23:30:00Z');
    const hour = windowFromNow({ kind: 'dateHour', now, back: 2, forward: 1, tz: 'Europe/Berlin' });
    expect([hour.from.toString(), hour.to.toString()]).toEqual([
      '2024-12-31T22:00:00',
      '2025-01-01T01:00:00',
    ]);
    const month = windowFromNow({ kind: 'month', now: new Date('2024-01-15T00:00:00Z'), back: 13 });
    expect([month.from.toString(), month.to.toString()]).toEqual(['2022-12', '2024-01']);
    const minute = windowFromNow({ kind: 'dateMinute', now, back: 1 });
    expect([minute.from.toString(), minute.to.toString()]).toEqual([
      '2024-12-31T23:29:00',
      '2024-12-31T23:30:00',
    ]);
  });

  it('rejects a negative window and a now without offset', () => {
    expect(
      thrown(() => windowFromNow({ kind: 'date', now: '2024-01-01T00:00Z', back: -1 })).message,
    ).toBe('windowFromNow: back must be a whole number >= 0, got -1');
    expect(thrown(() => windowFromNow({ kind: 'date', now: '2024-01-01', back: 1 })).message).toBe(
      'now: "2024-01-01" is not an instant (use an ISO time with offset, like 2024-05-10T13:00:00Z)',
    );
  });
});
