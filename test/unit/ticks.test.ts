/** dueTicks/duePartitions/nextTick: catch-up by count and duration, data intervals, DST. */
import { describe, expect, it } from 'vitest';
import { duePartitions, dueTicks, nextTick, type DuePartitionsOptions } from '../../src/index.js';
import { thrown } from '../helpers/thrown.js';

const texts = (ticks: { toString(): string }[]) => ticks.map(String);
const due = (options: DuePartitionsOptions) =>
  duePartitions(options).map(({ tick, value }) => `${String(value)} @ ${String(tick)}`);

describe('dueTicks', () => {
  it('is the latest tick at or before now, the tick itself included', () => {
    expect(texts(dueTicks({ cron: '0 6 * * *', now: '2024-01-10T07:00:00Z' }))).toEqual([
      '2024-01-10T06:00:00Z',
    ]);
    expect(texts(dueTicks({ cron: '0 6 * * *', now: '2024-01-10T06:00:00Z' }))).toEqual([
      '2024-01-10T06:00:00Z',
    ]);
    expect(texts(dueTicks({ cron: '0 6 * * *', now: '2024-01-10T05:59:59Z' }))).toEqual([
      '2024-01-09T06:00:00Z',
    ]);
  });

  it('catches up a number of missed ticks, or those within a duration', () => {
    expect(
      texts(dueTicks({ cron: '0 */6 * * *', now: '2024-01-10T13:00:00Z', catchUp: 3 })),
    ).toEqual([
      '2024-01-09T18:00:00Z',
      '2024-01-10T00:00:00Z',
      '2024-01-10T06:00:00Z',
      '2024-01-10T12:00:00Z',
    ]);
    // Less than 2 days older than the latest tick: today's and yesterday's.
    expect(
      texts(dueTicks({ cron: '0 6 * * *', now: '2024-01-10T07:00:00Z', catchUp: '2d' })),
    ).toEqual(['2024-01-09T06:00:00Z', '2024-01-10T06:00:00Z']);
    expect(
      texts(dueTicks({ cron: '0 6 * * *', now: '2024-01-10T07:00:00Z', catchUp: '3' })),
    ).toHaveLength(4);
  });

  it('reads the schedule in a time zone', () => {
    expect(
      texts(dueTicks({ cron: '0 6 * * *', now: '2024-07-10T12:00:00Z', tz: 'Europe/Berlin' })),
    ).toEqual(['2024-07-10T04:00:00Z']);
  });

  it('names bad input', () => {
    expect(
      thrown(() => dueTicks({ cron: '0 25 * * *', now: '2024-01-10T07:00:00Z' })).message,
    ).toMatch(
      /^schedule "0 25 \* \* \*" is not a valid cron expression \(.*\); five fields: minute hour day-of-month month day-of-week, e.g. '0 6 \* \* \*'$/,
    );
    expect(
      thrown(() => dueTicks({ cron: '0 6 * * *', now: '2024-01-10T07:00:00Z', catchUp: 'soon' }))
        .message,
    ).toBe(
      'catch-up: expected a duration like 90s, 1h30m, 2d or PT1H, got "soon" (or give a number of ticks, like 3)',
    );
    expect(
      thrown(() => dueTicks({ cron: '0 6 * * *', now: '2024-01-10T07:00:00Z', catchUp: -1 }))
        .message,
    ).toBe('catch-up: expected a number of ticks (0 to 1000000) or a duration like 3d, got -1');
  });
});

