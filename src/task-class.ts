/**
 * What is computed once per task class: family name, parameter order and flags, and the
 * instance cache. Keeping it here makes constructing a task a few array reads.
 */
import { distance } from 'fastest-levenshtein';
import { ParameterError } from './errors.js';
import { ParamValueError, show, type AnyParam, type ParamShape } from './params/param.js';

const FAMILY_NAME = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;
const PARAM_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;

export interface ClassMeta {
  readonly family: string;
  readonly names: readonly string[];
  readonly params: readonly AnyParam[];
  /** Indexes of significant parameters, in declaration order. */
  readonly significant: readonly number[];
  readonly significantNames: readonly string[];
  readonly hasInsignificant: boolean;
  readonly nameSet: ReadonlySet<string>;
  /** Instances by canonical key; `new` with equal parameters returns the cached one. */
  readonly instances: Map<string, object>;
}

const META = Symbol('dagwright.classMeta');

interface TaskClassLike {
  readonly name: string;
  readonly params?: ParamShape;
  readonly family?: string;
  [META]?: ClassMeta;
}

export function classMeta(ctor: TaskClassLike): ClassMeta {
  if (Object.hasOwn(ctor, META)) return ctor[META]!;
  const family = Object.hasOwn(ctor, 'family') && ctor.family ? ctor.family : ctor.name;
  if (!FAMILY_NAME.test(family)) {
    throw new ParameterError(
      `task class name ${show(family)} is not a valid family name; set "static family = 'Name'"`,
    );
  }
  const shape = ctor.params ?? {};
  const names = Object.keys(shape);
  const params = names.map((name) => shape[name]!);
  const significant = params.flatMap((param, i) => (param.significant ? [i] : []));
  const meta: ClassMeta = {
    family,
    names,
    params,
    significant,
    significantNames: significant.map((i) => names[i]!),
    hasInsignificant: significant.length !== names.length,
    nameSet: new Set(names),
    instances: new Map(),
  };
  Object.defineProperty(ctor, META, { value: meta });
  return meta;
}

/** Checks the names passed to `Task.with` against each other and against task members. */
export function checkParamNames(
  owner: string,
  shape: ParamShape,
  reserved: ReadonlySet<string>,
): void {
  const flags = new Map<string, string>();
  for (const name of Object.keys(shape)) {
    if (!PARAM_NAME.test(name)) {
      throw new ParameterError(
        `${owner}: parameter name ${show(name)} must be a plain identifier like learningRate`,
      );
    }
    if (reserved.has(name)) {
      throw new ParameterError(
        `${owner}: parameter name ${show(name)} is reserved by Task; choose another name`,
      );
    }
    const flag = flagName(name);
    const clash = flags.get(flag);
    if (clash)
      throw new ParameterError(`${owner}: parameters ${clash} and ${name} both map to --${flag}`);
    flags.set(flag, name);
  }
}

/** `learningRate` -> `learning-rate`, `max_depth` -> `max-depth`. */
export function flagName(name: string): string {
  return name
    .replace(/_/g, '-')
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .toLowerCase();
}

/** Wraps a kind's complaint with the task and parameter it concerns. */
export function paramError(family: string, name: string, error: unknown): Error {
  if (error instanceof ParamValueError)
    return new ParameterError(`${family}: parameter '${name}': ${error.message}`);
  return error instanceof Error ? error : new Error(String(error));
}

export function unknownParamError(meta: ClassMeta, name: string): ParameterError {
  const hint = closest(name, meta.names);
  const known =
    meta.names.length > 0 ? `known: ${meta.names.join(', ')}` : 'it takes no parameters';
  return new ParameterError(
    `${meta.family}: unknown parameter ${show(name)}${hint ? ` (did you mean '${hint}'?)` : ''}; ${known}`,
  );
}

/** The candidate nearest to `word`, if it is near enough to be a likely typo. */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  const lower = word.toLowerCase();
  for (const candidate of candidates) {
    const d = distance(lower, candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(word.length / 3))
    ? best
    : undefined;
}
