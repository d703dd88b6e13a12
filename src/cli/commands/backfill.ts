/**
 * `dag backfill <Family> --from A --to B`: the missing partitions of a range, decided with one
 * bulk check and run oldest first (or newest first), at most `--limit` of them.
 */
import type { Command } from 'commander';
import { Temporal } from 'temporal-polyfill';
import { UsageError } from '../../errors.js';
import { runPartitions } from '../../time/backfill.js';
import type { PartitionedFamily } from '../../time/partition-family.js';
import { partitionAt, partitions, type PartitionValue } from '../../time/partitions.js';
import { nonNegativeInt } from '../command.js';
import type { Output } from '../main.js';
import {
  addPartitionOptions,
  clockFrom,
  partitionDocument,
  partitionSummary,
  partitionedFrom,
  zoneFrom,
} from '../partition-command.js';
import type { Prescan } from '../prescan.js';
import { prepareFamily } from '../task-command.js';
import { addRunOptions, runWithReporter } from './run.js';

const BACK = {
  daysBack: { flag: '--days-back', unit: 'days' },
  hoursBack: { flag: '--hours-back', unit: 'hours' },
  monthsBack: { flag: '--months-back', unit: 'months' },
} as const;

function addBackfillOptions(command: Command): void {
  command
    .option('--from <value>', 'first partition (inclusive), e.g. 2024-01-01')
    .option('--to <value>', 'end (exclusive; default: the current partition, which is not over)')
    .option(
      '--every <step>',
      'day, month, hour, minute or a cron expression (default: the step of the parameter)',
    )
    .option('--reverse', 'newest first (default oldest first)');
  for (const { flag, unit } of Object.values(BACK))
    command.option(
      `${flag} <n>`,
      `start at most <n> ${unit} before now (Luigi's ${flag.slice(2).replace('-', '_')})`,
      nonNegativeInt(flag),
    );
  addPartitionOptions(command);
  addRunOptions(command);
}

export async function backfillCommand(
  argv: readonly string[],
  pre: Prescan,
  cwd: string,
  out: Output,
): Promise<number> {
  const invocation = await prepareFamily(
    {
      name: 'backfill',
      description: 'Run the missing partitions of a task family between two times.',
      addOptions: addBackfillOptions,
    },
    argv,
    pre,
    cwd,
  );
  const { options } = invocation;
  const family = partitionedFrom(invocation);
  const tz = zoneFrom(options);
  const now = clockFrom(options, tz)();
  const values = rangeOf(family, options, tz, now);
  return runWithReporter(invocation, out, async (runOptions) => {
    const result = await runPartitions(family, values, {
      ...runOptions,
      limit: options.limit as number | undefined,
    });
    return {
      exitCode: result.run.exitCode,
      json: partitionDocument(result, { now: now.toString() }),
      text: partitionSummary(result),
    };
  });
}

/** The partitions from `--from`/`--to` and the window back from now, in run order. */
function rangeOf(
  family: PartitionedFamily,
  options: Record<string, unknown>,
  tz: string,
  now: Temporal.Instant,
): PartitionValue[] {
  const backs = Object.entries(BACK).filter(([key]) => options[key] !== undefined);
  if (backs.length > 1)
    throw new UsageError(`give one of ${backs.map(([, b]) => b.flag).join(', ')}, not several`);
  if (options.from === undefined && backs.length === 0) {
    throw new UsageError('backfill needs a start: --from <value>, or a window like --days-back 30');
  }
  const to =
    options.to === undefined ? partitionAt(family.kind, now, tz) : family.value('--to', options.to);
  let from = options.from === undefined ? undefined : family.value('--from', options.from);
  if (backs.length === 1) {
    const [key, { unit }] = backs[0]!;
    const start = now.toZonedDateTimeISO(tz).subtract({ [unit]: options[key] as number });
    const windowStart = partitionAt(family.kind, start.toInstant(), tz);
    if (from === undefined || before(from, windowStart)) from = windowStart;
    // The window may lie wholly after --to: nothing to do, not a reversed range.
    if (!before(from, to)) return [];
  }
  return partitions({
    kind: family.kind,
    from: from!,
    to,
    every: options.every as string | undefined,
    tz,
    reverse: (options.reverse as boolean | undefined) ?? false,
  });
}

/** Whether partition `a` starts before `b` (their canonical texts sort by time). */
function before(a: PartitionValue, b: PartitionValue): boolean {
  return a.toString() < b.toString();
}
