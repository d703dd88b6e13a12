/**
 * E: N daily partitions from 2015-01-01 under a WrapperTask, 90% present (every tenth day
 * missing): the time to decide which are missing. Plans only.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { LocalTarget, Task, Temporal, WrapperTask, p, plan } from '../../dist/index.js';
import { args, freshDir, report } from '../lib.mjs';

const { size = '3650' } = args();
const n = Number(size);
const dir = freshDir(`e-${n}`);
const start = Temporal.PlainDate.from('2015-01-01');
const pathOf = (date) =>
  `${dir}/daily/${date.year}/${String(date.month).padStart(2, '0')}/${String(date.day).padStart(2, '0')}/data.out`;
for (let i = 0; i < n; i++) {
  if (i % 10 === 0) continue;
  const path = pathOf(start.add({ days: i }));
  mkdirSync(path.slice(0, path.lastIndexOf('/')), { recursive: true });
  writeFileSync(path, '');
}

class Daily extends Task.with({ date: p.date() }) {
  output() {
    return new LocalTarget(pathOf(this.date));
  }
}
class Days extends WrapperTask.with({ start: p.date(), days: p.int() }) {
  requires() {
    return Array.from(
      { length: this.days },
      (_, i) => new Daily({ date: this.start.add({ days: i }) }),
    );
  }
}

const thePlan = await plan([new Days({ start, days: n })]);
const missing = thePlan.nodes.filter(
  (node) => node.status === 'pending' && node.task instanceof Daily,
).length;
report(
  'E',
  n,
  {
    planMs: thePlan.planMs,
    runMs: 0,
    status: missing === Math.ceil(n / 10) ? 'success' : 'failed',
  },
  { missing },
);
