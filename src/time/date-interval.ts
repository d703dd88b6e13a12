/**
 * A range of calendar days, written the way Luigi writes them: `2024` (a year), `2024-05`
 * (a month), `2024-W05` (an ISO week), `2024-05-17` (a day) or `2024-05-01-2024-06-01`
 * (custom; the end is exclusive).
 */
import { Temporal } from 'temporal-polyfill';

const YEAR = /^(\d{4})$/;
const MONTH = /^(\d{4})-(\d{2})$/;
const WEEK = /^(\d{4})-W(\d{2})$/;
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const CUSTOM = /^(\d{4}-\d{2}-\d{2})-(\d{4}-\d{2}-\d{2})$/;

export class DateInterval {
  /** First day of the interval. */
  readonly start: Temporal.PlainDate;
  /** First day after the interval. */
  readonly end: Temporal.PlainDate;
  readonly #text: string;

  private constructor(start: Temporal.PlainDate, end: Temporal.PlainDate, text: string) {
    this.start = start;
    this.end = end;
    this.#text = text;
  }

  /** Parses one of the five forms; throws a RangeError naming them when the text fits none. */
  static parse(text: string): DateInterval {
    let match: RegExpExecArray | null;
    if ((match = YEAR.exec(text))) {
      const start = Temporal.PlainDate.from({ year: Number(match[1]), month: 1, day: 1 });
      return new DateInterval(start, start.add({ years: 1 }), text);
    }
    if ((match = MONTH.exec(text))) {
      const start = date(`${text}-01`, text);
      return new DateInterval(start, start.add({ months: 1 }), text);
    }
    if ((match = WEEK.exec(text))) {
      const year = Number(match[1]);
      const week = Number(match[2]);
      // ISO week 1 is the week that holds January 4th; weeks start on Monday.
      const jan4 = Temporal.PlainDate.from({ year, month: 1, day: 4 });
      const start = jan4.subtract({ days: jan4.dayOfWeek - 1 }).add({ weeks: week - 1 });
      if (week < 1 || start.yearOfWeek !== year) {
        throw new RangeError(`${JSON.stringify(text)} is not an ISO week of ${year}`);
      }
      return new DateInterval(start, start.add({ weeks: 1 }), text);
    }
    if (DAY.test(text)) {
      const start = date(text, text);
      return new DateInterval(start, start.add({ days: 1 }), text);
    }
    if ((match = CUSTOM.exec(text))) {
      const start = date(match[1]!, text);
      const end = date(match[2]!, text);
      if (Temporal.PlainDate.compare(start, end) >= 0) {
        throw new RangeError(
          `${JSON.stringify(text)}: the end (exclusive) must be after the start`,
        );
      }
      return new DateInterval(start, end, text);
    }
    throw new RangeError(
      `${JSON.stringify(text)} is not a date interval (use 2024, 2024-05, 2024-W05, 2024-05-17 or 2024-05-01-2024-06-01)`,
    );
  }

  /** Builds the custom form from two dates (end exclusive). */
  static between(start: Temporal.PlainDate, end: Temporal.PlainDate): DateInterval {
    return DateInterval.parse(`${start.toString()}-${end.toString()}`);
  }

  /** Every day in the interval, in order. */
  dates(): Temporal.PlainDate[] {
    const days: Temporal.PlainDate[] = [];
    for (
      let day = this.start;
      Temporal.PlainDate.compare(day, this.end) < 0;
      day = day.add({ days: 1 })
    ) {
      days.push(day);
    }
    return days;
  }

  contains(day: Temporal.PlainDate): boolean {
    return (
      Temporal.PlainDate.compare(this.start, day) <= 0 &&
      Temporal.PlainDate.compare(day, this.end) < 0
    );
  }

  equals(other: DateInterval): boolean {
    return this.#text === other.#text;
  }

  toString(): string {
    return this.#text;
  }

  toJSON(): string {
    return this.#text;
  }
}

function date(text: string, whole: string): Temporal.PlainDate {
  try {
    return Temporal.PlainDate.from(text, { overflow: 'reject' });
  } catch {
    throw new RangeError(`${JSON.stringify(whole)} holds an impossible date`);
  }
}
