/** string, int, float, bool and enum parameters. */
import { Param, ParamValueError, show, type HasDefault, type ParamOptions } from './param.js';

// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;
const PATH_CHARS = /[/\\]/;

export interface StringOptions extends ParamOptions<string> {
  /** The whole value must match. */
  pattern?: RegExp;
  /**
   * Default `true`: reject `/`, `\`, `.` and `..`, so the value is safe to splice into a path
   * (`data/${this.country}/x.csv`). `false` allows them; `paramPath()` still escapes them.
   */
  pathSafe?: boolean;
}

function checkString(value: unknown, options: StringOptions): string {
  if (typeof value !== 'string') throw new ParamValueError(`expected a string, got ${show(value)}`);
  if (CONTROL_CHARS.test(value)) {
    throw new ParamValueError(`${show(value)} contains a control character`);
  }
  if (options.pathSafe !== false && (PATH_CHARS.test(value) || value === '.' || value === '..')) {
    throw new ParamValueError(
      `${show(value)} is not allowed: parameter values go into artifact paths and must not contain ` +
        `'/', '\\' or be '.' or '..' (declare p.string({ pathSafe: false }) to allow it)`,
    );
  }
  if (options.pattern && !fullMatch(options.pattern, value)) {
    throw new ParamValueError(`${show(value)} does not match ${String(options.pattern)}`);
  }
  return value;
}

function fullMatch(pattern: RegExp, value: string): boolean {
  const match = new RegExp(pattern.source, pattern.flags.replace('g', '')).exec(value);
  return match !== null && match.index === 0 && match[0].length === value.length;
}

export function string<const O extends StringOptions = {}>(
  options?: O,
): Param<string, string, HasDefault<O>> {
  const opts: StringOptions = options ?? {};
  return new Param(
    {
      typeName: 'string',
      coerce: (value) => checkString(value, opts),
      parse: (text) => checkString(text, opts),
      serialize: (value) => value,
    },
    opts,
  );
}

export interface NumberOptions extends ParamOptions<number> {
  /** Smallest allowed value (inclusive). */
  min?: number;
  /** Largest allowed value (inclusive). */
  max?: number;
}

function checkRange(value: number, options: NumberOptions): number {
  if (options.min !== undefined && value < options.min) {
    throw new ParamValueError(`${value} is below the minimum ${options.min}`);
  }
  if (options.max !== undefined && value > options.max) {
    throw new ParamValueError(`${value} is above the maximum ${options.max}`);
  }
  return value;
}

const INT_TEXT = /^[+-]?\d+$/;

export function int<const O extends NumberOptions = {}>(
  options?: O,
): Param<number, number, HasDefault<O>> {
  const opts: NumberOptions = options ?? {};
  const coerce = (value: unknown): number => {
    if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
      throw new ParamValueError(`expected an integer, got ${show(value)}`);
    }
    return checkRange(value, opts);
  };
  return new Param(
    {
      typeName: 'int',
      coerce,
      parse: (text) => {
        if (!INT_TEXT.test(text))
          throw new ParamValueError(`expected an integer, got ${show(text)}`);
        return coerce(Number(text));
      },
      serialize: (value) => String(value),
    },
    opts,
  );
}

const FLOAT_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

export function float<const O extends NumberOptions = {}>(
  options?: O,
): Param<number, number, HasDefault<O>> {
  const opts: NumberOptions = options ?? {};
  const coerce = (value: unknown): number => {
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new ParamValueError(`expected a finite number, got ${show(value)}`);
    }
    return checkRange(value === 0 ? 0 : value, opts);
  };
  return new Param(
    {
      typeName: 'float',
      coerce,
      parse: (text) => {
        if (!FLOAT_TEXT.test(text))
          throw new ParamValueError(`expected a number, got ${show(text)}`);
        return coerce(Number(text));
      },
      // String() is the shortest round-trip form, identical on every machine.
      serialize: (value) => String(value),
    },
    opts,
  );
}

export function bool<const O extends ParamOptions<boolean> = {}>(
  options?: O,
): Param<boolean, boolean, HasDefault<O>> {
  return new Param(
    {
      typeName: 'bool',
      coerce: (value) => {
        if (typeof value !== 'boolean')
          throw new ParamValueError(`expected true or false, got ${show(value)}`);
        return value;
      },
      parse: (text) => {
        const lower = text.toLowerCase();
        if (lower === 'true') return true;
        if (lower === 'false') return false;
        throw new ParamValueError(`expected true or false, got ${show(text)}`);
      },
      serialize: (value) => (value ? 'true' : 'false'),
    },
    options ?? {},
  );
}

export function enumOf<
  const V extends readonly [string, ...string[]],
  const O extends ParamOptions<V[number]> = {},
>(values: V, options?: O): Param<V[number], V[number], HasDefault<O>> {
  const allowed = new Set<string>(values);
  const check = (value: unknown): V[number] => {
    if (typeof value !== 'string' || !allowed.has(value)) {
      throw new ParamValueError(`expected one of ${values.join(', ')}, got ${show(value)}`);
    }
    return value;
  };
  return new Param(
    { typeName: values.join('|'), coerce: check, parse: check, serialize: (value) => value },
    options ?? {},
  );
}
