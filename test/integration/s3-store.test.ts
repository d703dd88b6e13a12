/** s3Store.existsMany against a real MinIO, counting the requests it sends. */
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  resetS3RequestCounts,
  s3Client,
  s3RequestCounts,
  s3RequestTotal,
} from '../../src/targets/s3/client.js';
import { compareKeys, s3Store } from '../../src/targets/s3/store.js';
import { S3Target } from '../../src/targets/s3/target.js';
import { s3Service, uniquePrefix } from './services.js';

const s3 = s3Service();
const root = `s3://${s3.bucket}/${uniquePrefix('s3-store')}`;
const BIG = 10_000;
const part = (i: number): string => `${root}/big/part-${String(i).padStart(5, '0')}.json`;
const target = (uri: string): S3Target => new S3Target(uri);

/** Runs `work` over `items`, `concurrency` at a time. */
async function pool<T>(
  items: readonly T[],
  concurrency: number,
  work: (item: T) => Promise<unknown>,
) {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

/** Fisher-Yates with a fixed seed: the store must not rely on the order it is given. */
function shuffled<T>(items: readonly T[]): T[] {
  const result = [...items];
  let seed = 42;
  for (let i = result.length - 1; i > 0; i--) {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    const j = seed % (i + 1);
    [result[i], result[j]] = [result[j]!, result[i]!];
  }
  return result;
}

const smallFolder = (f: number, i: number): string => `${root}/small-${f}/file-${i}.csv`;
const midFolder = (f: number, i: number): string =>
  `${root}/mid-${f}/file-${String(i).padStart(3, '0')}.csv`;

beforeAll(async () => {
  const uris = [
    ...Array.from({ length: BIG }, (_, i) => part(i)),
    ...Array.from({ length: 30 * 3 }, (_, n) => smallFolder(Math.floor(n / 3), n % 3)),
    // mid folders: files 0..59, every third one is written
    ...Array.from({ length: 4 * 60 }, (_, n) => midFolder(Math.floor(n / 60), n % 60)).filter(
      (_, n) => n % 3 === 0,
    ),
    ...Array.from({ length: 20 }, (_, i) => `${root}/mixed/a-${String(i).padStart(2, '0')}.json`),
    ...Array.from({ length: 20 }, (_, i) => `${root}/mixed/a-05-sub/x-${i}.json`),
    ...Array.from({ length: 20 }, (_, i) => `${root}/mixed/z-sub-${i}/x.json`),
  ];
  const start = performance.now();
  await pool(uris, 32, (uri) => target(uri).write('{}'));
  console.log(`fixture: ${uris.length} PUTs in ${Math.round(performance.now() - start)} ms`);
}, 300_000);

describe('s3Store.existsMany', () => {
  it('decides 10,000 existing keys in one folder with one listing', async () => {
    const targets = shuffled(Array.from({ length: BIG }, (_, i) => target(part(i))));
    resetS3RequestCounts();
    const start = performance.now();
    const result = await s3Store.existsMany(targets);
    const ms = performance.now() - start;
    console.log(`10k existing: ${JSON.stringify(s3RequestCounts())} in ${Math.round(ms)} ms`);
    expect(result.every((exists) => exists)).toBe(true);
    expect(s3RequestTotal()).toBeLessThanOrEqual(11);
    expect(s3RequestTotal('HeadObjectCommand')).toBe(0);
  });

  it('decides a mix of existing and missing keys in one folder', async () => {
    const uris = [
      ...Array.from({ length: BIG }, (_, i) => part(i)),
      ...Array.from({ length: BIG / 5 }, (_, i) => part(i * 5).replace(/\.json$/, '.missing')),
      `${root}/big/zzz-after-everything.json`,
      `${root}/big/a-before-everything.json`,
    ];
    const targets = shuffled(uris.map(target));
    resetS3RequestCounts();
    const result = await s3Store.existsMany(targets);
    console.log(`10k existing + 2k missing: ${JSON.stringify(s3RequestCounts())}`);
    targets.forEach((t, i) =>
      expect(result[i], t.uri).toBe(t.key.endsWith('.json') && t.key.includes('part-')),
    );
    expect(s3RequestTotal()).toBeLessThanOrEqual(12);
  });

  it('asks a few keys in a big folder one by one', async () => {
    const targets = [target(part(17)), target(part(9_999)), target(`${root}/big/part-x.json`)];
    resetS3RequestCounts();
    expect(await s3Store.existsMany(targets)).toEqual([true, true, false]);
    expect(s3RequestCounts()).toEqual({ HeadObjectCommand: 3, HeadBucketCommand: 1 });
    resetS3RequestCounts();
    // The bucket is checked once per process.
    expect(await s3Store.existsMany(targets)).toEqual([true, true, false]);
    expect(s3RequestCounts()).toEqual({ HeadObjectCommand: 3 });
  });

  it('stops listing when it decides fewer keys per request than asking would', async () => {
    const targets = Array.from({ length: 8 }, (_, i) => target(part(i * 1250)));
    resetS3RequestCounts();
    expect(await s3Store.existsMany(targets)).toEqual(new Array(8).fill(true));
    console.log(`8 sparse keys in 10k: ${JSON.stringify(s3RequestCounts())}`);
    expect(s3RequestTotal()).toBeLessThanOrEqual(9);
  });

  it('answers targets across many folders, and the same target twice', async () => {
    const expected = new Map<string, boolean>();
    for (let f = 0; f < 30; f++) {
      for (let i = 0; i < 4; i++) expected.set(smallFolder(f, i), i < 3);
    }
    for (let f = 0; f < 4; f++) {
      for (let i = 0; i < 60; i++) expected.set(midFolder(f, i), i % 3 === 0);
    }
    for (let i = 0; i < 10; i++) expected.set(`${root}/nowhere/file-${i}.csv`, false);
    const uris = shuffled([...expected.keys(), smallFolder(3, 1), midFolder(2, 3)]);
    resetS3RequestCounts();
    const result = await s3Store.existsMany(uris.map(target));
    console.log(`${uris.length} targets in 35 folders: ${JSON.stringify(s3RequestCounts())}`);
    uris.forEach((uri, i) => expect(result[i], uri).toBe(expected.get(uri)));
    // 30 folders of 4 keys are asked (120 HEADs); 5 folders of 10+ keys are listed.
    expect(s3RequestTotal('HeadObjectCommand')).toBe(120);
    expect(s3RequestTotal('ListObjectsV2Command')).toBe(5);
  });

  it('is not confused by sub-folders between the wanted keys', async () => {
    const expected = new Map<string, boolean>();
    for (let i = 0; i < 25; i++)
      expected.set(`${root}/mixed/a-${String(i).padStart(2, '0')}.json`, i < 20);
    expected.set(`${root}/mixed/a-05-sub`, false);
    expected.set(`${root}/mixed/z-sub-3`, false);
    const uris = [...expected.keys()];
    expect(await s3Store.existsMany(uris.map(target))).toEqual(uris.map((u) => expected.get(u)));
  });

  it('orders keys the way S3 lists them (UTF-8 bytes, not UTF-16 units)', async () => {
    const names = ['a', 'é', '\u{e000}', '\u{fffd}', '😀', '\u{10000}', '~', 'Z', '0', 'ß'];
    const folder = `${root}/unicode`;
    await Promise.all(names.map((name) => target(`${folder}/k-${name}`).write('x')));
    const client = await s3Client();
    const listed = await client.send(
      new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: target(`${folder}/k`).key }),
    );
    const serverOrder = (listed.Contents ?? []).map((o) => o.Key!);
    expect([...serverOrder].sort(compareKeys)).toEqual(serverOrder);
    expect(serverOrder).toHaveLength(names.length);
    const targets = [...names, 'missing-1', 'missing-2'].map((n) => target(`${folder}/k-${n}`));
    expect(await s3Store.existsMany(targets)).toEqual([...names.map(() => true), false, false]);
  });
});
