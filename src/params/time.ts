/**
 * Calendar parameters. Values are Temporal plain types: no time zone, so a date is the same
 * date on every machine. Canonical forms follow Luigi and contain no ':' (unsafe on HDFS).
 */
import { Temporal } from 'temporal-polyfill';
import { DateInterval } from '../time/date-interval.js';
import { Param, ParamValueError, show, type HasDefault, type ParamOptions } from './param.js';

type Options<In> = ParamOptions<In>;

/** Accepts our Temporal objects, other Temporal implementations (via their ISO string), and text. */
function textOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null && !(value instanceof Date)) return String(value);
  return undefined;
}

function wrongType(value: unknown, expected: string): ParamValueError {
  const hint =
    value instanceof Date ? ' (a JS Date carries a time zone; pass a string instead)' : '';
  return new ParamValueError(`expected ${expected}, got ${show(value)}${hint}`);
}

function tryParse<T>(text: string, expected: string, make: () => T): T {
  try {
    return make();
  } catch {
    throw new ParamValueError(`${show(text)} is not a valid ${expected}`);
  }
}

// Canonical texts are built from the fields: the polyfill's toString() costs about 1 us more
// per value, which counts when a range builds 87,600 tasks. Years are 4 digits, as parsed.
const pad2 = (n: number): string => (n < 10 ? '0' + n : String(n));
const year4 = (n: number): string => String(n).padStart(4, '0');

/** Canonical texts are ISO dates: a value in another calendar would read as other fields. */
function isoCalendar<T extends { readonly calendarId: string; toString(): string }>(value: T): T {
  if (value.calendarId === 'iso8601') return value;
  throw new ParamValueError(
    `${show(value.toString())} is in the ${value.calendarId} calendar; pass an ISO date (withCalendar('iso8601'))`,
  );
}

const DATE_TEXT = /^\d{4}-\d{2}-\d{2}$/;

function parseDate(text: string): Temporal.PlainDate {
  if (!DATE_TEXT.test(text))
    throw new ParamValueError(`expected a date YYYY-MM-DD, got ${show(text)}`);
  return tryParse(text, 'date', () => Temporal.PlainDate.from(text, { overflow: 'reject' }));
}

export function date<const O extends Options<Temporal.PlainDate | string> = {}>(
  options?: O,
): Param<Temporal.PlainDate, Temporal.PlainDate | string, HasDefault<O>> {
  return new Param(
    {
      typeName: 'date (YYYY-MM-DD)',
      timeKind: 'date',
      coerce: (value) => {
        if (value instanceof Temporal.PlainDate) return isoCalendar(value);
        const text = textOf(value);
        if (text === undefined) throw wrongType(value, 'a date YYYY-MM-DD');
        return parseDate(text);
      },
      parse: parseDate,
      serialize: (value) => `${year4(value.year)}-${pad2(value.month)}-${pad2(value.day)}`,
    },
    options ?? {},
  );
}

const MONTH_TEXT = /^\d{4}-\d{2}$/;

function parseMonth(text: string): Temporal.PlainYearMonth {
  if (!MONTH_TEXT.test(text))
    throw new ParamValueError(`expected a month YYYY-MM, got ${show(text)}`);
  return tryParse(text, 'month', () => Temporal.PlainYearMonth.from(text, { overflow: 'reject' }));
}

export function month<const O extends Options<Temporal.PlainYearMonth | string> = {}>(
  options?: O,
): Param<Temporal.PlainYearMonth, Temporal.PlainYearMonth | string, HasDefault<O>> {
  return new Param(
    {
      typeName: 'month (YYYY-MM)',
      timeKind: 'month',
      coerce: (value) => {
        if (value instanceof Temporal.PlainYearMonth) return isoCalendar(value);
        const text = textOf(value);
        if (text === undefined) throw wrongType(value, 'a month YYYY-MM');
        return parseMonth(text);
      },
      parse: parseMonth,
      serialize: (value) => `${year4(value.year)}-${pad2(value.month)}`,
    },
    options ?? {},
  );
}

/** dateHour and dateMinute share everything but the precision. */
function dateTimeKind(precision: 'hour' | 'minute') {
  const canonical =
    precision === 'hour' ? /^(\d{4}-\d{2}-\d{2})T(\d{2})$/ : /^(\d{4}-\d{2}-\d{2})T(\d{2})(\d{2})$/;
  const format = precision === 'hour' ? 'YYYY-MM-DDTHH' : 'YYYY-MM-DDTHHMM';
  const expected = `a ${precision === 'hour' ? 'date-hour' : 'date-minute'} ${format}`;

  // `original` is only read for the error: formatting it for every valid value costs ~5 us.
  const truncated = (
    value: Temporal.PlainDateTime,
    original: () => string,
  ): Temporal.PlainDateTime => {
    const extra =
      value.second !== 0 ||
      value.millisecond !== 0 ||
      value.microsecond !== 0 ||
      value.nanosecond !== 0 ||
      (precision === 'hour' && value.minute !== 0);
    if (extra)
      throw new ParamValueError(`${show(original())} has more precision than one ${precision}`);
    return value;
  };

  const parse = (text: string): Temporal.PlainDateTime => {
    const match = canonical.exec(text);
    const iso = match ? `${match[1]}T${match[2]}:${match[3] ?? '00'}` : text;
    if (!match && !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(text)) {
      throw new ParamValueError(`expected ${expected}, got ${show(text)}`);
    }
    return truncated(
      tryParse(text, expected, () => Temporal.PlainDateTime.from(iso, { overflow: 'reject' })),
      () => text,
    );
  };

  return {
    typeName: `${precision === 'hour' ? 'dateHour' : 'dateMinute'} (${format})`,
    timeKind: precision === 'hour' ? ('dateHour' as const) : ('dateMinute' as const),
    coerce: (value: unknown): Temporal.PlainDateTime => {
      if (value instanceof Temporal.PlainDateTime)
        return truncated(isoCalendar(value), () => value.toString());
      const text = textOf(value);
      if (text === undefined) throw wrongType(value, expected);
      return parse(text);
    },
    parse,
    serialize: (value: Temporal.PlainDateTime): string =>
      `${year4(value.year)}-${pad2(value.month)}-${pad2(value.day)}T${pad2(value.hour)}${precision === 'minute' ? pad2(value.minute) : ''}`,
  };
}

