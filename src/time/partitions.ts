/**
 * The partitions of a time parameter between two values: every day, month, hour or minute, or
 * every tick of a cron expression. `from` is inclusive and `to` exclusive, like Luigi's ranges.
 */
import type { CronExpression } from 'cron-parser';
import { createRequire } from 'node:module';
import { Temporal } from 'temporal-polyfill';
import { UsageError } from '../errors.js';
import { date, dateHour, dateMinute, month } from '../params/time.js';
import type { AnyParam, ParamSpec } from '../params/param.js';

/** The time parameter kinds that have partitions. */
export type PartitionKind = NonNullable<ParamSpec<unknown, unknown>['timeKind']>;

/** The value a partition of each kind has: the parameter kind's own value type. */
export interface PartitionValues {
  date: Temporal.PlainDate;
  month: Temporal.PlainYearMonth;
  dateHour: Temporal.PlainDateTime;
  dateMinute: Temporal.PlainDateTime;
}
export type PartitionValue<K extends PartitionKind = PartitionKind> = PartitionValues[K];

/** A fixed step, or a cron expression such as `0 6 * * *`. */
export type Every = 'day' | 'month' | 'hour' | 'minute' | (string & {});

export interface PartitionOptions<K extends PartitionKind = PartitionKind> {
  kind: K;
  /** First partition (inclusive), as a value or its text: `2024-01-01`, `2024-01`, `2024-01-01T06`. */
  from: PartitionValue<K> | string;
  /** End (exclusive). */
  to: PartitionValue<K> | string;
  /** Default: the kind's own step (date: day, month: month, dateHour: hour, dateMinute: minute). */
  every?: Every;
  /** Time zone a cron expression is read in. Default `UTC`. */
  tz?: string;
  /** Newest first. Default false: oldest first. */
  reverse?: boolean;
  /** At most this many, taken from the start of the order (the newest ones when `reverse`). */
  limit?: number;
}

/** More partitions than this is almost surely a mistake, and would not fit in memory anyway. */
export const MAX_PARTITIONS = 1_000_000;

const STEP_OF_KIND: Record<PartitionKind, 'day' | 'month' | 'hour' | 'minute'> = {
  date: 'day',
  month: 'month',
  dateHour: 'hour',
  dateMinute: 'minute',
};

const PARAM_OF_KIND: Record<PartitionKind, () => AnyParam> = {
  date: () => date(),
  month: () => month(),
  dateHour: () => dateHour(),
  dateMinute: () => dateMinute(),
};

/** The step a kind has unless told otherwise. */
export function defaultStep(kind: PartitionKind): Every {
  return STEP_OF_KIND[kind];
}

const FIXED_STEPS: ReadonlySet<string> = new Set(['day', 'month', 'hour', 'minute']);

/** The partition kind of a declared parameter, or undefined when it is not a time kind. */
export function partitionKindOf(param: AnyParam): PartitionKind | undefined {
  return param.spec.timeKind;
}

/** Every partition in [from, to), oldest first unless `reverse`. */
export function partitions<K extends PartitionKind>(
  options: PartitionOptions<K>,
): PartitionValue<K>[] {
  const { kind } = options;
  if (!(kind in STEP_OF_KIND)) {
    throw new UsageError(
      `partitions: unknown kind ${JSON.stringify(kind)} (use date, month, dateHour or dateMinute)`,
    );
  }
  const from = valueOf(kind, 'from', options.from);
  const to = valueOf(kind, 'to', options.to);
  if (compare(kind, from, to) > 0) {
    throw new UsageError(
      `partitions: from ${show(kind, from)} is after to ${show(kind, to)}; swap them`,
    );
  }
  const limit = checkedLimit(options.limit);
  const every = options.every ?? STEP_OF_KIND[kind];
  const values = FIXED_STEPS.has(every)
    ? fixedSteps(kind, every, from, to, options.reverse ?? false, limit)
    : cronTicks(kind, every, from, to, options.tz ?? 'UTC', options.reverse ?? false, limit);
  return values as PartitionValue<K>[];
}

export interface WindowOptions<K extends PartitionKind = PartitionKind> {
  kind: K;
  /** The current time; injectable so that tests and `--now` never read the wall clock. */
  now: Temporal.Instant | Date | string;
  /** How many partitions back from the current one the window starts. */
  back: number;
  /** How many partitions after the current one the window ends (exclusive). Default 0. */
  forward?: number;
  /** Where `now` is read as a calendar value. Default `UTC`. */
  tz?: string;
}

/**
 * A window relative to now, like Luigi's `days_back`/`days_forward`: with `back: 30` and the
 * default `forward: 0`, the 30 partitions before the current one (which is not over yet).
 */
