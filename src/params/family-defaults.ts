/**
 * Per-family parameter values that apply to every instance of a family unless its constructor
 * passes the parameter: `--TrainModel.depth 8` on the command line, or `params` in the config.
 * Resolution order: constructor argument, then these, then the declared default (as in Luigi).
 */
import type { AnyParam } from './param.js';

const byFamily = new Map<string, Map<string, unknown>>();
/** Each value with its kind, so it can be handed to another process (`dag exec-task`). */
const entries = new Map<string, FamilyDefault>();
/** `Family.param` keys whose value some constructor actually used. */
const used = new Set<string>();

export interface FamilyDefault {
  readonly family: string;
  readonly name: string;
  readonly param: AnyParam;
  readonly value: unknown;
}

/** Sets an already coerced value of `param`. */
export function setFamilyDefault(
  family: string,
  name: string,
  value: unknown,
  param: AnyParam,
): void {
  let values = byFamily.get(family);
  if (!values) byFamily.set(family, (values = new Map()));
  values.set(name, value);
  entries.set(family + '.' + name, { family, name, param, value });
}

/** Every value set, in the order first set. */
export function allFamilyDefaults(): FamilyDefault[] {
  return [...entries.values()];
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
  entries.clear();
  used.clear();
}
