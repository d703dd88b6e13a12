/**
 * F-s3: N daily partitions on S3 (MinIO), `date=YYYY-MM-DD.json` under one prefix, 90% present
 * (every tenth day missing, like E): the time to decide which are missing, and the requests it
 * takes. Plans only. The fixture is kept between runs (bench/storage.mjs); requests are counted
 * by bench/count-proxy.mjs, which Luigi's side goes through too; `--direct 1` goes straight to
 * the server instead, uncounted (how run.mjs times it).
 */
import { args, report } from '../lib.mjs';
import { countSince, prepare, startCountingProxy } from '../storage.mjs';

const { size = '10000', direct = '0' } = args();
const n = Number(size);
const s3 = prepare('s3', n);
const proxy = await startCountingProxy(s3.endpoint, direct === '1');
// Credentials as a user gives them: the standard AWS variables.
Object.assign(process.env, {
  AWS_ACCESS_KEY_ID: s3.accessKeyId,
  AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
  AWS_REGION: s3.region,
  AWS_ENDPOINT_URL_S3: proxy.url,
});
// The SDK is loaded before timing, as boto3 is on Luigi's side; the client is made in plan().
await import('@aws-sdk/client-s3');
const { S3Target, Task, Temporal, WrapperTask, configureStorage, p, plan } =
  await import('../../dist/index.js');
configureStorage({ s3: { endpoint: proxy.url, region: s3.region, forcePathStyle: true } });
const start = Temporal.PlainDate.from('2015-01-01');

class Daily extends Task.with({ date: p.date() }) {
  output() {
    return new S3Target(`s3://${s3.bucket}/${s3.prefix}date=${this.date.toString()}.json`);
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
  'F-s3',
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
