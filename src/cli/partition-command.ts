/**
 * What `dag backfill` and `dag cron` share: the family's time parameter left open, `--now`,
 * `--tz` and `--limit`, the run options, and a report that lists every partition.
 */
import type { Command } from 'commander';
import { Temporal } from 'temporal-polyfill';
import { UsageError } from '../errors.js';
import { flagName } from '../task-class.js';
import type { BackfillResult } from '../time/backfill.js';
import { partitionedFamily, type PartitionedFamily } from '../time/partition-family.js';
import { instantOf, zoneOf } from '../time/partitions.js';
import { nonNegativeInt } from './command.js';
import type { FamilyInvocation } from './task-command.js';
import { runDocument, summaryText } from './render/summary.js';

export function addPartitionOptions(command: Command): void {
  command
    .option('--param <name>', "the time parameter (default: the family's only one)")
    .option('--tz <zone>', 'time zone of the schedule and of --now (default UTC)')
    .option(
      '--limit <n>',
      'run at most this many missing partitions, the first in order',
      nonNegativeInt('--limit'),
    )
    .option(
      '--now <time>',
      'the current time, e.g. 2024-05-10T06:00:00Z (default: the clock; for tests and replays)',
    );
}

/** The family with its time parameter open and the other parameters from the flags. */
export function partitionedFrom(invocation: FamilyInvocation): PartitionedFamily {
  const { family, args, options } = invocation;
  const { param } = partitionedFamily(family.cls, { param: options.param as string | undefined });
  if (args[param] !== undefined) {
    const cron = invocation.command.name() === 'cron';
    throw new UsageError(
      `--${flagName(param)} is the parameter ${cron ? 'the schedule sets; leave it out' : 'ranged over; use --from and --to (or --days-back)'}`,
    );
  }
  return partitionedFamily(family.cls, { param, params: args });
}

/** The time zone of `--tz`, canonical. */
export function zoneFrom(options: Record<string, unknown>): string {
  return zoneOf((options.tz as string | undefined) ?? 'UTC');
}

/**
 * `--now`: an instant with offset, or a local date-time read in `tz`. Without it, the clock.
 * Returns a clock: `--now` stands still for one pass, and a `--watch` loop started at `--now`
 * (`advancing`) runs on from it in real time.
 */
export function clockFrom(
  options: Record<string, unknown>,
  tz: string,
  advancing = false,
): () => Temporal.Instant {
  const text = options.now as string | undefined;
  if (text === undefined) return () => Temporal.Now.instant();
  const start = nowOf(text, tz);
  if (!advancing) return () => start;
  const since = performance.now();
  return () => start.add({ milliseconds: Math.round(performance.now() - since) });
}

function nowOf(text: string, tz: string): Temporal.Instant {
  if (/[zZ]|[+-]\d{2}:?\d{2}$/.test(text)) {
    try {
      return instantOf(text);
    } catch {
      // falls through to the message below
    }
  } else {
    try {
      return Temporal.PlainDateTime.from(text).toZonedDateTime(tz).toInstant();
    } catch {
      // falls through to the message below
    }
  }
  throw new UsageError(
    `--now: ${JSON.stringify(text)} is not a time; use 2024-05-10T06:00:00Z, or 2024-05-10T06:00 read in --tz`,
  );
}

/** The `--json` document: the run's, plus the partitions with their status. */
export function partitionDocument(
  result: BackfillResult,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    ...runDocument(result.run),
    family: result.family,
    param: result.param,
    ...extra,
    partitionCounts: result.partitionCounts,
    partitions: result.partitions,
  };
}

/** The end-of-run text: the partitions, then the run's summary. */
export function partitionSummary(result: BackfillResult): string {
  const { total, present, missing, toRun } = result.partitionCounts;
  const beyond = missing - toRun;
  const head = `${result.family}: ${total} partition${total === 1 ? '' : 's'}, ${present} present, ${missing} missing${beyond > 0 ? ` (${beyond} beyond --limit)` : ''}`;
  return `${head}\n${summaryText(result.run)}`;
}
