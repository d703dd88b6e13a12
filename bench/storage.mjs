/**
 * Shape F's storage, shared by our shapes and Luigi's: the settings of the test servers (MinIO,
 * HDFS), the kept fixture of N daily partitions on each, and the counting proxy.
 *
 *   node bench/storage.mjs prepare s3|hdfs N   makes the fixture unless it is complete; prints
 *                                             the settings as a JSON line
 *
 * The fixture: partition i (day 2015-01-01 + i) is `date=YYYY-MM-DD.json` under one prefix,
 * `bench-f/<N>/daily/` in the bucket or `/bench-f/<N>/daily/` on HDFS; every tenth (i % 10 == 0)
 * is missing; each holds `{}`. Written straight to the server (not through the proxy), once: the marker
 * `bench-f/<N>/_complete`, outside the partitions' prefix, is written last. No key is a path
 * prefix of another (MinIO's listing hides keys below an object: services-s3.md 5h).
 */
import { execFileSync, spawn } from 'node:child_process';
import { request } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchDir } from './lib.mjs';

const scripts = join(benchDir, '..', 'scripts', 'services');
const CONCURRENCY = 32;
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/** Partition i's file name: day 2015-01-01 + i. */
export function partitionName(i) {
  return `date=${new Date(Date.UTC(2015, 0, 1 + i)).toISOString().slice(0, 10)}.json`;
}

/** `export K=V` lines, as the scripts under scripts/services print them. */
export function parseExports(text) {
  const out = {};
  for (const line of text.split('\n')) {
    const match = /^export ([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line.trim());
    if (match) out[match[1]] = match[2];
  }
  return out;
}

/** The service's settings from the environment (run.mjs exports them), else from its script. */
function serviceEnv(kind) {
  const [key, script] = kind === 's3' ? ['S3_ENDPOINT', 'minio.sh'] : ['WEBHDFS_URL', 'hdfs.sh'];
  if (process.env[key]) return process.env;
  return parseExports(execFileSync(join(scripts, script), ['env'], { encoding: 'utf8' }));
}

/** Where shape F of size n lives on `kind` ('s3' or 'hdfs'), and how to reach it. */
export function settings(kind, n) {
  const env = serviceEnv(kind);
  if (kind === 's3')
    return {
      kind,
      endpoint: env.S3_ENDPOINT,
      accessKeyId: env.S3_ACCESS_KEY,
      secretAccessKey: env.S3_SECRET_KEY,
      region: env.S3_REGION || 'us-east-1',
      bucket: env.S3_BUCKET,
      prefix: `bench-f/${n}/daily/`,
      marker: `bench-f/${n}/_complete`,
    };
  if (kind === 'hdfs')
    return {
      kind,
      endpoint: env.WEBHDFS_URL,
      user: env.HDFS_USER || 'dagwright',
      prefix: `/bench-f/${n}/daily/`,
      marker: `/bench-f/${n}/_complete`,
    };
  throw new Error(`unknown storage ${kind}`);
}

/** Makes the fixture unless its marker exists (in a child process: see prepare()). */
async function makeFixture(s, n) {
  const present = Array.from({ length: n }, (_, i) => i).filter((i) => i % 10 !== 0);
  const started = performance.now();
  if (s.kind === 's3') {
    const { S3Client, HeadObjectCommand, PutObjectCommand } = await import('@aws-sdk/client-s3');
    const client = new S3Client({
      endpoint: s.endpoint,
      region: s.region,
      forcePathStyle: true,
      credentials: { accessKeyId: s.accessKeyId, secretAccessKey: s.secretAccessKey },
    });
    const put = (key) =>
      client.send(new PutObjectCommand({ Bucket: s.bucket, Key: key, Body: '{}' }));
    try {
      await client.send(new HeadObjectCommand({ Bucket: s.bucket, Key: s.marker }));
      return;
    } catch (error) {
      if (error?.$metadata?.httpStatusCode !== 404) throw error;
    }
    console.error(`F: writing ${present.length} objects under s3://${s.bucket}/${s.prefix}`);
    await inParallel(present, (i) => put(s.prefix + partitionName(i)));
    await put(s.marker);
    client.destroy();
  } else {
    const nn = `${s.endpoint}/webhdfs/v1`;
    const user = `user.name=${encodeURIComponent(s.user)}`;
    const marker = await http('GET', `${nn}${s.marker}?op=GETFILESTATUS&${user}`);
    if (marker.status === 200) return;
    if (marker.status !== 404) throw new Error(`GETFILESTATUS ${s.marker}: ${marker.status}`);
    const mkdirs = await http('PUT', `${nn}${s.prefix}?op=MKDIRS&${user}`);
    if (mkdirs.status !== 200) throw new Error(`MKDIRS ${s.prefix}: ${mkdirs.status}`);
    // Two steps (services-hdfs.md 5a): the NameNode redirects, the DataNode takes the bytes.
    const create = async (path) => {
      const first = await http('PUT', `${nn}${path}?op=CREATE&overwrite=true&${user}`);
      if (first.status !== 307) throw new Error(`CREATE ${path}: ${first.status} ${first.body}`);
      const second = await http('PUT', first.headers.location, '{}');
      if (second.status !== 201) throw new Error(`CREATE ${path}: ${second.status} ${second.body}`);
    };
    console.error(`F: writing ${present.length} files under ${s.endpoint} ${s.prefix}`);
    await inParallel(present, (i) => create(s.prefix + partitionName(i)));
    await create(s.marker);
  }
  console.error(`F: fixture written in ${Math.round(performance.now() - started)} ms`);
}

async function inParallel(items, work) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]);
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
}