export function windowFromNow<K extends PartitionKind>(
  options: WindowOptions<K>,
): { from: PartitionValue<K>; to: PartitionValue<K> } {
  const { kind, back, forward = 0 } = options;
  for (const [name, count] of [
    ['back', back],
    ['forward', forward],
  ] as const) {
    if (!Number.isInteger(count) || count < 0)
      throw new UsageError(`windowFromNow: ${name} must be a whole number >= 0, got ${count}`);
  }
  const wall = instantOf(options.now).toZonedDateTimeISO(zoneOf(options.tz ?? 'UTC'));
  const current = toKind(kind, wall.toPlainDateTime());
  return {
    from: addSteps(kind, current, -back) as PartitionValue<K>,
    to: addSteps(kind, current, forward) as PartitionValue<K>,
  };
}

/** The partition holding an instant, read as wall-clock time in `tz`. */
export function partitionAt(
  kind: PartitionKind,
  instant: Temporal.Instant,
  tz = 'UTC',
): PartitionValue {
  return toKind(kind, instant.toZonedDateTimeISO(zoneOf(tz)).toPlainDateTime());
}

/** A partition's canonical text: what the parameter shows on the command line and in paths. */
export function partitionText(kind: PartitionKind, value: PartitionValue): string {
  return show(kind, value);
}

/** A partition given as a value or its text, checked against the kind. */
export function partitionValue(kind: PartitionKind, name: string, given: unknown): PartitionValue {
  return valueOf(kind, name, given);
}

/** Steps from one partition to another (negative when `to` is earlier). */
export function partitionsBetween(kind: PartitionKind, from: PartitionValue, to: PartitionValue) {
  return stepsBetween(kind, from, to);
}

type Value = PartitionValue;

function valueOf(kind: PartitionKind, name: string, given: unknown): Value {
  try {
    return PARAM_OF_KIND[kind]().coerce(given) as Value;
  } catch (error) {
    throw new UsageError(`partitions: ${name}: ${(error as Error).message}`);
  }
}

function checkedLimit(limit: number | undefined): number {
  if (limit === undefined) return Infinity;
  if (!Number.isInteger(limit) || limit < 0)
    throw new UsageError(`partitions: limit must be a whole number >= 0, got ${limit}`);
  return limit;
}

function fixedSteps(
  kind: PartitionKind,
  every: string,
  from: Value,
  to: Value,
  reverse: boolean,
  limit: number,
): Value[] {
  if (every !== STEP_OF_KIND[kind]) {
    throw new UsageError(
      `partitions: every '${every}' does not fit a ${kind} parameter (use '${STEP_OF_KIND[kind]}' or a cron expression)`,
    );
  }
  const total = stepsBetween(kind, from, to);
  const count = Math.min(total, limit);
  checkBound(count, kind, from, to);
  const values: Value[] = new Array<Value>(count);
  // Counted from `from`, so reverse and limit take their values without a second pass.
  const step = stepsFrom(kind, from);
  for (let i = 0; i < count; i++) values[i] = step(reverse ? total - 1 - i : i);
  return values;
}

function stepsBetween(kind: PartitionKind, from: Value, to: Value): number {
  if (kind === 'month') {
    const a = from as Temporal.PlainYearMonth;
    const b = to as Temporal.PlainYearMonth;
    return (b.year - a.year) * 12 + (b.month - a.month);
  }
  if (kind === 'date')
    return (from as Temporal.PlainDate).until(to as Temporal.PlainDate, { largestUnit: 'days' })
      .days;
  const span = (from as Temporal.PlainDateTime).until(to as Temporal.PlainDateTime, {
    largestUnit: kind === 'dateHour' ? 'hours' : 'minutes',
  });
  return kind === 'dateHour' ? span.hours : span.minutes;
}

function addSteps(kind: PartitionKind, value: Value, n: number): Value {
  return stepsFrom(kind, value)(n);
}

/**
 * The partitions n steps after `value`. Days, hours and minutes are counted on a UTC epoch and
 * each value is built from its fields: the polyfill's add() costs twice as much, which counts
 * when a range has 87,600 hours (plain values have no zone, so no DST here).
 */
function stepsFrom(kind: PartitionKind, value: Value): (n: number) => Value {
  if (kind === 'month') return (n) => (value as Temporal.PlainYearMonth).add({ months: n });
  const stepMs = kind === 'date' ? DAY_MS : kind === 'dateHour' ? HOUR_MS : MINUTE_MS;
  const v = value as Temporal.PlainDateTime;
  // setUTCFullYear, unlike Date.UTC, leaves years 0 to 99 alone.
  const base = new Date(0);
  base.setUTCFullYear(v.year, v.month - 1, v.day);
  if (kind !== 'date') base.setUTCHours(v.hour, v.minute);
  const baseMs = base.getTime();
  return (n) => {
    const at = new Date(baseMs + n * stepMs);
    const [year, month, day] = [at.getUTCFullYear(), at.getUTCMonth() + 1, at.getUTCDate()];
    if (kind === 'date') return new Temporal.PlainDate(year, month, day);
    return new Temporal.PlainDateTime(year, month, day, at.getUTCHours(), at.getUTCMinutes());
  };
}

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/**
 * Cron ticks are instants in `tz`; each maps to the partition holding its wall-clock time.
 * Ticks that map to the same partition (the repeated hour when clocks go back, or several
 * ticks a day for a date parameter) give that partition once.
 */
