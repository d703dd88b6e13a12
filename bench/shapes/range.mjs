/**
 * E-range and H-range: which of N time partitions from 2015-01-01 are missing, decided by a
 * `Range` (Luigi's RangeDaily / RangeHourly). 90 % present, every tenth partition missing.
 *
 *   --kind daily   N days,  `daily/YYYY/MM/DD/data.out`, a `p.date()` family     (E-range)
 *   --kind hourly  N hours, `hourly/YYYY/MM/DD/HH.out`, a `p.dateHour()` family (H-range)
 *
 * The files are a kept fixture (bench/lib.mjs partitionFixture), made before timing. Only
 * `plan([Range.of(Family, { from, to })])` is timed; a run is a success only if exactly the
 * tenth partitions are found missing.
 */
import { LocalTarget, Range, Task, Temporal, p, plan } from '../../dist/index.js';
import { args, partitionFixture, report } from '../lib.mjs';

const { kind = 'daily', size = kind === 'daily' ? '3650' : '87600' } = args();
const n = Number(size);
const dir = partitionFixture(kind, n);
const pad = (value) => String(value).padStart(2, '0');
const day = (time) => `${time.year}/${pad(time.month)}/${pad(time.day)}`;

class Daily extends Task.with({ date: p.date() }) {
  output() {
    return new LocalTarget(`${dir}/daily/${day(this.date)}/data.out`);
  }
}
class Hourly extends Task.with({ hour: p.dateHour() }) {
  output() {
    return new LocalTarget(`${dir}/hourly/${day(this.hour)}/${pad(this.hour.hour)}.out`);
  }
}

const [Family, from, to] =
  kind === 'daily'
    ? [Daily, Temporal.PlainDate.from('2015-01-01'), (start) => start.add({ days: n })]
    : [Hourly, Temporal.PlainDateTime.from('2015-01-01T00:00'), (start) => start.add({ hours: n })];
const range = Range.of(Family, { from, to: to(from) });

const thePlan = await plan([range]);
const start = Temporal.PlainDateTime.from('2015-01-01T00:00');
const missing = thePlan.nodes.filter(
  (node) => node.status === 'pending' && node.task instanceof Family,
);
// Exactly every tenth partition is missing.
const tenths = missing.every((node) => {
  const value = node.task instanceof Daily ? node.task.date.toPlainDateTime() : node.task.hour;
  const steps = start.until(value, { largestUnit: 'hours' }).hours / (kind === 'daily' ? 24 : 1);
  return steps % 10 === 0;
});
report(
  kind === 'daily' ? 'E-range' : 'H-range',
  n,
  {
    planMs: thePlan.planMs,
    runMs: 0,
    status: missing.length === Math.ceil(n / 10) && tenths ? 'success' : 'failed',
  },
  { missing: missing.length },
);
