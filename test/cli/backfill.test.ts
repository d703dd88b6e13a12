/** `dag backfill`: ranges of every kind, bulk decisions, limit and order, windows, errors. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jsonOf } from '../helpers/project.js';
import { executions, files, timeProject } from '../helpers/time-project.js';

interface PartitionEntry {
  partition: string;
  id: string;
  status: string;
  reason: string;
  tick?: string;
}
const partitionsOf = (doc: Record<string, unknown>) => doc.partitions as PartitionEntry[];

describe('dag backfill', () => {
  it('runs the missing days of a range, oldest first, and lists every partition in --json', async () => {
    const project = timeProject();
    project.write('data/daily/country=fr/date=2024-01-02.txt', 'made before\n');
    const result = await project.dag([
      'backfill',
      'Daily',
      '--from',
      '2024-01-01',
      '--to',
      '2024-01-05',
      '--country',
      'fr',
      '--json',
    ]);
    expect(result.exitCode, result.stderr).toBe(0);
    const doc = jsonOf(result);
    expect(doc).toMatchObject({
      status: 'success',
      family: 'Daily',
      param: 'date',
      partitionCounts: { total: 4, present: 1, missing: 3, toRun: 3 },
    });
    expect(partitionsOf(doc).map((p) => [p.partition, p.status])).toEqual([
      ['2024-01-01', 'succeeded'],
      ['2024-01-02', 'complete'],
      ['2024-01-03', 'succeeded'],
      ['2024-01-04', 'succeeded'],
    ]);
    expect(executions(project)).toEqual([
      'Daily(date=2024-01-01, country=fr)',
      'Daily(date=2024-01-03, country=fr)',
      'Daily(date=2024-01-04, country=fr)',
    ]);
    expect(project.read('data/daily/country=fr/date=2024-01-02.txt')).toBe('made before\n');
    expect(result.stderr).toContain('partitions of Daily: 4 in range, 1 present, 3 missing');
    expect(result.stderr).toContain('partitions: 3/3 done · 0 running · 1 present');

    const again = await project.dag([
      'backfill',
      'Daily',
      '--from',
      '2024-01-01',
      '--to',
      '2024-01-05',
      '--country',
      'fr',
    ]);
    expect(again.exitCode).toBe(0);
    expect(again.stdout).toBe(
      'Daily: 4 partitions, 4 present, 0 missing\nnothing to do: no tasks in ' +
        again.stdout.split(' in ').pop(),
    );
    expect(executions(project)).toHaveLength(3);
  });

  it('runs newest first with --reverse and at most --limit missing partitions, like task_limit', async () => {
    const project = timeProject();
    // Present partitions do not count against the limit.
    project.write('data/daily/country=de/date=2024-01-09.txt', 'x\n');
    const result = await project.dag([
      'backfill',
      'Daily',
      '--from',
      '2024-01-01',
      '--to',
      '2024-01-10',
      '--reverse',
      '--limit',
      '3',
      '--json',
    ]);
    expect(result.exitCode, result.stderr).toBe(0);
    const doc = jsonOf(result);
    expect(doc.partitionCounts).toEqual({ total: 9, present: 1, missing: 8, toRun: 3 });
    expect(executions(project)).toEqual([
      'Daily(date=2024-01-08, country=de)',
      'Daily(date=2024-01-07, country=de)',
      'Daily(date=2024-01-06, country=de)',
    ]);
    const entries = partitionsOf(doc);
    expect(entries[0]).toMatchObject({ partition: '2024-01-09', status: 'complete' });
    expect(entries.at(-1)).toMatchObject({
      partition: '2024-01-01',
      status: 'not_run',
      reason: 'beyond the limit of 3 missing partitions',
    });
    expect(result.stderr).toContain('running the first 3 (limit)');
  });

  it('takes a window back from --now, like Luigi days_back, without date arithmetic', async () => {
    const project = timeProject();
    const result = await project.dag([
      'backfill',
      'Daily',
      '--days-back',
      '3',
      '--now',
      '2024-03-10T08:00:00Z',
      '--json',
    ]);
    expect(result.exitCode, result.stderr).toBe(0);
    // Today (2024-03-10) is not over yet: the three days before it.
    expect(partitionsOf(jsonOf(result)).map((p) => p.partition)).toEqual([
      '2024-03-07',
      '2024-03-08',
      '2024-03-09',
    ]);
    // --from narrows the window; a window wholly after --to is empty, not an error.
    const narrowed = await project.dag([
      'backfill',
      'Daily',
      '--from',
      '2024-03-09',
      '--days-back',
      '30',
      '--now',
      '2024-03-10T08:00:00Z',
      '--json',
    ]);
    expect(partitionsOf(jsonOf(narrowed)).map((p) => p.partition)).toEqual(['2024-03-09']);
    const empty = await project.dag([
      'backfill',
      'Daily',
      '--to',
      '2024-01-01',
      '--days-back',
      '3',
      '--now',
      '2024-03-10T08:00:00Z',
      '--json',
    ]);
    expect(empty.exitCode).toBe(0);
    expect(jsonOf(empty)).toMatchObject({ status: 'nothing_to_do', partitionCounts: { total: 0 } });
  });

  it('ranges over months, hours and the ticks of a cron expression', async () => {
    const project = timeProject();
    const months = await project.dag([
      'backfill',
      'Monthly',
      '--from',
      '2023-11',
      '--to',
      '2024-02',
    ]);
    expect(months.exitCode, months.stderr).toBe(0);
    expect(files(project, 'data/monthly')).toEqual([
      'month=2023-11.txt',
      'month=2023-12.txt',
      'month=2024-01.txt',
    ]);
    const hours = await project.dag([
      'backfill',
      'Hourly',
      '--from',
      '2024-01-01T22',
      '--to',
      '2024-01-02T01',
    ]);
    expect(hours.exitCode, hours.stderr).toBe(0);
    expect(files(project, 'data/hourly')).toEqual([
      'hour=2024-01-01T22.txt',
      'hour=2024-01-01T23.txt',
      'hour=2024-01-02T00.txt',
    ]);
    // Weekdays only at 06:00 in Berlin: 2024-01-06/07 are a weekend.
    const weekdays = await project.dag([
      'backfill',
      'Daily',
      '--from',
      '2024-01-04',
      '--to',
      '2024-01-10',
      '--every',
      '0 6 * * 1-5',
      '--tz',
      'Europe/Berlin',
    ]);
    expect(weekdays.exitCode, weekdays.stderr).toBe(0);
    expect(files(project, 'data/daily/country=de')).toEqual([
      'date=2024-01-04.txt',
      'date=2024-01-05.txt',
      'date=2024-01-08.txt',
      'date=2024-01-09.txt',
    ]);
  });

  it('runs what partitions need upstream, and reports a failed partition with exit 1', async () => {
    const project = timeProject();
    const result = await project.dag(
      ['backfill', 'Features', '--from', '2024-01-01', '--to', '2024-01-04', '--json'],
      { env: { FAIL_PARTITION: '2024-01-02' } },
    );
    expect(result.exitCode).toBe(1);
    const doc = jsonOf(result);
    expect(doc.counts).toMatchObject({ total: 6, succeeded: 4, failed: 1, upstream_failed: 1 });
    expect(partitionsOf(doc).map((p) => [p.partition, p.status])).toEqual([
      ['2024-01-01', 'succeeded'],
      ['2024-01-02', 'upstream_failed'],
      ['2024-01-03', 'succeeded'],
    ]);
  });

  it('decides 3,650 days with 90% present and runs the 365 missing ones', async () => {
    const project = timeProject();
    const start = Date.UTC(2015, 0, 1);
    const day = (i: number) => new Date(start + i * 86_400_000).toISOString().slice(0, 10);
    for (let i = 0; i < 3650; i++) {
      if (i % 10 === 0) continue;
      const path = project.path(`data/daily/country=de/date=${day(i)}.txt`);
      if (i === 1) mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, 'x\n');
    }
    const result = await project.dag(
      ['backfill', 'Daily', '--from', day(0), '--to', day(3650), '--workers', '4', '--json'],
      { timeoutMs: 120_000 },
    );
    expect(result.exitCode, result.stderr).toBe(0);
    const doc = jsonOf(result);
    expect(doc.partitionCounts).toEqual({ total: 3650, present: 3285, missing: 365, toRun: 365 });
    expect(doc.counts).toMatchObject({ total: 365, succeeded: 365 });
    const ran = executions(project);
    expect(ran).toHaveLength(365);
    expect(new Set(ran).size).toBe(365);
    expect(ran.every((id) => /^Daily\(date=(\d{4}-\d{2}-\d{2})/.test(id))).toBe(true);
    expect(files(project, 'data/daily/country=de')).toHaveLength(3650);
  });

  it('names each mistake on one line with exit 2', async () => {
    const project = timeProject();
    const cases: [string[], string][] = [
      [
        ['backfill', 'Daily', '--to', '2024-01-05'],
        'dag: error: backfill needs a start: --from <value>, or a window like --days-back 30',
      ],
      [
        ['backfill', 'Daily', '--date', '2024-01-01', '--from', '2024-01-01'],
        'dag: error: --date is the parameter ranged over; use --from and --to (or --days-back)',
      ],
      [
        ['backfill', 'Daily', '--from', '2024-02-30'],
        'dag: error: Daily: --from: "2024-02-30" is not a valid date',
      ],
      [
        ['backfill', 'Daily', '--from', '2024-01-05', '--to', '2024-01-01'],
        'dag: error: partitions: from 2024-01-05 is after to 2024-01-01; swap them',
      ],
      [
        ['backfill', 'Daily', '--from', '2024-01-01', '--every', 'hour'],
        "dag: error: partitions: every 'hour' does not fit a date parameter (use 'day' or a cron expression)",
      ],
      [
        ['backfill', 'Daily', '--from', '2024-01-01', '--tz', 'Berlin'],
        'dag: error: unknown time zone "Berlin" (use an IANA name like Europe/Berlin)',
      ],
      [
        ['backfill', 'Daily', '--from', '2024-01-01', '--now', 'yesterday'],
        'dag: error: --now: "yesterday" is not a time; use 2024-05-10T06:00:00Z, or 2024-05-10T06:00 read in --tz',
      ],
      [
        ['backfill', 'Daily', '--days-back', '3', '--hours-back', '2'],
        'dag: error: give one of --days-back, --hours-back, not several',
      ],
      [
        ['backfill', 'Daily', '--from', '2024-01-01', '--param', 'country'],
        'dag: error: Daily: "country" is not a time parameter of it (candidates: date)',
      ],
    ];
    for (const [args, message] of cases) {
      const result = await project.dag(args);
      expect(result.stderr, args.join(' ')).toBe(message);
      expect(result.exitCode, args.join(' ')).toBe(2);
    }
    expect(executions(project)).toEqual([]);
  });
});
