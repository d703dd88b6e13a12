/**
 * `Range`: every partition of a family between two values, as one wrapper task (Luigi's
 * RangeDaily/RangeHourly). It requires one task per partition and leaves deciding which exist
 * to the planner, which checks a whole frontier per store at once: no check per partition here.
 */
import { UsageError } from '../errors.js';
import { p } from '../params/index.js';
import type { AnyParam } from '../params/param.js';
import { classMeta } from '../task-class.js';
import { Task, WrapperTask, type Requirements } from '../task.js';
import {
  defaultStep,
  partitionKindOf,
  partitions,
  type Every,
  type PartitionKind,
  type PartitionValue,
} from './partitions.js';

/** A task family whose instances Range builds: a concrete task class. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type RangeFamily = new (args: any) => Task;

type ArgsOf<F> = F extends new (args: infer A) => Task ? A : never;

export interface RangeOptions<F> {
  /** The time parameter to vary. Default: the family's only date, month, dateHour or dateMinute. */
  param?: string;
  /** First partition (inclusive): a value of the parameter's kind or its text. */
  from: PartitionValue | string;
  /** End (exclusive), like Luigi's `stop`. */
  to: PartitionValue | string;
  /** Default: the parameter kind's own step. Or a cron expression, read in `tz`. */
  every?: Every;
  /** Time zone of a cron expression. Default `UTC`. */
  tz?: string;
  /** Newest first. Default false. */
  reverse?: boolean;
  /** At most this many partitions, from the start of the order (Luigi's task_limit). */
  limit?: number;
  /** The family's other parameters, the same for every partition. */
  params?: Partial<ArgsOf<F>>;
}

/** Stands for "no limit" in the task's parameters, which need a value to have an identity. */
const NO_LIMIT = -1;

export abstract class Range extends WrapperTask.with({
  of: p.string(),
  param: p.string(),
  from: p.string(),
  to: p.string(),
  // Cron expressions (`*/15 * * * *`) and zones (`Europe/Berlin`) hold slashes; a Range has no
  // outputs, so these never reach an artifact path.
  every: p.string({ pathSafe: false }),
  tz: p.string({ default: 'UTC', pathSafe: false }),
  reverse: p.bool({ default: false }),
  limit: p.int({ default: NO_LIMIT, min: NO_LIMIT }),
  // The other parameters as JSON with sorted keys (a plain string: zod stays unloaded at start).
  ofParams: p.string({ default: '{}', pathSafe: false }),
}) {
  static override family = 'Range';

  /**
   * One task per partition of `Family` between `from` and `to`, oldest first:
   * `Range.of(TrainFeatures, { from: '2024-01-01', to: '2024-02-01', params: { country: 'de' } })`.
   */
  static of<F extends RangeFamily>(Family: F, options: RangeOptions<F>): Range {
    const Of = rangeClassOf(Family);
    const meta = classMeta(Family as unknown as typeof Task);
    const param = options.param ?? onlyTimeParam(meta.family, meta.names, meta.params);
    const kind = kindOfParam(meta.family, meta.names, meta.params, param);
    // Canonical texts, so equal ranges written differently are the same task.
    const timeParam = meta.params[meta.names.indexOf(param)]!;
    const text = (name: 'from' | 'to'): string => {
      try {
        return timeParam.argument(timeParam.coerce(options[name]));
      } catch (error) {
        throw new UsageError(`Range of ${meta.family}: ${name}: ${(error as Error).message}`);
      }
    };
    return new Of({
      of: meta.family,
      param,
      from: text('from'),
      to: text('to'),
      every: options.every ?? defaultStep(kind),
      tz: options.tz ?? 'UTC',
      reverse: options.reverse ?? false,
      limit: options.limit ?? NO_LIMIT,
      ofParams: JSON.stringify(
        otherParams(meta.family, meta.names, meta.params, param, options.params ?? {}),
      ),
    });
  }

  /** The partition values, in the order the tasks are required. */
  partitionValues(): PartitionValue[] {
    const Family = familyOf(this);
    const meta = classMeta(Family as unknown as typeof Task);
    return partitions({
      kind: kindOfParam(meta.family, meta.names, meta.params, this.param),
      from: this.from,
      to: this.to,
      every: this.every,
      tz: this.tz,
      reverse: this.reverse,
      ...(this.limit === NO_LIMIT ? {} : { limit: this.limit }),
    });
  }

  override requires(): Requirements {
    const Family = familyOf(this);
    const meta = classMeta(Family as unknown as typeof Task);
    const fixed: Record<string, unknown> = {};
    const given = JSON.parse(this.ofParams) as Record<string, string>;
    for (const [name, argument] of Object.entries(given))
      fixed[name] = meta.params[meta.names.indexOf(name)]!.parse(argument);
    return this.partitionValues().map((value) => new Family({ ...fixed, [this.param]: value }));
  }
}

