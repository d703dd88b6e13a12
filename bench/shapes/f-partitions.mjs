/**
 * F: N daily partitions on S3 (MinIO) or HDFS (WebHDFS), `date=YYYY-MM-DD.json` under one
 * prefix, 90% present (every tenth day missing, like E): the time to decide which are missing,
 * and the requests it takes. Plans only.
 *
 *   node bench/shapes/f-partitions.mjs --store s3|hdfs --size N [--direct 1]
 *
 * The fixture is kept between runs (bench/storage.mjs); requests are counted by
 * bench/count-proxy.mjs, which Luigi's side goes through too; `--direct 1` goes straight to the
 * server instead, uncounted (how run.mjs times it).
 */
import { args, report } from '../lib.mjs';
import { countSince, prepare, startCountingProxy } from '../storage.mjs';

const { store = 's3', size = '10000', direct = '0' } = args();
const n = Number(size);
const server = prepare(store, n);
const proxy = await startCountingProxy(server.endpoint, direct === '1');

/** How this store's targets are made, with the store set up as a user would set it up. */
async function targetsOn(api) {
  if (store === 'hdfs') {
    api.configureStorage({ hdfs: { user: server.user } });
    const root = `webhdfs://${new URL(proxy.url).host}${server.prefix}`;
    return (date) => new api.HdfsTarget(`${root}date=${date}.json`);
  }
  // Credentials as a user gives them: the standard AWS variables.
  Object.assign(process.env, {
    AWS_ACCESS_KEY_ID: server.accessKeyId,
    AWS_SECRET_ACCESS_KEY: server.secretAccessKey,
    AWS_REGION: server.region,
    AWS_ENDPOINT_URL_S3: proxy.url,
  });
  api.configureStorage({
    s3: { endpoint: proxy.url, region: server.region, forcePathStyle: true },
  });
  return (date) => new api.S3Target(`s3://${server.bucket}/${server.prefix}date=${date}.json`);
}

// The SDK is loaded before timing, as boto3 is on Luigi's side; the client is made in plan().
if (store === 's3') await import('@aws-sdk/client-s3');
const api = await import('../../dist/index.js');
const { Task, Temporal, WrapperTask, p, plan } = api;
const targetOf = await targetsOn(api);
const start = Temporal.PlainDate.from('2015-01-01');

class Daily extends Task.with({ date: p.date() }) {
  output() {
    return targetOf(this.date.toString());
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
  `F-${store}`,
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
