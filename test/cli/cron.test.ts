/** `dag cron`: one pass per tick with catch-up, safe overlap, DST, data intervals and --watch. */
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { dagBin, jsonOf, waitFor } from '../helpers/project.js';
import { executions, files, timeProject } from '../helpers/time-project.js';

const partitionsOf = (doc: Record<string, unknown>) =>
  (doc.partitions as { partition: string; status: string; tick: string }[]).map(
    (p) => `${p.partition} ${p.status} @ ${p.tick}`,
  );

describe('dag cron', () => {
  it('one pass runs the latest tick; the next pass at the same time has nothing to do', async () => {
    const project = timeProject();
    const args = ['cron', '0 6 * * *', 'Daily', '--now', '2024-01-10T07:00:00Z', '--json'];
    const first = await project.dag(args);
    expect(first.exitCode, first.stderr).toBe(0);
    const doc = jsonOf(first);
    expect(doc).toMatchObject({
      status: 'success',
      schedule: '0 6 * * *',
      tz: 'UTC',
      now: '2024-01-10T07:00:00Z',
    });
    expect(partitionsOf(doc)).toEqual(['2024-01-10 succeeded @ 2024-01-10T06:00:00Z']);
    const second = await project.dag(args);
    expect(second.exitCode).toBe(0);
    expect(jsonOf(second)).toMatchObject({ status: 'nothing_to_do' });
    expect(partitionsOf(jsonOf(second))).toEqual(['2024-01-10 complete @ 2024-01-10T06:00:00Z']);
    expect(executions(project)).toEqual(['Daily(date=2024-01-10, country=de)']);
  });

  it('after an outage of 3 ticks, catch-up runs exactly the 3 missed partitions', async () => {
    const project = timeProject();
    const pass = (now: string) =>
      project.dag(['cron', '0 6 * * *', 'Daily', '--catch-up', '5', '--now', now, '--json']);
    const before = await pass('2024-01-05T07:00:00Z');
    expect(before.exitCode, before.stderr).toBe(0);
    expect(executions(project)).toHaveLength(6);
    // No pass on the 6th, 7th and 8th; the container is back after the tick of the 8th.
    const after = await pass('2024-01-08T06:30:00Z');
    expect(after.exitCode, after.stderr).toBe(0);
    expect(jsonOf(after).partitionCounts).toEqual({ total: 6, present: 3, missing: 3, toRun: 3 });
    expect(executions(project).slice(6)).toEqual([
      'Daily(date=2024-01-06, country=de)',
      'Daily(date=2024-01-07, country=de)',
      'Daily(date=2024-01-08, country=de)',
    ]);
  });

  it('five overlapping passes build each partition exactly once', async () => {
    const project = timeProject();
    const results = await Promise.all(
      Array.from({ length: 5 }, () =>
        project.dag(
          [
            'cron',
            '0 * * * *',
            'Hourly',
            '--catch-up',
            '5',
            '--now',
            '2024-01-10T12:10:00Z',
            '--workers',
            '2',
            '--json',
          ],
          { env: { TASK_DELAY_MS: '300' } },
        ),
      ),
    );
    for (const result of results) expect(result.exitCode, result.stderr).toBe(0);
    const ran = executions(project);
    expect(ran.sort()).toEqual([
      'Hourly(hour=2024-01-10T07)',
      'Hourly(hour=2024-01-10T08)',
      'Hourly(hour=2024-01-10T09)',
      'Hourly(hour=2024-01-10T10)',
      'Hourly(hour=2024-01-10T11)',
      'Hourly(hour=2024-01-10T12)',
    ]);
    // Every pass reports every partition done, whoever built it.
    for (const result of results) {
      const statuses = (jsonOf(result).partitions as { status: string }[]).map((p) => p.status);
      expect(statuses.every((s) => s === 'succeeded' || s === 'complete')).toBe(true);
    }
    expect(files(project, 'data/hourly')).toHaveLength(6);
  });

  it('in Europe/Berlin, the daily 02:30 tick on the day clocks spring forward is not skipped', async () => {
    const project = timeProject();
    const result = await project.dag([
      'cron',
      '30 2 * * *',
      'Daily',
      '--tz',
      'Europe/Berlin',
      '--catch-up',
      '3',
      '--now',
      '2024-04-01T12:00',
      '--json',
    ]);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(partitionsOf(jsonOf(result))).toEqual([
      '2024-03-29 succeeded @ 2024-03-29T01:30:00Z',
      '2024-03-30 succeeded @ 2024-03-30T01:30:00Z',
      '2024-03-31 succeeded @ 2024-03-31T01:30:00Z',
      '2024-04-01 succeeded @ 2024-04-01T00:30:00Z',
    ]);
  });

  it('with --previous, each tick runs the interval it closes (data intervals)', async () => {
    const project = timeProject();
    const result = await project.dag([
      'cron',
      '0 0 1 * *',
      'Monthly',
      '--previous',
      '--catch-up',
      '1',
      '--now',
      '2024-03-15T00:00:00Z',
      '--json',
    ]);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(partitionsOf(jsonOf(result))).toEqual([
      '2024-01 succeeded @ 2024-02-01T00:00:00Z',
      '2024-02 succeeded @ 2024-03-01T00:00:00Z',
    ]);
  });

  it('exits 1 when a partition fails, and the next pass retries only that one', async () => {
    const project = timeProject();
    const args = ['cron', '0 6 * * *', 'Daily', '--catch-up', '2', '--now', '2024-01-10T07:00:00Z'];
    const failing = await project.dag(args, { env: { FAIL_PARTITION: '2024-01-09' } });
    expect(failing.exitCode).toBe(1);
    expect(failing.stdout).toContain(
      'failed: Daily(date=2024-01-09, country=de): no data for 2024-01-09',
    );
    const retry = await project.dag(args);
    expect(retry.exitCode, retry.stderr).toBe(0);
    expect(executions(project)).toEqual([
      'Daily(date=2024-01-08, country=de)',
      'Daily(date=2024-01-09, country=de)',
      'Daily(date=2024-01-10, country=de)',
      'Daily(date=2024-01-09, country=de)',
    ]);
  });

  it('--watch sleeps until the next tick, runs it, and exits 0 on SIGTERM between passes', async () => {
    const project = timeProject();
    // The clock starts at --now and runs in real time: the next minute is 3 s away.
    const child = execa(
      process.execPath,
      [dagBin, 'cron', '* * * * *', 'Minutely', '--watch', '--now', '2024-01-10T12:00:57Z'],
      { cwd: project.dir, reject: false, env: { CI: '1' }, stdin: 'ignore', timeout: 60_000 },
    );
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    // Between passes: the second has finished and the loop sleeps until 12:02.
    await waitFor(() => stderr.includes('next pass at 2024-01-10T12:02:00+00:00[UTC]'), 30_000);
    child.kill('SIGTERM');
    const result = await child;
    expect(result.exitCode, result.stderr).toBe(0);
    expect(files(project, 'data/minutely')).toEqual([
      'minute=2024-01-10T1200.txt',
      'minute=2024-01-10T1201.txt',
    ]);
    expect(result.stderr).toContain('next pass at 2024-01-10T12:01:00+00:00[UTC]');
    expect(result.stderr).toContain('SIGTERM: no pass running; exiting');
  });

  it('names each mistake on one line with exit 2', async () => {
    const project = timeProject();
    const cases: [string[], string][] = [
      [
        ['cron', 'Daily'],
        'dag: error: missing task family: dag cron <schedule> <Family> [--param value]...; known: Daily, Features, Hourly, Minutely, Monthly',
      ],
      [
        ['cron', '0 25 * * *', 'Daily'],
        'dag: error: schedule "0 25 * * *" is not a valid cron expression (Constraint error, got value 25 expected range 0-23); five fields: minute hour day-of-month month day-of-week, e.g. \'0 6 * * *\'',
      ],
      [
        ['cron', '0 6 * * *', 'Daily', '--date', '2024-01-01'],
        'dag: error: --date is the parameter the schedule sets; leave it out',
      ],
      [
        ['cron', '0 6 * * *', 'Daily', '--catch-up', 'a while'],
        'dag: error: catch-up: expected a duration like 90s, 1h30m, 2d or PT1H, got "a while" (or give a number of ticks, like 3)',
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
