/**
 * `requires()` and `output()` return an item, or arrays and plain objects of items, nested to
 * any depth. These helpers walk that shape without caring how it is built.
 */

export type Shape<T> =
  T | readonly Shape<T>[] | { readonly [key: string]: Shape<T> } | undefined | null | void;

/** Arrays and plain objects are containers; anything else is an item (or a mistake to report). */
function isContainer(value: unknown): value is readonly unknown[] | Record<string, unknown> {
  if (Array.isArray(value)) return true;
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** The leaves of a shape, in order. Leaves that fail `isItem` are kept for the caller to reject. */
export function flatten<T>(shape: unknown, isItem: (value: unknown) => value is T): T[] {
  if (shape === undefined || shape === null) return [];
  if (isItem(shape)) return [shape];
  if (!isContainer(shape)) return [shape as T];
  const values = Array.isArray(shape) ? shape : Object.values(shape);
  // The common case, a flat array or record of items, needs no recursion.
  if (values.every((value) => isItem(value))) return values as T[];
  const out: T[] = [];
  collect(shape, isItem, out);
  return out;
}

function collect<T>(shape: unknown, isItem: (value: unknown) => value is T, out: T[]): void {
  if (shape === undefined || shape === null) return;
  if (isItem(shape) || !isContainer(shape)) {
    out.push(shape as T);
    return;
  }
  const values = Array.isArray(shape) ? shape : Object.values(shape);
  for (const value of values) collect(value, isItem, out);
}

/** The same shape with every item replaced by `fn(item)`. */
export function mapShape<T, U>(
  shape: unknown,
  isItem: (value: unknown) => value is T,
  fn: (item: T) => U,
): unknown {
  if (shape === undefined || shape === null) return shape;
  if (isItem(shape)) return fn(shape);
  if (Array.isArray(shape)) return shape.map((value: unknown) => mapShape(value, isItem, fn));
  if (!isContainer(shape)) return shape;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(shape)) out[key] = mapShape(value, isItem, fn);
  return out;
}
