/**
 * F-hdfs: N daily partitions on HDFS (WebHDFS), `date=YYYY-MM-DD.json` in one folder, 90% present
 * (every tenth day missing, like E): the time to decide which are missing, and the requests it
 * takes. Plans only. The fixture is kept between runs (bench/storage.mjs); requests are counted
 * by bench/count-proxy.mjs, which Luigi's side goes through too; `--direct 1` goes straight to
 * the server instead, uncounted (how run.mjs times it).
 */
import { args, report } from '../lib.mjs';
import { countSince, prepare, startCountingProxy } from '../storage.mjs';

const { size = '10000', direct = '0' } = args();
const n = Number(size);
const hdfs = prepare('hdfs', n);
const proxy = await startCountingProxy(hdfs.endpoint, direct === '1');
const { HdfsTarget, Task, Temporal, WrapperTask, configureStorage, p, plan } =
  await import('../../dist/index.js');
configureStorage({ hdfs: { user: hdfs.user } });
const root = `webhdfs://${new URL(proxy.url).host}${hdfs.prefix}`;
const start = Temporal.PlainDate.from('2015-01-01');

class Daily extends Task.with({ date: p.date() }) {
  output() {
    return new HdfsTarget(`${root}date=${this.date.toString()}.json`);
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

const before = await proxy.count();
const thePlan = await plan([new Days({ start, days: n })]);
const counted = countSince(before, await proxy.count());
proxy.stop();
const missing = thePlan.nodes
  .filter((node) => node.status === 'pending' && node.task instanceof Daily)
  .map((node) => start.until(node.task.date).days);
report(
  'F-hdfs',
  n,
  {
    planMs: thePlan.planMs,
    runMs: 0,
    // Exactly every tenth partition is missing.
    status:
      missing.length === Math.ceil(n / 10) && missing.every((day) => day % 10 === 0)
        ? 'success'
        : 'failed',
  },
  { missing: missing.length, requests: counted.requests, request_kinds: counted.kinds },
);
