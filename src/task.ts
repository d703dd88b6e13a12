/**
 * Tasks: classes with typed parameters, `requires()` and `output()`. A task is complete when
 * all its outputs exist. `Task.with({...})` declares the parameters once; their types flow into
 * the constructor and onto the instance.
 */
import { MissingParameterError } from './errors.js';
import { taskHash, taskId, paramPath } from './identity.js';
import { familyDefaults, markFamilyDefaultUsed } from './params/family-defaults.js';
import type { AnyParam, Param, ParamShape } from './params/param.js';
import { flatten, mapShape, type Shape } from './shape.js';
import {
  checkParamNames,
  classMeta,
  paramError,
  unknownParamError,
  type ClassMeta,
} from './task-class.js';
import { isTarget, type Target } from './targets/target.js';

/** What `run()` receives. */
export interface RunContext {
  /** Aborted on timeout or a second Ctrl+C; long work should stop when it fires. */
  readonly signal: AbortSignal;
  /** 1 for the first attempt, 2 for the first retry, ... */
  readonly attempt: number;
  /** Writes a line to the task's log (shown when it fails). */
  log(message: string): void;
}

export type Requirements = Shape<Task>;
export type Outputs = Shape<Target>;

type OutputOf<T> = T extends { output(): infer O } ? O : never;

/** Nesting deeper than this is typed `unknown` (the base types are recursive). */
type Depth = [unknown, unknown, unknown, unknown, unknown, unknown];

/** `input()` mirrors `requires()`: each task replaced by its `output()`, nested or not. */
export type InputOf<R, D extends unknown[] = []> = D['length'] extends Depth['length']
  ? unknown
  : R extends Task
    ? OutputOf<R>
    : R extends readonly unknown[]
      ? { [K in keyof R]: InputOf<R[K], [...D, unknown]> }
      : R extends object
        ? { [K in keyof R]: InputOf<R[K], [...D, unknown]> }
        : undefined;

type Simplify<T> = { [K in keyof T]: T[K] } & {};
type OutOf<P> = P extends Param<infer O, unknown, boolean> ? O : never;
type InOf<P> = P extends Param<unknown, infer I, boolean> ? I : never;

/** The parameter values a task instance carries. */
export type ParamValues<S extends ParamShape> = { readonly [K in keyof S]: OutOf<S[K]> };

/** What the constructor takes: parameters without a default are required. */
export type ParamArgs<S extends ParamShape> = Simplify<
  { [K in keyof S as S[K] extends Param<unknown, unknown, true> ? never : K]: InOf<S[K]> } & {
    [K in keyof S as S[K] extends Param<unknown, unknown, true> ? K : never]?: InOf<S[K]>;
  }
>;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyTaskClass = abstract new (...args: any[]) => Task;
type ArgsOfClass<C> = C extends abstract new (...args: infer P) => unknown
  ? P extends [] | [undefined?]
    ? {}
    : NonNullable<P[0]> extends object
      ? object extends NonNullable<P[0]>
        ? {}
        : NonNullable<P[0]>
      : {}
  : {};
type CtorArgs<A> = {} extends A ? [args?: A] : [args: A];

/** The class `X.with(shape)` returns: X's statics, and a constructor taking both sets of params. */
export type TaskClassWith<C extends AnyTaskClass, S extends ParamShape> = Omit<C, 'prototype'> &
  (abstract new (
    ...args: CtorArgs<Simplify<ArgsOfClass<C> & ParamArgs<S>>>
  ) => InstanceType<C> & ParamValues<S>);

const EMPTY: Record<string, unknown> = Object.freeze({}) as Record<string, unknown>;

export abstract class Task {
  /** Declared parameters; set through `with()`. */
  static params: ParamShape = {};
  /** The family name; the class name unless set. Namespaces may use dots: `ml.Train`. */
  static family?: string;