const rangeClasses = new WeakMap<RangeFamily, new (args: object) => Range>();

/** The family class a Range task builds partitions of; its class carries it. */
function familyOf(range: Range): RangeFamily {
  return (range.constructor as unknown as { readonly target: RangeFamily }).target;
}

function rangeClassOf(Family: RangeFamily): new (args: object) => Range {
  let Of = rangeClasses.get(Family);
  if (!Of) {
    // Subclassed per family, so the family class travels with the task, not in a registry.
    class RangeOfFamily extends Range {
      static override family = 'Range';
      static target = Family;
    }
    Of = RangeOfFamily as unknown as new (args: object) => Range;
    rangeClasses.set(Family, Of);
  }
  return Of;
}

function timeParamNames(names: readonly string[], params: readonly AnyParam[]): string[] {
  return names.filter((_, i) => partitionKindOf(params[i]!) !== undefined);
}

function onlyTimeParam(
  family: string,
  names: readonly string[],
  params: readonly AnyParam[],
): string {
  const candidates = timeParamNames(names, params);
  if (candidates.length === 1) return candidates[0]!;
  if (candidates.length === 0) {
    throw new UsageError(
      `Range of ${family}: it has no date, month, dateHour or dateMinute parameter to range over`,
    );
  }
  throw new UsageError(
    `Range of ${family}: several time parameters (${candidates.join(', ')}); choose one with param`,
  );
}

function kindOfParam(
  family: string,
  names: readonly string[],
  params: readonly AnyParam[],
  param: string,
): PartitionKind {
  const index = names.indexOf(param);
  const kind = index < 0 ? undefined : partitionKindOf(params[index]!);
  if (kind) return kind;
  const candidates = timeParamNames(names, params);
  throw new UsageError(
    `Range of ${family}: ${JSON.stringify(param)} is not a time parameter of it (candidates: ${candidates.join(', ') || 'none'})`,
  );
}

/** The fixed parameters as command-line texts: canonical, and parsed back to the same values. */
function otherParams(
  family: string,
  names: readonly string[],
  params: readonly AnyParam[],
  param: string,
  given: Record<string, unknown>,
): Record<string, string> {
  const texts: Record<string, string> = {};
  for (const [name, value] of Object.entries(given).sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (value === undefined) continue;
    if (name === param) {
      throw new UsageError(
        `Range of ${family}: ${name} is the parameter ranged over; give it as from/to, not in params`,
      );
    }
    const index = names.indexOf(name);
    if (index < 0) {
      throw new UsageError(
        `Range of ${family}: unknown parameter ${JSON.stringify(name)} in params; known: ${names.join(', ')}`,
      );
    }
    const kind = params[index]!;
    try {
      texts[name] = kind.argument(kind.coerce(value));
    } catch (error) {
      throw new UsageError(`Range of ${family}: params.${name}: ${(error as Error).message}`);
    }
  }
  return texts;
}
