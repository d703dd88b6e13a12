/**
 * backfill() over 3,650 daily partitions on a real MinIO, 90% present: the missing 365 are
 * decided with one listing of their prefix (paginated, 1,000 keys a page), not a check each,
 * and exactly those run.
 */
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { S3Target, Task, Temporal, backfill, p, type RunEvent } from '../../src/index.js';
import { resetS3RequestCounts, s3Client, s3RequestCounts } from '../../src/targets/s3/client.js';
import { s3Service, uniquePrefix } from './services.js';

const s3 = s3Service();
const prefix = `${uniquePrefix('backfill')}/daily`;
const START = Temporal.PlainDate.from('2015-01-01');
const DAYS = 3650;
const keyOf = (date: Temporal.PlainDate) => `${prefix}/date=${date}.json`;
const ran: string[] = [];

class Daily extends Task.with({ date: p.date() }) {
  override output() {
    return new S3Target(`s3://${s3.bucket}/${keyOf(this.date)}`);
  }
  override async run() {
    ran.push(String(this.date));
    await this.output().write(JSON.stringify({ date: String(this.date) }));
  }
}

beforeAll(async () => {
  const client = await s3Client();
  const present = Array.from({ length: DAYS }, (_, i) => i).filter((i) => i % 10 !== 0);
  let next = 0;
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (next < present.length) {
        const i = present[next++]!;
        await client.send(
          new PutObjectCommand({
            Bucket: s3.bucket,
            Key: keyOf(START.add({ days: i })),
            Body: '{}',
          }),
        );
      }
    }),
  );
}, 180_000);

describe('backfill on S3', () => {
  it('decides 3,650 dailies with one listing and runs only the 365 missing', async () => {
    let atDecision: Readonly<Record<string, number>> | undefined;
    resetS3RequestCounts();
    const result = await backfill(Daily, {
      from: START,
      to: START.add({ days: DAYS }),
      workers: 8,
      lockStore: mkdtempSync(join(tmpdir(), 'dagwright-locks-')),
      logDir: mkdtempSync(join(tmpdir(), 'dagwright-logs-')),
      onEvent: (event: RunEvent) => {
        if (event.type === 'partitions') atDecision = { ...s3RequestCounts() };
      },
    });
    console.log(`requests to decide 3,650 partitions: ${JSON.stringify(atDecision)}`);
    // 3,285 keys under one prefix: 4 pages of one listing; no HEAD per partition.
    expect(atDecision).toEqual({ ListObjectsV2Command: 4 });
    expect(result.partitionCounts).toEqual({
      total: 3650,
      present: 3285,
      missing: 365,
      toRun: 365,
    });
    expect(result.run.status).toBe('success');
    expect(result.run.counts.succeeded).toBe(365);
    expect(ran).toHaveLength(365);
    expect(new Set(ran).size).toBe(365);
    expect(ran.every((date) => START.until(date).days % 10 === 0)).toBe(true);

    // Now all exist: the next backfill lists again and runs nothing.
    resetS3RequestCounts();
    const again = await backfill(Daily, { from: START, to: START.add({ days: DAYS }) });
    expect(again.partitionCounts.present).toBe(3650);
    expect(again.run.status).toBe('nothing_to_do');
    expect(s3RequestCounts()).toEqual({ ListObjectsV2Command: 4 });
  }, 180_000);
});