  /** Higher runs first among ready tasks. Default 0. */
  declare priority?: number;
  /** Extra attempts after a failure. Default from `--retries` (0). */
  declare retries?: number;
  /** First retry delay; it doubles on each retry. Default from config (1000 ms). */
  declare retryDelayMs?: number;
  /** An attempt that takes longer fails. Default: no limit. */
  declare timeoutMs?: number;
  /** Named resources held while running, e.g. `{ gpu: 1 }`; see README "Resources". */
  declare resources?: Readonly<Record<string, number>>;
  /** Where it runs: 'local', 'docker' or 'nomad'. Default: the family's in config, else `--executor`. */
  declare executor?: string;

  readonly #meta!: ClassMeta;
  readonly #id!: string;
  readonly #canonical!: readonly string[];
  #hash: string | undefined;

  /**
   * Declares parameters. Returns an abstract class to extend:
   * `class Train extends Task.with({ date: p.date() }) { ... }`.
   */
  static with<C extends AnyTaskClass, S extends ParamShape>(
    this: C,
    shape: S,
  ): TaskClassWith<C, S> {
    const base = this as unknown as typeof Task;
    const params = { ...base.params, ...shape };
    // Checked together, so a new name cannot clash with a parent's flag.
    checkParamNames(base.name || 'Task.with', params, reservedNames());
    abstract class WithParams extends base {
      static override params = params;
    }
    notFamilies.add(WithParams);
    return WithParams as unknown as TaskClassWith<C, S>;
  }

  constructor(args?: object) {
    const meta = classMeta(new.target);
    const given = (args ?? EMPTY) as Record<string, unknown>;
    for (const key in given) if (!meta.nameSet.has(key)) throw unknownParamError(meta, key);

    const { names, params } = meta;
    const overrides = familyDefaults(meta.family);
    const canonical: string[] = new Array(names.length);
    // Values go straight onto this object; if an equal task exists, this object is dropped.
    const self = this as unknown as Record<string, unknown>;
    for (let i = 0; i < names.length; i++) {
      const name = names[i]!;
      const param = params[i]!;
      let value = given[name];
      try {
        if (value !== undefined) value = param.coerce(value);
        else if (overrides?.has(name)) {
          value = overrides.get(name);
          markFamilyDefaultUsed(meta.family, name);
        } else if (param.hasDefault) value = param.defaultValue;
        else
          throw new MissingParameterError(
            `${meta.family}: missing required parameter '${name}' (${param.typeName})`,
            name,
          );
        canonical[i] = param.serialize(value);
      } catch (error) {
        throw paramError(meta.family, name, error);
      }
      self[name] = value;
    }

    const id = taskId(meta.family, significantOf(meta, canonical));
    const key = meta.hasInsignificant ? id + '\0' + canonical.join('\0') : id;
    const cached = meta.instances.get(key);
    // Returning an object from a constructor makes `new` yield it: equal tasks are one object.
    if (cached) return cached as this;

    this.#meta = meta;
    this.#id = id;
    this.#canonical = canonical;
    meta.instances.set(key, this);
  }

  /** `Family(name=value, ...)` over significant parameters. */
  get id(): string {
    return this.#id;
  }

