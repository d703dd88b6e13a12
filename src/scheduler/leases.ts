/**
 * Leases: a task never runs twice at once across processes. A lease is a file
 * `<lockDir>/<task.hash>.lock` created with O_EXCL; its holder touches it every heartbeat. It is
 * stale when its holder process is gone (same host) or its last heartbeat is older than the TTL,
 * and a stale lease may be broken by anyone.
 */
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  utimesSync,
  writeSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

export interface LeaseOptions {
  /** Folder shared by every process that works on the same artifacts. */
  readonly dir: string;
  /** A lease whose holder stopped heartbeating this long ago is stale. Default 60 s. */
  readonly ttlMs?: number;
  /** How often held leases are touched. Default 10 s. */
  readonly heartbeatMs?: number;
}

export interface Lease {
  readonly hash: string;
  readonly path: string;
  readonly token: string;
}

interface LeaseFile {
  readonly pid: number;
  readonly host: string;
  readonly token: string;
  readonly task: string;
  readonly since: string;
}

export type AcquireResult = { readonly lease: Lease } | { readonly holder: string };

export class LeaseStore {
  readonly dir: string;
  readonly ttlMs: number;
  readonly heartbeatMs: number;
  readonly #held = new Map<string, Lease>();
  readonly #host = hostname();
  #timer: NodeJS.Timeout | undefined;
  #dirReady = false;

  constructor(options: LeaseOptions) {
    this.dir = options.dir;
    this.ttlMs = options.ttlMs ?? 60_000;
    this.heartbeatMs = options.heartbeatMs ?? 10_000;
  }

  /** Takes the lease, or names who holds it. Breaks a stale lease first. */
  acquire(hash: string, taskId: string): AcquireResult {
    if (!this.#dirReady) {
      mkdirSync(this.dir, { recursive: true });
      this.#dirReady = true;
    }
    const path = join(this.dir, `${hash}.lock`);
    for (let tries = 0; tries < 3; tries++) {
      const token = randomBytes(8).toString('hex');
      const created = this.#create(path, {
        pid: process.pid,
        host: this.#host,
        token,
        task: taskId,
        since: new Date().toISOString(),
      });
      if (created) {
        const lease = { hash, path, token };
        this.#held.set(hash, lease);
        this.#startHeartbeat();
        return { lease };
      }
      const holder = this.#inspect(path);
      if (holder === 'gone') continue;
      if (!holder.stale) return { holder: holder.who };
      this.#breakStale(path, holder.token);
    }
    return { holder: 'another process (lease changed hands repeatedly)' };
  }

  /** `true` while someone holds a fresh lease on the task. */
  isHeld(hash: string): boolean {
    const holder = this.#inspect(join(this.dir, `${hash}.lock`));
    return holder !== 'gone' && !holder.stale;
  }

  release(lease: Lease): void {
    this.#held.delete(lease.hash);
    if (this.#held.size === 0) this.#stopHeartbeat();
    try {
      // Only remove our own lease: had ours expired, someone else's may stand here now.
      const current = JSON.parse(readFileSync(lease.path, 'utf8')) as LeaseFile;
      if (current.token === lease.token) unlinkSync(lease.path);
    } catch {
      // Already gone.
    }
  }

  /** Releases everything (on shutdown). */
  releaseAll(): void {
    for (const lease of [...this.#held.values()]) this.release(lease);
  }

  #create(path: string, content: LeaseFile): boolean {
    let fd: number;
    try {
      fd = openSync(path, 'wx');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw error;
    }
    try {
      writeSync(fd, JSON.stringify(content));
    } finally {
      closeSync(fd);
    }
    return true;
  }

  #inspect(path: string): 'gone' | { stale: boolean; who: string; token: string | undefined } {
    let mtimeMs = Date.now();
    let content: Partial<LeaseFile> = {};
    try {
      mtimeMs = statSync(path).mtimeMs;
      content = JSON.parse(readFileSync(path, 'utf8')) as LeaseFile;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
      // Being written right now, or damaged: judge by age alone.
    }
    const expired = Date.now() - mtimeMs > this.ttlMs;
    const dead =
      content.host === this.#host && typeof content.pid === 'number' && !isAlive(content.pid);
    const who = content.pid ? `pid ${content.pid} on ${content.host}` : 'another process';
    return { stale: expired || dead, who, token: content.token };
  }

  /**
   * Moves the stale file aside under a unique name, then checks it moved the file it judged: if
   * a fresh lease slipped in meanwhile, it is put back (link fails if yet another one exists).
   */
  #breakStale(path: string, staleToken: string | undefined): void {
    const aside = `${path}.stale-${randomBytes(4).toString('hex')}`;
    try {
      renameSync(path, aside);
    } catch {
      return;
    }
    try {
      const moved = JSON.parse(readFileSync(aside, 'utf8')) as LeaseFile;
      if (moved.token !== staleToken) {
        linkSync(aside, path);
      }
    } catch {
      // Unreadable: it was stale by age.
    }
    try {
      unlinkSync(aside);
    } catch {
      // Someone else cleaned it.
    }
  }

  #startHeartbeat(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => {
      const now = new Date();
      for (const lease of this.#held.values()) {
        try {
          utimesSync(lease.path, now, now);
        } catch {
          // Lost (broken as stale); the task finishes anyway and release() is a no-op.
        }
      }
    }, this.heartbeatMs);
    this.#timer.unref();
  }

  #stopHeartbeat(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