/** One HTTP/1.1 request with node:http (fetch cannot talk to the DataNode: services-hdfs.md 0). */
export function http(method, url, body) {
  return new Promise((resolve, reject) => {
    const req = request(url, { method }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () =>
        resolve({
          status: res.statusCode,
          headers: res.headers,
          body: Buffer.concat(chunks).toString(),
        }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Makes the fixture (unless complete) in a child process, so the shape's own process, whose
 * peak RSS is reported, neither pays for it nor warms its S3 client with it. Returns the settings.
 */
export function prepare(kind, n) {
  const output = execFileSync(
    process.execPath,
    [fileURLToPath(import.meta.url), 'prepare', kind, String(n)],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return JSON.parse(output.trim().split('\n').at(-1));
}

/**
 * Starts bench/count-proxy.mjs in front of `upstream`; `count()` reads its counters. `direct`:
 * no proxy, requests go straight to the server, uncounted (the timed runs: the hop costs each
 * request the same, so it would charge the side that sends more requests more).
 */
export async function startCountingProxy(upstream, direct = false) {
  if (direct) return { url: upstream, count: async () => undefined, stop: () => {} };
  const child = spawn(process.execPath, [join(benchDir, 'count-proxy.mjs'), upstream], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const url = await new Promise((resolve, reject) => {
    let text = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
      text += chunk;
      if (text.includes('\n')) resolve(text.trim());
    });
    child.on('exit', (code) => reject(new Error(`count-proxy exited with ${code}`)));
  });
  return {
    url,
    count: async () => JSON.parse((await http('GET', `${url}/_count-proxy`)).body),
    stop: () => child.stdin.end(),
  };
}

/** The difference of two proxy counters: `{ requests, kinds }`. */
export function countSince(before, after) {
  if (!before || !after) return {};
  const kinds = {};
  for (const [kind, count] of Object.entries(after.kinds)) {
    const delta = count - (before.kinds[kind] ?? 0);
    if (delta > 0) kinds[kind] = delta;
  }
  return { requests: after.requests - before.requests, kinds };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [command, kind, size] = process.argv.slice(2);
  if (command !== 'prepare' || !['s3', 'hdfs'].includes(kind) || !(Number(size) > 0)) {
    console.error('usage: node bench/storage.mjs prepare s3|hdfs N');
    process.exit(2);
  }
  const s = settings(kind, Number(size));
  await makeFixture(s, Number(size));
  process.stdout.write(JSON.stringify(s) + '\n');
}
