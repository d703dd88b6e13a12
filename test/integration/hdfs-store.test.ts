/**
 * Bulk existence on the real HDFS, counted in requests: a big folder is answered by a few
 * listing pages over the wanted range, a few names by one GETFILESTATUS each.
 */
import pLimit from 'p-limit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HdfsTarget } from '../../src/targets/hdfs/target.js';
import { webHdfsClient, type WebHdfsOp } from '../../src/targets/hdfs/webhdfs.js';
import { hdfsService, uniquePrefix } from './services.js';

const hdfs = hdfsService();
const client = webHdfsClient(hdfs.url);
const BIG = 10_000;

function name(i: number): string {
  return `part-${String(i).padStart(5, '0')}`;
}

/** Requests of each kind sent while `fn` runs. */
async function counting<T>(
  fn: () => Promise<T>,
): Promise<{ result: T; sent: Record<string, number> }> {
  const before = { ...client.requestCounts };
  const result = await fn();
  const sent: Record<string, number> = {};
  for (const [op, count] of Object.entries(client.requestCounts)) {
    const delta = count - (before[op as WebHdfsOp] ?? 0);
    if (delta > 0) sent[op] = delta;
  }
  return { result, sent };
}

describe('hdfsStore.existsMany', () => {
  const big = `${hdfs.root}/${uniquePrefix('store-big')}`;
  const bigPath = new HdfsTarget(`${big}/x`).path.replace(/\/x$/, '');

  beforeAll(async () => {
    // Entries made with MKDIRS (one NameNode call each): a listing entry is a listing entry,
    // and 10,000 uploads would take a minute. A few real files are among them.
    const limit = pLimit(16);
    await Promise.all(
      Array.from({ length: BIG }, (_, i) =>
        limit(() =>
          i % 1000 === 0
            ? new HdfsTarget(`${big}/${name(i)}`).write(`file ${i}`)
            : client.mkdirs(`${bigPath}/${name(i)}`),
        ),
      ),
    );
  }, 300_000);

  // 10,000 entries per run would pile up on the shared server.
  afterAll(() => client.delete(bigPath, true));

  it('answers 10,000 names in a folder of 10,000 with at most 11 listing pages', async () => {
    // Every existing name, plus missing ones before, between and after them.
    const targets = [
      ...Array.from({ length: BIG }, (_, i) => new HdfsTarget(`${big}/${name(i)}`)),
      new HdfsTarget(`${big}/part-00000a`),
      new HdfsTarget(`${big}/part-05000-missing`),
      new HdfsTarget(`${big}/part-99999`),
      new HdfsTarget(`${big}/aaa`),
    ];
    const { result, sent } = await counting(() => targets[0]!.store.existsMany(targets));
    expect(result.slice(0, BIG).every(Boolean)).toBe(true);
    expect(result.slice(BIG)).toEqual([false, false, false, false]);
    expect(sent.GETFILESTATUS ?? 0).toBe(0);
    expect(sent.LISTSTATUS_BATCH).toBeLessThanOrEqual(11);
  });

  it('lists only the wanted range of a big folder', async () => {
    const targets = Array.from(
      { length: 100 },
      (_, i) => new HdfsTarget(`${big}/${name(4000 + i)}`),
    );
    const { result, sent } = await counting(() => targets[0]!.store.existsMany(targets));
    expect(result.every(Boolean)).toBe(true);
    expect(sent).toEqual({ LISTSTATUS_BATCH: 1 });
  });

  it('asks 5 names in a big folder with 5 GETFILESTATUS', async () => {
    const targets = [1, 2000, 4001, 9999, 12345].map((i) => new HdfsTarget(`${big}/${name(i)}`));
    const { result, sent } = await counting(() => targets[0]!.store.existsMany(targets));
    expect(result).toEqual([true, true, true, true, false]);
    expect(sent).toEqual({ GETFILESTATUS: 5 });
  });

  it('asks one by one when a listing would take more pages than there are names left', async () => {
    // 8 names spread over the whole folder: the first page answers one, and the 9 pages left
    // would cost more than the 7 names left.
    const targets = Array.from({ length: 8 }, (_, i) => new HdfsTarget(`${big}/${name(i * 1250)}`));
    const { result, sent } = await counting(() => targets[0]!.store.existsMany(targets));
    expect(result.every(Boolean)).toBe(true);
    expect(sent).toEqual({ LISTSTATUS_BATCH: 1, GETFILESTATUS: 7 });
  });

  it('keeps the order of targets across folders and NameNodes; missing folders hold nothing', async () => {
    const dir = `${hdfs.root}/${uniquePrefix('store-mixed')}`;
    const present = ['a', 'b', 'c'].map((n) => new HdfsTarget(`${dir}/one/${n}`));
    await Promise.all(present.map((target) => target.write(target.uri)));
    const file = new HdfsTarget(`${dir}/one/a`);
    const targets = [
      new HdfsTarget(`${dir}/none/x`),
      present[2]!,
      ...Array.from({ length: 10 }, (_, i) => new HdfsTarget(`${dir}/missing/${name(i)}`)),
      new HdfsTarget(`${dir}/one/zz`),
      present[0]!,
      new HdfsTarget(`${file.uri}/below-a-file`),
      ...Array.from({ length: 9 }, (_, i) => new HdfsTarget(`${file.uri}/${name(i)}`)),
      present[1]!,
    ];
    const result = await targets[0]!.store.existsMany(targets);
    expect(result).toEqual([
      false,
      true,
      ...new Array<boolean>(10).fill(false),
      false,
      true,
      false,
      ...new Array<boolean>(9).fill(false),
      true,
    ]);
    expect(await targets[0]!.store.existsMany([])).toEqual([]);
  });

  it('is durable', () => {
    expect(new HdfsTarget(`${big}/x`).store.durable).toBe(true);
  });
});
