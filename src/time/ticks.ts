/**
 * Cron ticks that are due at a given time, and the partitions they stand for: what `dag cron`
 * runs on each pass. Time is always passed in, never read from the clock here.
 */
import { Temporal } from 'temporal-polyfill';
import { UsageError } from '../errors.js';
import { parseDurationMs } from '../params/time.js';
import {
  MAX_PARTITIONS,
  instantOf,
  parseCron,
  partitionAt,
  zoneOf,
  type PartitionKind,
  type PartitionValue,
} from './partitions.js';

export interface DueOptions {
  /** A cron expression, read in `tz`: `0 6 * * *`. */
  cron: string;
  /** The current time. */
  now: Temporal.Instant | Date | string;
  /** Default `UTC`. */
  tz?: string;
  /**
   * Missed ticks before the latest one to run as well: a count (`3`), or a duration back from
   * the latest tick (`'2d'`: ticks less than 2 days older). Default 0: the latest tick only.
   */
  catchUp?: number | string;
}

/** The latest tick at or before `now`, and the missed ones the catch-up window allows, oldest first. */
export function dueTicks(options: DueOptions): Temporal.Instant[] {
  return ticksBefore(options, 0);
}

/** The first tick after `now`: when a `--watch` loop wakes up next. */
export function nextTick(cron: string, now: Temporal.Instant | Date | string, tz = 'UTC') {
  const ticks = parseCron(cron, { currentDate: new Date(instantOf(now).epochMilliseconds), tz });
  return Temporal.Instant.fromEpochMilliseconds(ticks.next().getTime());
}

export interface DuePartitionsOptions extends DueOptions {
  kind: PartitionKind;
  /**
   * Each tick stands for the interval it closes, Airflow's data-interval habit: the daily tick
   * at 06:00 runs yesterday's partition. Default false: the partition holding the tick.
   */
  previous?: boolean;
}

export interface DuePartition {
  readonly tick: Temporal.Instant;
  readonly value: PartitionValue;
}

/**
 * The partitions of the due ticks, oldest first. Ticks that fall in one partition (an hourly
 * cron and a date parameter; the hour repeated when clocks go back) give it once, with the
 * latest tick.
 */
export function duePartitions(options: DuePartitionsOptions): DuePartition[] {
  const tz = zoneOf(options.tz ?? 'UTC');
  const previous = options.previous ?? false;
  // The interval a tick closes starts at the tick before it.
  const ticks = ticksBefore(options, previous ? 1 : 0);
  const due: DuePartition[] = [];
  const start = previous ? 1 : 0;
  for (let i = start; i < ticks.length; i++) {
    const value = partitionAt(options.kind, ticks[previous ? i - 1 : i]!, tz);
    const last = due[due.length - 1];
    if (last && last.value.toString() === value.toString()) due.pop();
    due.push({ tick: ticks[i]!, value });
  }
  return due;
}

/** The due ticks with `extra` more ticks before the oldest, oldest first. */
function ticksBefore(options: DueOptions, extra: number): Temporal.Instant[] {
  const nowMs = instantOf(options.now).epochMilliseconds;
  const tz = zoneOf(options.tz ?? 'UTC');
  const catchUp = catchUpOf(options.catchUp ?? 0);
  const parse = (currentMs: number, endMs?: number) =>
    parseCron(options.cron, {
      currentDate: new Date(currentMs),
      ...(endMs === undefined ? {} : { endDate: new Date(endMs) }),
      tz,
    });

  // cron-parser's prev() skips a tick that a DST gap moved and doubles one that a DST overlap
  // repeats, so walking back only finds a point early enough to start from; the ticks are
  // counted forward from there, and the walk goes further back if that was too few.
  const back = parse(nowMs + 1);
  let startMs: number | undefined;
  let walked = 0;
  const walkBack = (): number => {
    if (++walked > MAX_PARTITIONS) tooMany(options.cron);
    return (startMs = back.prev().getTime());
  };
  if (!back.hasPrev()) return [];
  const latestBack = walkBack();
  if (typeof catchUp === 'number') for (let i = 0; i < catchUp + extra; i++) walkBack();
  else {
    while (startMs! > latestBack - catchUp.ms && back.hasPrev()) walkBack();
    for (let i = 0; i < extra; i++) walkBack();
  }
  for (;;) {
    const forward = parse(startMs! - 1, nowMs);
    const all: number[] = [];
    while (forward.hasNext()) {
      all.push(forward.next().getTime());
      if (all.length > MAX_PARTITIONS) tooMany(options.cron);
    }
    const latest = all[all.length - 1]!;
    const firstDue =
      typeof catchUp === 'number'
        ? all.length - 1 - catchUp
        : all.findIndex((tick) => tick > latest - catchUp.ms);
    const first = firstDue - extra;
    if (first >= 0 || !back.hasPrev()) {
      return all.slice(Math.max(0, first)).map((ms) => Temporal.Instant.fromEpochMilliseconds(ms));
    }
    for (let i = first; i < 0; i++) walkBack();
  }
}

function catchUpOf(catchUp: number | string): number | { ms: number } {
  if (typeof catchUp === 'number' || /^\d+$/.test(catchUp)) {
    const count = Number(catchUp);
    if (!Number.isSafeInteger(count) || count < 0 || count > MAX_PARTITIONS) {
      throw new UsageError(
        `catch-up: expected a number of ticks (0 to ${MAX_PARTITIONS}) or a duration like 3d, got ${JSON.stringify(catchUp)}`,
      );
    }
    return count;
  }
  try {
    return { ms: parseDurationMs(catchUp) };
  } catch (error) {
    throw new UsageError(
      `catch-up: ${(error as Error).message} (or give a number of ticks, like 3)`,
    );
  }
}

function tooMany(cron: string): never {
  throw new UsageError(
    `catch-up: more than ${MAX_PARTITIONS.toLocaleString('en-US')} ticks of ${JSON.stringify(cron)}; use a shorter catch-up window`,
  );
}