function cronTicks(
  kind: PartitionKind,
  expression: string,
  from: Value,
  to: Value,
  tz: string,
  reverse: boolean,
  limit: number,
): Value[] {
  const zone = zoneOf(tz);
  const start = startOf(kind, from).toZonedDateTime(zone).epochMilliseconds;
  const end = startOf(kind, to).toZonedDateTime(zone).epochMilliseconds;
  // Always forward: cron-parser's prev() skips a tick moved by a DST gap (02:30 on the day
  // clocks spring forward). Its next() is strict and its endDate inclusive: step 1 ms outside.
  const ticks = parseCron(
    expression,
    { currentDate: new Date(start - 1), endDate: new Date(end - 1), tz: zone },
    (reason) =>
      `partitions: every ${JSON.stringify(expression)} is neither day, month, hour, minute nor a valid cron expression (${reason})`,
  );
  const values: Value[] = [];
  let last: Value | undefined;
  const wanted = reverse ? Infinity : limit;
  while (values.length < wanted && ticks.hasNext()) {
    const value = partitionAt(
      kind,
      Temporal.Instant.fromEpochMilliseconds(ticks.next().getTime()),
      zone,
    );
    if (last !== undefined && compare(kind, last, value) === 0) continue;
    values.push((last = value));
    checkBound(values.length, kind, from, to);
  }
  if (!reverse) return values;
  values.reverse();
  return values.length > limit ? values.slice(0, limit) : values;
}

/** A cron expression read in `tz`; a one-line usage error when it is not one. */
export function parseCron(
  expression: string,
  options: { currentDate: Date; startDate?: Date; endDate?: Date; tz: string },
  invalid: (reason: string) => string = (reason) =>
    `schedule ${JSON.stringify(expression)} is not a valid cron expression (${reason}); five fields: minute hour day-of-month month day-of-week, e.g. '0 6 * * *'`,
): CronExpression {
  try {
    return cronParser().CronExpressionParser.parse(expression, { ...options, strict: false });
  } catch (error) {
    throw new UsageError(invalid((error as Error).message));
  }
}

function checkBound(count: number, kind: PartitionKind, from: Value, to: Value): void {
  if (count <= MAX_PARTITIONS) return;
  throw new UsageError(
    `partitions: more than ${MAX_PARTITIONS.toLocaleString('en-US')} partitions between ${show(kind, from)} and ${show(kind, to)}; narrow from/to, set a limit or use a coarser every`,
  );
}

/** The wall-clock time a partition starts at, for comparing with cron ticks. */
function startOf(kind: PartitionKind, value: Value): Temporal.PlainDateTime {
  if (kind === 'month')
    return (value as Temporal.PlainYearMonth).toPlainDate({ day: 1 }).toPlainDateTime();
  if (kind === 'date') return (value as Temporal.PlainDate).toPlainDateTime();
  return value as Temporal.PlainDateTime;
}

/** The partition holding a wall-clock time: its date, month, hour or minute. */
function toKind(kind: PartitionKind, wall: Temporal.PlainDateTime): Value {
  switch (kind) {
    case 'date':
      return wall.toPlainDate();
    case 'month':
      return wall.toPlainDate().toPlainYearMonth();
    case 'dateHour':
      return wall.round({ smallestUnit: 'hour', roundingMode: 'floor' });
    case 'dateMinute':
      return wall.round({ smallestUnit: 'minute', roundingMode: 'floor' });
  }
}

function compare(kind: PartitionKind, a: Value, b: Value): number {
  return Temporal.PlainDateTime.compare(startOf(kind, a), startOf(kind, b));
}

function show(kind: PartitionKind, value: Value): string {
  return PARAM_OF_KIND[kind]().serialize(value);
}

/** A time zone's canonical IANA name; a one-line usage error for an unknown one. */
export function zoneOf(tz: string): string {
  try {
    // Any fixed instant will do: this only checks and normalizes the name.
    return Temporal.Instant.fromEpochMilliseconds(0).toZonedDateTimeISO(tz).timeZoneId;
  } catch {
    throw new UsageError(
      `unknown time zone ${JSON.stringify(tz)} (use an IANA name like Europe/Berlin)`,
    );
  }
}

/** An instant from a Temporal.Instant, a Date or an ISO text with offset. */
export function instantOf(now: Temporal.Instant | Date | string): Temporal.Instant {
  if (now instanceof Temporal.Instant) return now;
  if (now instanceof Date) return Temporal.Instant.fromEpochMilliseconds(now.getTime());
  try {
    return Temporal.Instant.from(now);
  } catch {
    throw new UsageError(
      `now: ${JSON.stringify(now)} is not an instant (use an ISO time with offset, like 2024-05-10T13:00:00Z)`,
    );
  }
}

/** Loaded on first use: most runs never read a cron expression (it costs ~30 ms to load). */
let loaded: typeof import('cron-parser') | undefined;
export function cronParser(): typeof import('cron-parser') {
  return (loaded ??= createRequire(import.meta.url)('cron-parser') as typeof import('cron-parser'));
}