  /** Short stable hex hash of the family and significant parameters. */
  get hash(): string {
    return (this.#hash ??= taskHash(this.#meta.family, significantOf(this.#meta, this.#canonical)));
  }

  get family(): string {
    return this.#meta.family;
  }

  /** All parameters as canonical strings, significant or not. */
  get canonicalParams(): Readonly<Record<string, string>> {
    const out: Record<string, string> = {};
    this.#meta.names.forEach((name, i) => (out[name] = this.#canonical[i]!));
    return out;
  }

  /** `name=value/...` over significant parameters, escaped to be safe in any store. */
  paramPath(): string {
    return paramPath(significantOf(this.#meta, this.#canonical));
  }

  /** Tasks that must be complete before this one runs. */
  requires(): Requirements {
    return undefined;
  }

  /** The artifacts this task produces. No outputs means the task always runs. */
  output(): Outputs {
    return undefined;
  }

  /** The outputs of `requires()`, in the same shape. */
  input(): InputOf<ReturnType<this['requires']>> {
    return mapShape(this.requires(), isTask, (task) => task.output()) as InputOf<
      ReturnType<this['requires']>
    >;
  }

  /** Complete when every output exists. Override for other rules (the planner then calls it). */
  complete(): boolean | Promise<boolean> {
    const outputs = flatten(this.output(), isTarget);
    if (outputs.length === 0) return false;
    return Promise.all(outputs.map((target) => target.exists())).then((found) =>
      found.every(Boolean),
    );
  }

  /** The work. Write each output with its target's `write()` or `createWriteStream()`. */
  run(_context: RunContext): void | Promise<void> {
    throw new Error(`${this.id} has no run() method`);
  }

  /** A task of `Cls` with the parameters both classes share, plus `overrides`. */
  clone<T extends Task, A extends object>(Cls: new (args: A) => T, overrides?: Partial<A>): T {
    const meta = classMeta(Cls as unknown as typeof Task);
    const self = this as unknown as Record<string, unknown>;
    const args: Record<string, unknown> = {};
    for (const name of meta.names) if (this.#meta.nameSet.has(name)) args[name] = self[name];
    return new Cls({ ...args, ...overrides } as A);
  }

  toString(): string {
    return this.#id;
  }
}

function significantOf(meta: ClassMeta, canonical: readonly string[]) {
  if (!meta.hasInsignificant) return { names: meta.names, values: canonical };
  return { names: meta.significantNames, values: meta.significant.map((i) => canonical[i]!) };
}

export function isTask(value: unknown): value is Task {
  return value instanceof Task;
}

/** Input data made elsewhere: never run; incomplete means the data is missing. */
export abstract class ExternalTask extends Task {
  override run(): never {
    throw new Error(`${this.id} is an ExternalTask and is never run`);
  }
}

/** Groups other tasks; complete when all its requirements are. */
export abstract class WrapperTask extends Task {
  override async complete(): Promise<boolean> {
    const found = await Promise.all(
      flatten(this.requires(), isTask).map((task) => task.complete()),
    );
    return found.every(Boolean);
  }

  override run(): void {}
}

/** Mirrors an output shape with the staging location of each output. */
export type StagedOf<O, D extends unknown[] = []> = D['length'] extends Depth['length']
  ? unknown
  : O extends Target
    ? StagedPath
    : O extends readonly unknown[]
      ? { [K in keyof O]: StagedOf<O[K], [...D, unknown]> }
      : O extends object
        ? { [K in keyof O]: StagedOf<O[K], [...D, unknown]> }
        : undefined;

export interface StagedPath {
  /** Where the program writes this output; published under the final name after exit 0. */
  readonly path: string;
  /** The final artifact's uri. */
  readonly uri: string;
}

/**
 * A task whose work is a program. `command(staged)` returns an argv array (never a shell
 * string); the program writes each output at its staged path, and the engine publishes them
 * atomically after a zero exit.
 */
export abstract class CommandTask extends Task {
  /** Container image, for the docker and nomad executors. */
  declare image?: string;

  abstract command(staged: StagedOf<ReturnType<this['output']>>): readonly string[];

  /** Extra environment variables for the program. */
  env(): Readonly<Record<string, string>> {
    return {};
  }

  /** Working directory of the program. Default: the current directory. */
  cwd(): string | undefined {
    return undefined;
  }

  override run(): never {
    throw new Error(`${this.id} is a CommandTask; it runs through an executor (dagwright's run())`);
  }
}

/** Classes that are building blocks, not task families: the bases and what `with()` returns. */
const notFamilies = new WeakSet<object>([Task, ExternalTask, WrapperTask, CommandTask]);

/** `true` for a class users can run: a Task subclass that is not a building block. */
export function isTaskFamily(value: unknown): value is typeof Task {
  return typeof value === 'function' && value.prototype instanceof Task && !notFamilies.has(value);
}

let reserved: Set<string> | undefined;
function reservedNames(): ReadonlySet<string> {
  if (reserved) return reserved;
  reserved = new Set([
    'priority',
    'retries',
    'retryDelayMs',
    'timeoutMs',
    'resources',
    'image',
    'executor',
    'params',
  ]);
  for (const proto of [
    Task.prototype,
    WrapperTask.prototype,
    CommandTask.prototype,
    Object.prototype,
  ]) {
    for (const name of Object.getOwnPropertyNames(proto)) reserved.add(name);
  }
  return reserved;
}

export type { AnyParam };
