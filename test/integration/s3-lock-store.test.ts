/** S3LockStore against a real MinIO: one holder at a time, release, expiry, heartbeat, races. */
import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterEach, describe, expect, it } from 'vitest';
import { S3LockStore } from '../../src/scheduler/lock-stores/s3.js';
import type { AcquireResult, Lease } from '../../src/scheduler/lock-store.js';
import { s3Client } from '../../src/targets/s3/client.js';
import { s3Service, uniquePrefix } from './services.js';

const s3 = s3Service();
const location = `s3://${s3.bucket}/${uniquePrefix('s3-locks')}`;
const prefix = location.slice(`s3://${s3.bucket}/`.length);
const me = `pid ${process.pid} on ${hostname()}`;
const stores: S3LockStore[] = [];

function store(options: { ttlMs?: number; heartbeatMs?: number } = {}): S3LockStore {
  const created = new S3LockStore(location, options);
  stores.push(created);
  return created;
}

afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.releaseAll()));
});

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const leaseOf = (result: AcquireResult): Lease | undefined =>
  'lease' in result ? result.lease : undefined;

async function lockBody(hash: string): Promise<{ holder: string; released?: boolean }> {
  const client = await s3Client();
  const response = await client.send(
    new GetObjectCommand({ Bucket: s3.bucket, Key: `${prefix}/${hash}.lock` }),
  );
  return JSON.parse(await response.Body!.transformToString()) as { holder: string };
}

describe('S3LockStore', () => {
  it('names its location', () => {
    expect(store().location).toBe(`${location}/`);
  });

  it('gives a lease to exactly one of 8 concurrent acquirers', async () => {
    const contenders = Array.from({ length: 8 }, () => store());
    const results = await Promise.all(contenders.map((s) => s.acquire('race-one')));
    const winners = results.filter((r) => 'lease' in r);
    expect(winners).toHaveLength(1);
    for (const r of results) if (!('lease' in r)) expect(r).toEqual({ holder: me });
    expect((await lockBody('race-one')).holder).toBe(leaseOf(winners[0]!)!.holder);
    expect(await contenders[0]!.isHeld('race-one')).toBe(true);
  });

  it('can be taken by another store once released', async () => {
    const first = store();
    const second = store();
    const lease = leaseOf(await first.acquire('handover'))!;
    expect(await second.acquire('handover')).toEqual({ holder: me });
    await first.release(lease);
    expect(await second.isHeld('handover')).toBe(false);
    expect((await lockBody('handover')).released).toBe(true);
    const taken = leaseOf(await second.acquire('handover'));
    expect(taken).toBeDefined();
    expect(await first.isHeld('handover')).toBe(true);
    // A second release of the old lease must not free the new holder's.
    await first.release(lease);
    expect(await first.isHeld('handover')).toBe(true);
    expect((await lockBody('handover')).holder).toBe(taken!.holder);
  });

  it('breaks a lease whose holder stopped renewing it for the TTL', async () => {
    const crashed = store({ ttlMs: 1500, heartbeatMs: 0 });
    const other = store({ ttlMs: 1500, heartbeatMs: 0 });
    const old = leaseOf(await crashed.acquire('stale'))!;
    expect(await other.acquire('stale')).toEqual({ holder: me });
    await sleep(1800);
    expect(await other.isHeld('stale')).toBe(false);
    const taken = leaseOf(await other.acquire('stale'));
    expect(taken).toBeDefined();
    // The old holder's late release is a no-op.
    await crashed.release(old);
    expect(await other.isHeld('stale')).toBe(true);
    expect((await lockBody('stale')).holder).toBe(taken!.holder);
  });

  it('keeps a lease fresh past its TTL while the holder heartbeats', async () => {
    const holder = store({ ttlMs: 1500, heartbeatMs: 300 });
    const other = store({ ttlMs: 1500, heartbeatMs: 300 });
    const lease = leaseOf(await holder.acquire('alive'))!;
    await sleep(3000);
    expect(await other.acquire('alive')).toEqual({ holder: me });
    expect(await other.isHeld('alive')).toBe(true);
    await holder.release(lease);
    expect(leaseOf(await other.acquire('alive'))).toBeDefined();
  });

  it('gives an expired lease to exactly one of 8 racing takeovers', async () => {
    for (let trial = 0; trial < 5; trial++) {
      const hash = `takeover-${trial}`;
      expect(leaseOf(await store({ ttlMs: 500, heartbeatMs: 0 }).acquire(hash))).toBeDefined();
      await sleep(700);
      const contenders = Array.from({ length: 8 }, () => store({ ttlMs: 60_000 }));
      const results = await Promise.all(contenders.map((s) => s.acquire(hash)));
      const winners = results.filter((r) => 'lease' in r);
      expect(winners).toHaveLength(1);
      expect((await lockBody(hash)).holder).toBe(leaseOf(winners[0]!)!.holder);
    }
  });

  it('breaks the lease of a dead process on this host at once', async () => {
    const deadPid = spawnSync(process.execPath, ['-e', '0']).pid!;
    const client = await s3Client();
    const body = JSON.stringify({
      holder: `${deadPid}@${hostname()}:abc1`,
      expiresAt: Date.now() + 3_600_000,
    });
    await client.send(
      new PutObjectCommand({ Bucket: s3.bucket, Key: `${prefix}/dead.lock`, Body: body }),
    );
    expect(await store().isHeld('dead')).toBe(false);
    expect(leaseOf(await store().acquire('dead'))).toBeDefined();
  });

  it('forgets a lease that was broken and taken while it was held', async () => {
    const slow = store({ ttlMs: 600, heartbeatMs: 0 });
    const lease = leaseOf(await slow.acquire('lost'))!;
    await sleep(800);
    const thief = store({ ttlMs: 60_000 });
    const taken = leaseOf(await thief.acquire('lost'))!;
    await slow.releaseAll();
    expect((await lockBody('lost')).holder).toBe(taken.holder);
    expect(await slow.isHeld('lost')).toBe(true);
    expect(lease.holder).not.toBe(taken.holder);
  });
});
