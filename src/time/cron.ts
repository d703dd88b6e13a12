/**
 * One pass of a cron container: the partitions due at `now` (the latest tick and the missed
 * ones within the catch-up window), decided in bulk, the missing ones run. Stateless: what is
 * done is what exists, so any number of passes, overlapping or not, build each partition once.
 */
import { Temporal } from 'temporal-polyfill';
import { partitionedFamily, type ArgsOf, type RangeFamily } from './partition-family.js';
import { runPartitions, type BackfillResult, type PartitionRunOptions } from './backfill.js';
import { duePartitions } from './ticks.js';

export interface CronPassOptions<F> extends PartitionRunOptions {
  /** The schedule, a cron expression read in `tz`: `0 6 * * *`. */
  cron: string;
  /** The current time. Default: the clock. Tests and `--now` pass it in. */
  now?: Temporal.Instant | Date | string;
  /** Default `UTC`. */
  tz?: string;
  /** Missed ticks to run as well: a count, or a duration back from the latest tick. Default 0. */
  catchUp?: number | string;
  /** Each tick runs the interval it closes (Airflow's data interval). Default false. */
  previous?: boolean;
  /** The time parameter. Default: the family's only date, month, dateHour or dateMinute. */
  param?: string;
  /** The family's other parameters. */
  params?: Partial<ArgsOf<F>>;
}

export async function cronPass<F extends RangeFamily>(
  Family: F,
  options: CronPassOptions<F>,
): Promise<BackfillResult> {
  const family = partitionedFamily(Family, { param: options.param, params: options.params });
  const due = duePartitions({
    cron: options.cron,
    now: options.now ?? Temporal.Now.instant(),
    tz: options.tz,
    catchUp: options.catchUp,
    kind: family.kind,
    previous: options.previous,
  });
  return runPartitions(
    family,
    due.map((d) => d.value),
    options,
    due.map((d) => d.tick.toString()),
  );
}
