import { spawnSync } from 'node:child_process';
import {
  lstatSync,
  lutimesSync,
  mkdirSync,
  mkdtempSync,
  readlinkSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LeaseStore } from '../../src/scheduler/leases.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'dagwright-leases-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Whether the lease link exists (existsSync would follow it to its non-existent target). */
function leaseExists(path: string): boolean {
  return lstatSync(path, { throwIfNoEntry: false }) !== undefined;
}

/** A pid that is certainly dead: a child that has exited. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '0']).pid!;
}

describe('LeaseStore', () => {
  it('lets one holder at a time take a lease, and names the holder', async () => {
    const first = new LeaseStore({ dir });
    const second = new LeaseStore({ dir });
    const taken = await first.acquire('abc');
    expect('lease' in taken).toBe(true);
    expect(await second.acquire('abc')).toEqual({ holder: `pid ${process.pid} on ${hostname()}` });
    expect(await second.isHeld('abc')).toBe(true);
    if ('lease' in taken) await first.release(taken.lease);
    expect(await second.isHeld('abc')).toBe(false);
    expect('lease' in (await second.acquire('abc'))).toBe(true);
    await second.releaseAll();
    expect(leaseExists(join(dir, 'abc.lock'))).toBe(false);
  });

  it('breaks a lease whose holder process on this host is dead', async () => {
    mkdirSync(dir, { recursive: true });
    symlinkSync(`${deadPid()}@${hostname()}:dead1`, join(dir, 'abc.lock'));
    const store = new LeaseStore({ dir });
    const taken = await store.acquire('abc');
    expect('lease' in taken).toBe(true);
    expect(readlinkSync(join(dir, 'abc.lock'))).toMatch(new RegExp(`^${process.pid}@`));
    await store.releaseAll();
  });

  it('breaks a lease from another host only once its heartbeat is older than the TTL', async () => {
    const path = join(dir, 'abc.lock');
    symlinkSync('4242@elsewhere:tok1', path);
    const store = new LeaseStore({ dir, ttlMs: 60_000 });
    expect(await store.acquire('abc')).toEqual({ holder: 'pid 4242 on elsewhere' });
    const old = new Date(Date.now() - 120_000);
    lutimesSync(path, old, old);
    expect('lease' in (await store.acquire('abc'))).toBe(true);
    await store.releaseAll();
  });

  it('does not remove a lease that another process took after ours went stale', async () => {
    const slow = new LeaseStore({ dir, ttlMs: 50, heartbeatMs: 60_000 });
    const taken = await slow.acquire('abc');
    await new Promise((resolve) => setTimeout(resolve, 120));
    const other = new LeaseStore({ dir, ttlMs: 50 });
    const retaken = await other.acquire('abc');
    expect('lease' in retaken).toBe(true);
    if ('lease' in taken) await slow.release(taken.lease);
    expect(readlinkSync(join(dir, 'abc.lock'))).toBe(
      (retaken as { lease: { holder: string } }).lease.holder,
    );
    await other.releaseAll();
  });
});
