/**
 * A parameter kind: how a value is checked, parsed from a command-line string, and written as
 * the canonical string that goes into task ids and artifact paths.
 */

/** Thrown by a kind when a value is wrong; the task layer adds the task and parameter names. */
export class ParamValueError extends Error {}

export interface ParamOptions<In> {
  /** Used when neither the constructor, the command line nor the config gives a value. */
  default?: In;
  /** Shown by `dag list` and `dag run --help <Family>`. */
  description?: string;
  /** `false` leaves the parameter out of the task id, hash and `paramPath()`. Default `true`. */
  significant?: boolean;
}

/** What a kind implements. `Out` is the value tasks see, `In` what constructors accept. */
export interface ParamSpec<Out, In> {
  /** Type name for help texts, e.g. `int`, `date (YYYY-MM-DD)`. */
  readonly typeName: string;
  /** For the time kinds that have partitions (ranges, backfill): which one. */
  readonly timeKind?: 'date' | 'month' | 'dateHour' | 'dateMinute';
  /** From a constructor argument or a config value; throws ParamValueError. */
  coerce(value: In | unknown): Out;
  /** From a command-line string; throws ParamValueError. */
  parse(text: string): Out;
  /** Canonical string: equal values give equal strings, on every machine. */
  serialize(value: Out): string;
  /**
   * Command-line text that `parse` reads back as the same value, where `serialize` is not that
   * (a list's canonical form does not escape its items for parsing). Default: `serialize`.
   */
  argument?(value: Out): string;
}

/** A declared parameter. `HasDefault` decides whether constructors must pass it. */
export class Param<Out, In = Out, HasDefault extends boolean = boolean> {
  declare readonly _types: { out: Out; in: In; hasDefault: HasDefault };

  readonly typeName: string;
  readonly description: string | undefined;
  readonly significant: boolean;
  readonly hasDefault: HasDefault;
  /** The default, already coerced; only meaningful when `hasDefault`. */
  readonly defaultValue: Out | undefined;
  readonly spec: ParamSpec<Out, In>;

  constructor(spec: ParamSpec<Out, In>, options: ParamOptions<In> = {}) {
    this.spec = spec;
    this.typeName = spec.typeName;
    this.description = options.description;
    this.significant = options.significant ?? true;
    this.hasDefault = ('default' in options && options.default !== undefined) as HasDefault;
    this.defaultValue = this.hasDefault ? spec.coerce(options.default) : undefined;
  }

  coerce(value: unknown): Out {
    return this.spec.coerce(value);
  }

  parse(text: string): Out {
    return this.spec.parse(text);
  }

  serialize(value: Out): string {
    return this.spec.serialize(value);
  }

  /** The value as a command-line argument that `parse` turns back into it. */
  argument(value: Out): string {
    return this.spec.argument ? this.spec.argument(value) : this.spec.serialize(value);
  }
}

/** Any declared parameter. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyParam = Param<any, any, boolean>;

/** Parameter declarations, as passed to `Task.with`. */
export type ParamShape = Record<string, AnyParam>;

/** `true` when the options object declares a default. */
export type HasDefault<O> = O extends { default: infer D }
  ? undefined extends D
    ? false
    : true
  : false;

/** A short rendering of a bad value for error messages. */
export function show(value: unknown): string {
  if (typeof value === 'string')
    return JSON.stringify(value.length > 80 ? value.slice(0, 77) + '...' : value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'number') return String(value);
  if (value === undefined || typeof value === 'function' || typeof value === 'symbol')
    return String(value);
  try {
    const text = JSON.stringify(value) ?? String(value);
    return text.length > 80 ? text.slice(0, 77) + '...' : text;
  } catch {
    return Object.prototype.toString.call(value);
  }
}
