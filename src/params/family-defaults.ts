/**
 * Per-family parameter values that apply to every instance of a family unless its constructor
 * passes the parameter: `--TrainModel.depth 8` on the command line, or `params` in the config.
 * Resolution order: constructor argument, then these, then the declared default (as in Luigi).
 */

const byFamily = new Map<string, Map<string, unknown>>();
/** `Family.param` keys whose value some constructor actually used. */
const used = new Set<string>();

/** Sets an already coerced value. */
export function setFamilyDefault(family: string, name: string, value: unknown): void {
  let values = byFamily.get(family);
  if (!values) byFamily.set(family, (values = new Map()));
  values.set(name, value);
}

export function familyDefaults(family: string): ReadonlyMap<string, unknown> | undefined {
  return byFamily.size === 0 ? undefined : byFamily.get(family);
}

/** Called by the constructor when it takes a value from here. */
export function markFamilyDefaultUsed(family: string, name: string): void {
  used.add(family + '.' + name);
}

/** `true` once some instance got `family.name` from here. */
export function wasFamilyDefaultUsed(family: string, name: string): boolean {
  return used.has(family + '.' + name);
}

export function clearFamilyDefaults(): void {
  byFamily.clear();
  used.clear();
}