describe('duePartitions', () => {
  it('maps each tick to the partition holding it, or to the interval it closes', () => {
    const options = {
      cron: '0 6 * * *',
      now: '2024-01-10T07:00:00Z',
      catchUp: 2,
      kind: 'date',
    } as const;
    expect(due(options)).toEqual([
      '2024-01-08 @ 2024-01-08T06:00:00Z',
      '2024-01-09 @ 2024-01-09T06:00:00Z',
      '2024-01-10 @ 2024-01-10T06:00:00Z',
    ]);
    expect(due({ ...options, previous: true })).toEqual([
      '2024-01-07 @ 2024-01-08T06:00:00Z',
      '2024-01-08 @ 2024-01-09T06:00:00Z',
      '2024-01-09 @ 2024-01-10T06:00:00Z',
    ]);
  });

  it('gives a partition once when several ticks fall in it', () => {
    expect(
      due({ cron: '0 */6 * * *', now: '2024-01-10T13:00:00Z', catchUp: 3, kind: 'date' }),
    ).toEqual(['2024-01-09 @ 2024-01-09T18:00:00Z', '2024-01-10 @ 2024-01-10T12:00:00Z']);
  });

  it('DST in Europe/Berlin: a daily 02:30 tick is neither skipped in spring nor doubled in autumn', () => {
    // 2024-03-31 02:30 does not exist (02:00 -> 03:00); cron-parser moves the tick to 03:30.
    // Going backwards it would skip that day, so the ticks must be counted forward.
    expect(
      due({
        cron: '30 2 * * *',
        now: '2024-04-01T12:00:00Z',
        tz: 'Europe/Berlin',
        catchUp: 3,
        kind: 'date',
      }),
    ).toEqual([
      '2024-03-29 @ 2024-03-29T01:30:00Z',
      '2024-03-30 @ 2024-03-30T01:30:00Z',
      '2024-03-31 @ 2024-03-31T01:30:00Z',
      '2024-04-01 @ 2024-04-01T00:30:00Z',
    ]);
    // 2024-10-27 02:30 happens twice (03:00 -> 02:00); the job runs once.
    expect(
      due({
        cron: '30 2 * * *',
        now: '2024-10-28T12:00:00Z',
        tz: 'Europe/Berlin',
        catchUp: 2,
        kind: 'date',
      }),
    ).toEqual([
      '2024-10-26 @ 2024-10-26T00:30:00Z',
      '2024-10-27 @ 2024-10-27T00:30:00Z',
      '2024-10-28 @ 2024-10-28T01:30:00Z',
    ]);
  });

  it('DST in Europe/Berlin: hourly partitions across both changes, none skipped or doubled', () => {
    // Spring: wall-clock hour 02 does not exist on 2024-03-31.
    expect(
      due({
        cron: '0 * * * *',
        now: '2024-03-31T02:10:00Z',
        tz: 'Europe/Berlin',
        catchUp: 2,
        kind: 'dateHour',
      }),
    ).toEqual([
      '2024-03-31T01:00:00 @ 2024-03-31T00:00:00Z',
      '2024-03-31T03:00:00 @ 2024-03-31T01:00:00Z',
      '2024-03-31T04:00:00 @ 2024-03-31T02:00:00Z',
    ]);
    // Autumn: wall-clock hour 02 happens twice on 2024-10-27; it is one partition, due once,
    // with the later tick, whether each tick runs its own hour or the one it closes.
    const autumn = {
      cron: '0 * * * *',
      now: '2024-10-27T03:10:00Z',
      tz: 'Europe/Berlin',
      catchUp: 3,
      kind: 'dateHour',
    } as const;
    expect(due(autumn)).toEqual([
      '2024-10-27T02:00:00 @ 2024-10-27T01:00:00Z',
      '2024-10-27T03:00:00 @ 2024-10-27T02:00:00Z',
      '2024-10-27T04:00:00 @ 2024-10-27T03:00:00Z',
    ]);
    expect(due({ ...autumn, previous: true })).toEqual([
      '2024-10-27T01:00:00 @ 2024-10-27T00:00:00Z',
      '2024-10-27T02:00:00 @ 2024-10-27T02:00:00Z',
      '2024-10-27T03:00:00 @ 2024-10-27T03:00:00Z',
    ]);
  });
});

describe('nextTick', () => {
  it('is the first tick strictly after now, in the zone', () => {
    expect(String(nextTick('0 6 * * *', '2024-01-10T06:00:00Z'))).toBe('2024-01-11T06:00:00Z');
    expect(String(nextTick('30 2 * * *', '2024-03-30T12:00:00Z', 'Europe/Berlin'))).toBe(
      '2024-03-31T01:30:00Z',
    );
  });
});
