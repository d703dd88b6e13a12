/**
 * A task family seen as partitions: which of its parameters is time, and how to build the
 * task of one partition with the other parameters fixed. Shared by Range, backfill and cron.
 */
import { UsageError } from '../errors.js';
import type { AnyParam } from '../params/param.js';
import { classMeta } from '../task-class.js';
import type { Task } from '../task.js';
import {
  partitionKindOf,
  partitionText,
  partitionValue,
  type PartitionKind,
  type PartitionValue,
} from './partitions.js';

/** A task family whose instances are partitions: a concrete task class. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type RangeFamily = new (args: any) => Task;

export type ArgsOf<F> = F extends new (args: infer A) => Task ? A : never;

export interface PartitionedFamily {
  readonly Family: RangeFamily;
  /** The family's name, e.g. `TrainFeatures`. */
  readonly family: string;
  /** The time parameter that varies. */
  readonly param: string;
  readonly kind: PartitionKind;
  /** The other parameters as canonical command-line texts, sorted by name. */
  readonly fixed: Readonly<Record<string, string>>;
  /** The task of one partition. */
  task(value: PartitionValue): Task;
  /** A partition given as a value or its text, checked; `name` says which option it came from. */
  value(name: string, given: unknown): PartitionValue;
  /** A partition's canonical text. */
  text(value: PartitionValue): string;
}

export interface PartitionedFamilyOptions {
  /** Default: the family's only date, month, dateHour or dateMinute parameter. */
  param?: string;
  /** The other parameters: values, or their command-line texts. */
  params?: Record<string, unknown>;
  /** Prefix of error messages, e.g. `Range of TrainFeatures`. Default: the family name. */
  context?: string;
}

export function partitionedFamily(
  Family: RangeFamily,
  options: PartitionedFamilyOptions = {},
): PartitionedFamily {
  const meta = classMeta(Family as unknown as typeof Task);
  const context = options.context ?? meta.family;
  const param = options.param ?? onlyTimeParam(context, meta.names, meta.params);
  const kind = kindOfParam(context, meta.names, meta.params, param);
  const fixedTexts = otherParams(context, meta.names, meta.params, param, options.params ?? {});
  const fixedValues: Record<string, unknown> = {};
  for (const [name, text] of Object.entries(fixedTexts))
    fixedValues[name] = meta.params[meta.names.indexOf(name)]!.parse(text);
  return {
    Family,
    family: meta.family,
    param,
    kind,
    fixed: fixedTexts,
    task: (value) => new Family({ ...fixedValues, [param]: value }),
    value: (name, given) => {
      try {
        return partitionValue(kind, name, given);
      } catch (error) {
        throw new UsageError(
          `${context}: ${(error as Error).message.replace(/^partitions: /, '')}`,
        );
      }
    },
    text: (value) => partitionText(kind, value),
  };
}

function timeParamNames(names: readonly string[], params: readonly AnyParam[]): string[] {
  return names.filter((_, i) => partitionKindOf(params[i]!) !== undefined);
}

function onlyTimeParam(
  context: string,
  names: readonly string[],
  params: readonly AnyParam[],
): string {
  const candidates = timeParamNames(names, params);
  if (candidates.length === 1) return candidates[0]!;
  if (candidates.length === 0) {
    throw new UsageError(
      `${context}: it has no date, month, dateHour or dateMinute parameter to range over`,
    );
  }
  throw new UsageError(
    `${context}: several time parameters (${candidates.join(', ')}); choose one with param`,
  );
}

function kindOfParam(
  context: string,
  names: readonly string[],
  params: readonly AnyParam[],
  param: string,
): PartitionKind {
  const index = names.indexOf(param);
  const kind = index < 0 ? undefined : partitionKindOf(params[index]!);
  if (kind) return kind;
  const candidates = timeParamNames(names, params);
  throw new UsageError(
    `${context}: ${JSON.stringify(param)} is not a time parameter of it (candidates: ${candidates.join(', ') || 'none'})`,
  );
}

/** The fixed parameters as command-line texts: canonical, and parsed back to the same values. */
function otherParams(
  context: string,
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
        `${context}: ${name} is the parameter ranged over; give it as from/to, not in params`,
      );
    }
    const index = names.indexOf(name);
    if (index < 0) {
      throw new UsageError(
        `${context}: unknown parameter ${JSON.stringify(name)} in params; known: ${names.join(', ')}`,
      );
    }
    const kind = params[index]!;
    try {
      texts[name] = kind.argument(kind.coerce(value));
    } catch (error) {
      throw new UsageError(`${context}: params.${name}: ${(error as Error).message}`);
    }
  }
  return texts;
}