export function dateHour<const O extends Options<Temporal.PlainDateTime | string> = {}>(
  options?: O,
): Param<Temporal.PlainDateTime, Temporal.PlainDateTime | string, HasDefault<O>> {
  return new Param(dateTimeKind('hour'), options ?? {});
}

export function dateMinute<const O extends Options<Temporal.PlainDateTime | string> = {}>(
  options?: O,
): Param<Temporal.PlainDateTime, Temporal.PlainDateTime | string, HasDefault<O>> {
  return new Param(dateTimeKind('minute'), options ?? {});
}

function parseInterval(text: string): DateInterval {
  try {
    return DateInterval.parse(text);
  } catch (error) {
    throw new ParamValueError((error as Error).message);
  }
}

export function dateInterval<const O extends Options<DateInterval | string> = {}>(
  options?: O,
): Param<DateInterval, DateInterval | string, HasDefault<O>> {
  return new Param(
    {
      typeName: 'dateInterval (2024 | 2024-05 | 2024-W05 | 2024-05-17 | 2024-05-01-2024-06-01)',
      coerce: (value) => {
        if (value instanceof DateInterval) return value;
        if (typeof value !== 'string') throw wrongType(value, 'a date interval');
        return parseInterval(value);
      },
      parse: parseInterval,
      serialize: (value) => value.toString(),
    },
    options ?? {},
  );
}

const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};
const UNIT_ALIASES: Record<string, string> = {
  millisecond: 'ms',
  milliseconds: 'ms',
  sec: 's',
  secs: 's',
  second: 's',
  seconds: 's',
  min: 'm',
  mins: 'm',
  minute: 'm',
  minutes: 'm',
  hr: 'h',
  hrs: 'h',
  hour: 'h',
  hours: 'h',
  day: 'd',
  days: 'd',
  week: 'w',
  weeks: 'w',
};
const DURATION_PART = /(\d+(?:\.\d+)?)\s*([a-z]+)\s*/gy;

/** `90s`, `1h30m`, `2 days`, `PT1H`, or a bare number of seconds. Months and years are ambiguous. */
export function parseDurationMs(text: string): number {
  const trimmed = text.trim().toLowerCase();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed) * 1000;
  if (trimmed.startsWith('p')) {
    const duration = tryParse(text, 'ISO 8601 duration', () =>
      Temporal.Duration.from(trimmed.toUpperCase()),
    );
    return durationMs(duration, text);
  }
  let total = 0;
  let end = 0;
  DURATION_PART.lastIndex = 0;
  for (let match; (match = DURATION_PART.exec(trimmed)); end = DURATION_PART.lastIndex) {
    const unit = UNIT_MS[match[2]!] ?? UNIT_MS[UNIT_ALIASES[match[2]!] ?? ''];
    if (unit === undefined)
      throw new ParamValueError(`unknown duration unit ${show(match[2])} in ${show(text)}`);
    total += Number(match[1]) * unit;
  }
  if (end !== trimmed.length || trimmed.length === 0) {
    throw new ParamValueError(`expected a duration like 90s, 1h30m, 2d or PT1H, got ${show(text)}`);
  }
  return total;
}

function durationMs(duration: Temporal.Duration, original: unknown): number {
  if (duration.years !== 0 || duration.months !== 0) {
    throw new ParamValueError(
      `${show(String(original))}: months and years vary in length; use days`,
    );
  }
  if (duration.sign < 0) throw new ParamValueError(`${show(String(original))} is negative`);
  return (
    duration.weeks * 604_800_000 +
    duration.days * 86_400_000 +
    duration.hours * 3_600_000 +
    duration.minutes * 60_000 +
    duration.seconds * 1000 +
    duration.milliseconds +
    Math.floor(duration.microseconds / 1000 + duration.nanoseconds / 1e6)
  );
}

/** Balanced form: the same span always gives the same duration (`60m` and `1h` are equal). */
function balanced(totalMs: number): Temporal.Duration {
  let rest = Math.round(totalMs);
  const take = (unit: number): number => {
    const n = Math.floor(rest / unit);
    rest -= n * unit;
    return n;
  };
  return Temporal.Duration.from({
    days: take(86_400_000),
    hours: take(3_600_000),
    minutes: take(60_000),
    seconds: take(1000),
    milliseconds: rest,
  });
}

export function duration<const O extends Options<Temporal.Duration | string | number> = {}>(
  options?: O,
): Param<Temporal.Duration, Temporal.Duration | string | number, HasDefault<O>> {
  return new Param(
    {
      typeName: 'duration (90s, 1h30m, 2d, PT1H)',
      coerce: (value) => {
        if (value instanceof Temporal.Duration) return balanced(durationMs(value, value));
        if (typeof value === 'number' && Number.isFinite(value) && value >= 0)
          return balanced(value * 1000);
        if (typeof value === 'string') return balanced(parseDurationMs(value));
        throw wrongType(value, 'a duration like 90s, 1h30m or PT1H');
      },
      parse: (text) => balanced(parseDurationMs(text)),
      serialize: (value) => value.toString(),
    },
    options ?? {},
  );
}
