/** Leases on the real HDFS: one holder at a time, expiry, heartbeat, crashed holders. */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { HdfsLockStore } from '../../src/scheduler/lock-stores/hdfs.js';
import type { AcquireResult, Lease } from '../../src/scheduler/lock-store.js';
import { cleanHdfsTemp } from '../../src/targets/hdfs/clean.js';
import { HdfsTarget } from '../../src/targets/hdfs/target.js';
import { webHdfsClient } from '../../src/targets/hdfs/webhdfs.js';
import { hdfsService, uniquePrefix } from './services.js';

const hdfs = hdfsService();
const client = webHdfsClient(hdfs.url);

function lockDir(name: string): string {
  return `${hdfs.root}/${uniquePrefix(name)}/locks`;
}

function leaseOf(result: AcquireResult): Lease {
  if (!('lease' in result)) throw new Error(`expected the lease, held by ${result.holder}`);
  return result.lease;
}

function sleep(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms));
}

async function entries(dir: string): Promise<string[]> {
  const page = await client.listStatusBatch(new HdfsTarget(dir).path);
  return page.entries.map((entry) => entry.pathSuffix);
}

describe('HdfsLockStore', () => {
  it('gives the lease to exactly one of 8 concurrent acquirers', async () => {
    const dir = lockDir('race');
    for (let trial = 0; trial < 3; trial++) {
      const stores = Array.from({ length: 8 }, () => new HdfsLockStore(dir));
      const results = await Promise.all(stores.map((store) => store.acquire(`task${trial}`)));
      const winners = results.filter((result) => 'lease' in result);
      expect(winners).toHaveLength(1);
      for (const result of results) {
        if ('holder' in result) expect(result.holder).toBe(`pid ${process.pid} on ${hostname()}`);
      }
      await Promise.all(stores.map((store) => store.releaseAll()));
    }
    expect(await entries(dir)).toEqual([]);
  });

  it('can be taken again once released; a released lease is not held', async () => {
    const dir = lockDir('release');
    const first = new HdfsLockStore(dir);
    const second = new HdfsLockStore(dir);
    const lease = leaseOf(await first.acquire('t'));
    expect(lease.holder).toMatch(new RegExp(`^${process.pid}@`));
    expect(await first.isHeld('t')).toBe(true);
    expect('holder' in (await second.acquire('t'))).toBe(true);
    await first.release(lease);
    expect(await second.isHeld('t')).toBe(false);
    leaseOf(await second.acquire('t'));
    await first.release(lease); // a second release is a no-op and leaves the new holder alone
    expect(await first.isHeld('t')).toBe(true);
    await second.releaseAll();
    expect(await entries(dir)).toEqual([]);
  });

  it('takes over a lease not renewed for longer than the TTL', async () => {
    const dir = lockDir('stale');
    const options = { ttlMs: 1500, heartbeatMs: 0 };
    const crashed = new HdfsLockStore(dir, options);
    const taker = new HdfsLockStore(dir, options);
    const old = leaseOf(await crashed.acquire('t'));
    expect('holder' in (await taker.acquire('t'))).toBe(true);
    let taken: AcquireResult = { holder: '' };
    for (let i = 0; i < 30 && !('lease' in taken); i++) {
      await sleep(250);
      taken = await taker.acquire('t');
    }
    const lease = leaseOf(taken);
    expect(lease.holder).not.toBe(old.holder);
    // The old holder's late release must not remove the new holder's lease.
    await crashed.release(old);
    expect(await crashed.isHeld('t')).toBe(true);
    await taker.release(lease);
    // Nothing left behind by the takeover: no temp files, no asides.
    expect(await entries(dir)).toEqual([]);
  });

  it('keeps a lease fresh past its TTL with the heartbeat', async () => {
    const dir = lockDir('heartbeat');
    const holder = new HdfsLockStore(dir, { ttlMs: 1500, heartbeatMs: 300 });
    const other = new HdfsLockStore(dir, { ttlMs: 1500, heartbeatMs: 0 });
    leaseOf(await holder.acquire('t'));
    for (let i = 0; i < 8; i++) {
      await sleep(500);
      expect('holder' in (await other.acquire('t'))).toBe(true);
    }
    expect(await other.isHeld('t')).toBe(true);
    await holder.releaseAll();
    expect(await other.isHeld('t')).toBe(false);
  });

  it('breaks the lease of a holder that was SIGKILLed', async () => {
    const dir = lockDir('killed');
    const scripts = await mkdtemp(join(tmpdir(), 'dagwright-hdfs-lock-'));
    const script = join(scripts, 'holder.mts');
    const storeModule = pathToFileURL(resolve('src/scheduler/lock-stores/hdfs.ts')).href;
    await writeFile(
      script,
      `import { HdfsLockStore } from ${JSON.stringify(storeModule)};
const store = new HdfsLockStore(process.argv[2], { ttlMs: 600_000, heartbeatMs: 1000 });
const result = await store.acquire('t');
console.log('lease' in result ? 'acquired' : 'refused');
setInterval(() => undefined, 1000);
`,
    );
    const child = spawn(process.execPath, ['--import', 'tsx/esm', script, dir], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      const [line] = (await once(child.stdout!, 'data')) as [Buffer];
      expect(line.toString().trim()).toBe('acquired');
      const store = new HdfsLockStore(dir, { ttlMs: 600_000 });
      expect(await store.acquire('t')).toEqual({ holder: `pid ${child.pid} on ${hostname()}` });
      child.kill('SIGKILL');
      await once(child, 'exit');
      expect(await store.isHeld('t')).toBe(false);
      const lease = leaseOf(await store.acquire('t'));
      expect(lease.holder.startsWith(`${process.pid}@`)).toBe(true);
      await store.releaseAll();
      expect(await cleanHdfsTemp(dir, { olderThanMs: 0, dryRun: true })).toEqual([]);
    } finally {
      child.kill('SIGKILL');
      await rm(scripts, { recursive: true, force: true });
    }
  });

  it('leaves asides of a breaker that died to the temp clean-up', async () => {
    const dir = lockDir('aside');
    const path = new HdfsTarget(`${dir}/abc.lock.stale-1a2b3c`).path;
    await client.create(path, '{"holder":"1@gone:x"}');
    expect(await cleanHdfsTemp(dir, { olderThanMs: 0, dryRun: false })).toEqual([
      `${dir}/abc.lock.stale-1a2b3c`,
    ]);
    expect(await entries(dir)).toEqual([]);
  });

  it('names its location and refuses keys that are not task hashes', async () => {
    const dir = lockDir('names');
    const store = new HdfsLockStore(`${dir}/`);
    expect(store.location).toBe(dir);
    await expect(store.acquire('../escape')).rejects.toThrow(/not a task hash/);
  });
});
