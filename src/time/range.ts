/**
 * `Range`: every partition of a family between two values, as one wrapper task (Luigi's
 * RangeDaily/RangeHourly). It requires one task per partition and leaves deciding which exist
 * to the planner, which checks a whole frontier per store at once: no check per partition here.
 */
import { p } from '../params/index.js';
import { classMeta } from '../task-class.js';
import { WrapperTask, type Requirements, type Task } from '../task.js';
import {
  partitionedFamily,
  type ArgsOf,
  type PartitionedFamily,
  type RangeFamily,
} from './partition-family.js';
import { defaultStep, partitions, type Every, type PartitionValue } from './partitions.js';

export type { RangeFamily } from './partition-family.js';

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
  /** The family's other parameters, the same for every partition. */
  params?: Partial<ArgsOf<F>>;
}

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
  // The other parameters as JSON with sorted keys (a plain string: zod stays unloaded at start).
  ofParams: p.string({ default: '{}', pathSafe: false }),
}) {
  static override family = 'Range';

  /**
   * One task per partition of `Family` between `from` and `to`, oldest first:
   * `Range.of(TrainFeatures, { from: '2024-01-01', to: '2024-02-01', params: { country: 'de' } })`.
   * To run only the first N missing partitions (Luigi's task_limit), use `backfill()`.
   */
  static of<F extends RangeFamily>(Family: F, options: RangeOptions<F>): Range {
    const Of = rangeClassOf(Family);
    const family = partitionedFamily(Family, {
      param: options.param,
      params: options.params,
      context: `Range of ${classFamily(Family)}`,
    });
    // Canonical texts, so equal ranges written differently are the same task.
    return new Of({
      of: family.family,
      param: family.param,
      from: family.text(family.value('from', options.from)),
      to: family.text(family.value('to', options.to)),
      every: options.every ?? defaultStep(family.kind),
      tz: options.tz ?? 'UTC',
      reverse: options.reverse ?? false,
      ofParams: JSON.stringify(family.fixed),
    });
  }

  /** The partitioned family this range is over. */
  partitioned(): PartitionedFamily {
    const Family = (this.constructor as unknown as { readonly target: RangeFamily }).target;
    return partitionedFamily(Family, {
      param: this.param,
      params: JSON.parse(this.ofParams) as Record<string, string>,
    });
  }

  /** The partition values, in the order the tasks are required. */
  partitionValues(): PartitionValue[] {
    return partitions({
      kind: this.partitioned().kind,
      from: this.from,
      to: this.to,
      every: this.every,
      tz: this.tz,
      reverse: this.reverse,
    });
  }

  override requires(): Requirements {
    const family = this.partitioned();
    return this.partitionValues().map((value) => family.task(value));
  }
}

const rangeClasses = new WeakMap<RangeFamily, new (args: object) => Range>();

function classFamily(Family: RangeFamily): string {
  return classMeta(Family as unknown as typeof Task).family;
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
