/**
 * Per-family parameter values that apply to every instance of a family unless its constructor
 * passes the parameter: `--TrainModel.depth 8` on the command line, or `params` in the config.
 * Resolution order: constructor argument, then these, then the declared default (as in Luigi).
 */

const byFamily = new Map<string, Map<string, unknown>>();

/** Sets an already coerced value. */
export function setFamilyDefault(family: string, name: string, value: unknown): void {
  let values = byFamily.get(family);
  if (!values) byFamily.set(family, (values = new Map()));
  values.set(name, value);
}

export function familyDefaults(family: string): ReadonlyMap<string, unknown> | undefined {
  return byFamily.size === 0 ? undefined : byFamily.get(family);
}

export function clearFamilyDefaults(): void {
  byFamily.clear();
}
