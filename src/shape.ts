/**
 * `requires()` and `output()` return one item, an array, or a record of items. These helpers
 * walk that shape without caring which of the three it is.
 */

export type Shape<T> = T | readonly T[] | { readonly [key: string]: T } | undefined | null | void;

/** The items of a shape, in order. */
export function flatten<T>(shape: Shape<T>, isItem: (value: unknown) => value is T): T[] {
  if (shape === undefined || shape === null) return [];
  if (isItem(shape)) return [shape];
  if (Array.isArray(shape)) return shape as T[];
  return Object.values(shape as Record<string, T>);
}

/** The same shape with every item replaced by `fn(item)`. */
export function mapShape<T, U>(
  shape: Shape<T>,
  isItem: (value: unknown) => value is T,
  fn: (item: T) => U,
): unknown {
  if (shape === undefined || shape === null) return shape;
  if (isItem(shape)) return fn(shape);
  if (Array.isArray(shape)) return (shape as T[]).map(fn);
  const out: Record<string, U> = {};
  for (const [key, item] of Object.entries(shape as Record<string, T>)) out[key] = fn(item);
  return out;
}
