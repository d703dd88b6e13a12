/** list and json parameters. */
import { stringify } from 'safe-stable-stringify';
import type { ZodType } from 'zod';
import {
  Param,
  ParamValueError,
  show,
  type AnyParam,
  type HasDefault,
  type ParamOptions,
} from './param.js';

type OutOf<P> = P extends Param<infer O, unknown, boolean> ? O : never;
type InOf<P> = P extends Param<unknown, infer I, boolean> ? I : never;

/** Escapes the separator so that `["a,b"]` and `["a", "b"]` serialize differently. */
const escapeItem = (text: string): string => text.replace(/[\\,]/g, (c) => '\\' + c);

/**
 * A list of another kind. On the command line: comma-separated (`--countries de,fr,nl`) or a
 * JSON array (`--countries '["de","fr"]'`). Order is kept and is part of the identity.
 */
export function list<P extends AnyParam, const O extends ParamOptions<readonly InOf<P>[]> = {}>(
  item: P,
  options?: O,
): Param<readonly OutOf<P>[], readonly InOf<P>[], HasDefault<O>> {
  const at = (index: number, convert: () => OutOf<P>): OutOf<P> => {
    try {
      return convert();
    } catch (error) {
      if (error instanceof ParamValueError)
        throw new ParamValueError(`item ${index}: ${error.message}`);
      throw error;
    }
  };
  const coerce = (value: unknown): readonly OutOf<P>[] => {
    if (!Array.isArray(value)) throw new ParamValueError(`expected a list, got ${show(value)}`);
    return Object.freeze(value.map((entry, i) => at(i, () => item.coerce(entry) as OutOf<P>)));
  };
  return new Param(
    {
      typeName: `list of ${item.typeName}`,
      coerce,
      parse: (text) => {
        const trimmed = text.trim();
        if (trimmed.startsWith('[')) {
          let parsed: unknown;
          try {
            parsed = JSON.parse(trimmed);
          } catch {
            throw new ParamValueError(`${show(text)} is not a JSON array`);
          }
          if (!Array.isArray(parsed))
            throw new ParamValueError(`${show(text)} is not a JSON array`);
          return Object.freeze(
            parsed.map((entry, i) =>
              at(
                i,
                () =>
                  (typeof entry === 'string' ? item.parse(entry) : item.coerce(entry)) as OutOf<P>,
              ),
            ),
          );
        }
        if (trimmed === '') return Object.freeze([]);
        return Object.freeze(
          trimmed.split(',').map((entry, i) => at(i, () => item.parse(entry.trim()) as OutOf<P>)),
        );
      },
      serialize: (value) =>
        // `[]` is '' and `['']` a lone backslash, which no escaped item can produce.
        value.length === 1 && item.serialize(value[0]) === ''
          ? '\\'
          : value.map((entry) => escapeItem(item.serialize(entry))).join(','),
      // A JSON array of the items' own arguments: items may hold commas, spaces or nothing.
      argument: (value) => JSON.stringify(value.map((entry) => item.argument(entry))),
    },
    options ?? {},
  );
}

/**
 * Any JSON value checked by a zod schema. On the command line: JSON text. The canonical form is
 * JSON with sorted keys, so `{"a":1,"b":2}` and `{"b":2,"a":1}` are the same task.
 */
export function json<T, const O extends ParamOptions<T> = {}>(
  schema: ZodType<T>,
  options?: O,
): Param<T, T, HasDefault<O>> {
  const coerce = (value: unknown): T => {
    const result = schema.safeParse(value);
    if (result.success) return result.data;
    const issue = result.error.issues[0];
    const where = issue && issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
    throw new ParamValueError(
      `${show(value)} is invalid${where}: ${issue?.message ?? result.error.message}`,
    );
  };
  return new Param(
    {
      typeName: 'json',
      coerce,
      parse: (text) => {
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch {
          throw new ParamValueError(`${show(text)} is not valid JSON`);
        }
        return coerce(parsed);
      },
      serialize: (value) => stringify(value) ?? 'null',
    },
    options ?? {},
  );
}
