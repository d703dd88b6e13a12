/**
 * Leases: a task never runs twice at once across processes. A lease is a symbolic link
 * `<lockDir>/<task.hash>.lock` whose target names its holder, `<pid>@<host>:<token>`. symlink(2)
 * is atomic and fails when the name exists, and it creates the lock and its content in one
 * system call (Emacs lock files work the same way). The holder touches its leases every
 * heartbeat. A lease is stale when its holder process is gone (same host) or its last
 * heartbeat is older than the TTL; anyone may break a stale lease.
 */
import {
  linkSync,
  lstatSync,
  lutimesSync,
  mkdirSync,
  readlinkSync,
  renameSync,
  symlinkSync,
  unlinkSync,
} from 'node:fs';
import { UsageError } from '../errors.js';
import {
  describeHolder,
  holderIsDead,
  newHolder,
  uniqueToken,
  type AcquireResult,
  type Lease,
  type LockStore,
  type LockStoreOptions,
} from './lock-store.js';

export interface LeaseOptions extends LockStoreOptions {
  /** Folder shared by every process that works on the same artifacts. */
  readonly dir: string;
}

export class LeaseStore implements LockStore {
  readonly dir: string;
  readonly ttlMs: number;
  readonly heartbeatMs: number;
  readonly #held = new Map<string, Lease>();
  #timer: NodeJS.Timeout | undefined;
  /** When every held lease was last touched (or, for newer ones, created). */
  #lastTouch = 0;
  #dirReady = false;

  constructor(options: LeaseOptions) {
    this.dir = options.dir;
    this.ttlMs = options.ttlMs ?? 60_000;
    this.heartbeatMs = options.heartbeatMs ?? 10_000;
  }

  get location(): string {
    return this.dir;
  }

  /** Takes the lease, or names who holds it. Breaks a stale lease first. */
  async acquire(hash: string): Promise<AcquireResult> {
    this.#ensureDir();
    const path = this.#pathOf(hash);
    for (let tries = 0; tries < 3; tries++) {
      const holder = newHolder();
      if (this.#create(path, holder)) {
        const lease = { hash, holder };
        if (this.#held.size === 0) this.#lastTouch = Date.now();
        this.#held.set(hash, lease);
        this.#startHeartbeat();
        return { lease };
      }
      const found = this.#inspect(path);
      if (found === 'gone') continue;
      if (!found.stale) return { holder: describeHolder(found.holder) };
      this.#breakStale(path, found.holder);
    }
    return { holder: 'another process (the lease changed hands repeatedly)' };
  }

  /** `true` while someone holds a fresh lease on the task. */
  async isHeld(hash: string): Promise<boolean> {
    const found = this.#inspect(this.#pathOf(hash));
    return found !== 'gone' && !found.stale;
  }

  async release(lease: Lease): Promise<void> {
    this.#releaseNow(lease);
  }

  #releaseNow(lease: Lease): void {
    this.#held.delete(lease.hash);
    const path = this.#pathOf(lease.hash);
    // Only a lease untouched for a whole TTL can have been broken and taken by someone else;
    // with half a TTL of margin for clock skew, a recent one is certainly still ours.
    const mayBeLost = Date.now() - this.#lastTouch > this.ttlMs / 2;
    try {
      if (!mayBeLost || readlinkSync(path) === lease.holder) unlinkSync(path);
    } catch {
      // Already gone.
    }
  }

  /** Releases everything and stops the heartbeat (at the end of a run). */
  async releaseAll(): Promise<void> {
    for (const lease of [...this.#held.values()]) this.#releaseNow(lease);
    this.#stopHeartbeat();
  }

  #pathOf(hash: string): string {
    return `${this.dir}/${hash}.lock`;
  }

  #ensureDir(): void {
    if (this.#dirReady) return;
    mkdirSync(this.dir, { recursive: true });
    this.#dirReady = true;
  }

  #create(path: string, holder: string): boolean {
    try {
      symlinkSync(holder, path);
      return true;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') return false;
      if (code === 'EPERM' || code === 'ENOTSUP' || code === 'EOPNOTSUPP' || code === 'ENOSYS') {
        throw new UsageError(
          `lock folder ${this.dir} does not support symbolic links; set lockDir to another folder`,
        );
      }
      throw error;
    }
  }

  #inspect(path: string): 'gone' | { stale: boolean; holder: string } {
    let holder: string;
    let mtimeMs: number;
    try {
      mtimeMs = lstatSync(path).mtimeMs;
      holder = readlinkSync(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
      throw error;
    }
    const dead = holderIsDead(holder);
    return { stale: dead || Date.now() - mtimeMs > this.ttlMs, holder };
  }

  /**
   * Moves the stale lease aside under a unique name, then checks it moved the lease it judged:
   * if a fresh one slipped in meanwhile, it is linked back (unless yet another one exists).
   */
  #breakStale(path: string, staleHolder: string): void {
    const aside = `${path}.stale-${uniqueToken()}`;
    try {
      renameSync(path, aside);
    } catch {
      return;
    }
    try {
      if (readlinkSync(aside) !== staleHolder) linkSync(aside, path);
    } catch {
      // Someone else's lease stands at the name again: theirs wins.
    }
    try {
      unlinkSync(aside);
    } catch {
      // Already cleaned.
    }
  }

  #startHeartbeat(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => {
      const now = new Date();
      for (const lease of this.#held.values()) {
        try {
          lutimesSync(this.#pathOf(lease.hash), now, now);
        } catch {
          // Lost (broken as stale); the task finishes anyway and release() is a no-op.
        }
      }
      this.#lastTouch = now.getTime();
    }, this.heartbeatMs);
    this.#timer.unref();
  }

  #stopHeartbeat(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
