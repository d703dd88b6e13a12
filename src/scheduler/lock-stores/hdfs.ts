/**
 * Leases on HDFS, for runs on several machines that share artifacts (DESIGN.md 5). A lease is a
 * file `<dir>/<hash>.lock` holding `{"holder":"<pid>@<host>:<token>"}`:
 *
 * - acquire: the atomic publish of artifacts (temp file, then RENAME renameoptions=NONE), so
 *   exactly one contender creates it.
 * - stale: its modificationTime is older than the TTL by the NameNode's own clock (learned from
 *   its `Date` headers, so skew between machines does not matter), or its holder is a dead
 *   process on this host.
 * - renew (heartbeat): SETTIMES modificationtime=<NameNode now>, after checking by fileId (the
 *   inode id, kept through renames) that the file is still the one we created.
 * - break: RENAME the stale lease to a unique aside name (one breaker wins), check by fileId and
 *   modificationTime that what moved is what was judged, else put it back; delete the aside.
 */
import { ArtifactExistsError, UnsafePathError } from '../../errors.js';
import { publishFile, removeQuietly } from '../../targets/hdfs/publish.js';
import { parseHdfsUri, type HdfsLocation } from '../../targets/hdfs/uri.js';
import {
  isAlreadyExists,
  isMissing,
  webHdfsClient,
  type FileStatus,
  type WebHdfsClient,
} from '../../targets/hdfs/webhdfs.js';
import {
  describeHolder,
  holderIsDead,
  newHolder,
  uniqueToken,
  type AcquireResult,
  type Lease,
  type LockStore,
  type LockStoreOptions,
} from '../lock-store.js';

interface Held {
  readonly lease: Lease;
  readonly path: string;
  readonly fileId: number;
  /** performance.now() when the lease's modificationTime was last set (or before). */
  touchedAt: number;
  /** The renewal or release in progress: changes to one lease never overlap. */
  busy: Promise<void>;
  /** A renewal is queued: a slow NameNode does not pile up heartbeats. */
  renewing: boolean;
}

interface Found {
  readonly holder: string;
  readonly status: FileStatus;
  readonly dead: boolean;
  readonly stale: boolean;
}

const TRIES = 3;
const SAFE_HASH = /^[A-Za-z0-9_.-]+$/;

export class HdfsLockStore implements LockStore {
  readonly location: string;
  readonly ttlMs: number;
  /** 0 (or not finite): no heartbeat, leases go stale after ttlMs unless released. */
  readonly heartbeatMs: number;
  readonly #dir: HdfsLocation;
  readonly #held = new Map<string, Held>();
  #timer: NodeJS.Timeout | undefined;

  /** `webhdfs://host:port/locks` (or `swebhdfs://`, `hdfs://`): leases are `<dir>/<hash>.lock`. */
  constructor(location: string, options: LockStoreOptions = {}) {
    this.#dir = parseHdfsUri(location, true);
    this.location = this.#dir.uri;
    this.ttlMs = options.ttlMs ?? 60_000;
    this.heartbeatMs = options.heartbeatMs ?? 10_000;
  }

  get #client(): WebHdfsClient {
    return webHdfsClient(this.#dir.baseUrl);
  }

  async acquire(hash: string): Promise<AcquireResult> {
    const path = this.#pathOf(hash);
    const client = this.#client;
    for (let tries = 0; tries < TRIES; tries++) {
      const holder = newHolder();
      const touchedAt = performance.now();
      try {
        await publishFile(client, path, JSON.stringify({ holder }), this.#uriOf(path));
      } catch (error) {
        if (!(error instanceof ArtifactExistsError)) throw error;
        const found = await this.#inspect(path);
        if (!found) continue;
        if (!found.stale) return { holder: describeHolder(found.holder) };
        await this.#breakStale(path, found);
        continue;
      }
      // Its fileId tells our lease from a later one at the same name.
      const status = await client.getFileStatus(path);
      if (!status) continue;
      const lease: Lease = { hash, holder };
      this.#held.set(hash, {
        lease,
        path,
        fileId: status.fileId,
        touchedAt,
        busy: Promise.resolve(),
        renewing: false,
      });
      this.#startHeartbeat();
      return { lease };
    }
    return { holder: 'another process (the lease changed hands repeatedly)' };
  }

  async isHeld(hash: string): Promise<boolean> {
    const found = await this.#inspect(this.#pathOf(hash));
    return found !== undefined && !found.stale;
  }

  async release(lease: Lease): Promise<void> {
    const held = this.#held.get(lease.hash);
    if (!held || held.lease.holder !== lease.holder) return;
    this.#held.delete(lease.hash);
    held.busy = held.busy.then(() => this.#remove(held));
    await held.busy;
  }

  async releaseAll(): Promise<void> {
    this.#stopHeartbeat();
    await Promise.all([...this.#held.values()].map((held) => this.release(held.lease)));
  }

  /** Deletes a lease we held, unless it was broken and someone else's stands there now. */
  async #remove(held: Held): Promise<void> {
    const client = this.#client;
    try {
      // Within half a TTL of its last renewal nobody can have judged it stale.
      if (performance.now() - held.touchedAt < this.ttlMs / 2) {
        await client.delete(held.path);
        return;
      }
      // Move it aside first: checking, then deleting at the name could delete a newer lease.
      const aside = this.#asideOf(held.path);
      await client.rename(held.path, aside);
      const moved = await client.getFileStatus(aside);
      if (moved && moved.fileId !== held.fileId) await this.#putBack(aside, held.path);
      else await client.delete(aside);
    } catch {
      // Gone already, or the NameNode is unreachable: the lease expires after its TTL anyway.
    }
  }

  async #inspect(path: string): Promise<Found | undefined> {
    const client = this.#client;
    const status = await client.getFileStatus(path);
    if (!status) return undefined;
    let holder: string;
    try {
      const text = Buffer.concat((await client.open(path).toArray()) as Buffer[]).toString();
      holder = holderOf(text);
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
    // The content may be newer than the status (replaced in between); breaking checks fileId.
    const dead = holderIsDead(holder);
    const stale = dead || client.clock.earliest() - status.modificationTime > this.ttlMs;
    return { holder, status, dead, stale };
  }

  /** Moves the judged lease aside (one breaker wins), then deletes it if it is the one judged. */
  async #breakStale(path: string, judged: Found): Promise<void> {
    const client = this.#client;
    const aside = this.#asideOf(path);
    try {
      await client.rename(path, aside);
    } catch (error) {
      if (isMissing(error)) return; // another breaker moved it first
      throw error;
    }
    const moved = await client.getFileStatus(aside);
    if (!moved) return;
    const same =
      moved.fileId === judged.status.fileId &&
      (judged.dead || moved.modificationTime === judged.status.modificationTime);
    // A renewed or newer lease slipped in between judging and moving: it stays.
    if (!same && (await this.#putBack(aside, path))) return;
    await removeQuietly(client, aside);
  }

  /** `true` when the lease is back at its name; false when another lease took the name. */
  async #putBack(aside: string, path: string): Promise<boolean> {
    try {
      await this.#client.rename(aside, path);
      return true;
    } catch (error) {
      if (isAlreadyExists(error)) return false;
      throw error;
    }
  }

  async #renew(held: Held): Promise<void> {
    const client = this.#client;
    try {
      const status = await client.getFileStatus(held.path);
      if (!status || status.fileId !== held.fileId) {
        // Broken as stale and maybe taken: it is not ours to renew any more.
        if (this.#held.get(held.lease.hash) === held) this.#held.delete(held.lease.hash);
        return;
      }
      const touchedAt = performance.now();
      await client.setTimes(held.path, { modificationTime: client.clock.latest() });
      held.touchedAt = touchedAt;
    } catch {
      // Unreachable for now: the next heartbeat tries again, well before the TTL.
    }
  }

  #startHeartbeat(): void {
    if (this.#timer || !(this.heartbeatMs > 0 && Number.isFinite(this.heartbeatMs))) return;
    this.#timer = setInterval(() => {
      for (const held of this.#held.values()) {
        if (held.renewing) continue;
        held.renewing = true;
        held.busy = held.busy.then(() => this.#renew(held)).finally(() => (held.renewing = false));
      }
    }, this.heartbeatMs);
    this.#timer.unref();
  }

  #stopHeartbeat(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #pathOf(hash: string): string {
    if (!SAFE_HASH.test(hash) || hash === '.' || hash === '..') {
      throw new UnsafePathError(
        `lease key ${JSON.stringify(hash)} is not a task hash (letters, digits, '_', '.', '-')`,
      );
    }
    return `${this.#dir.path === '/' ? '' : this.#dir.path}/${hash}.lock`;
  }

  #asideOf(path: string): string {
    return `${path}.stale-${uniqueToken()}`;
  }

  #uriOf(path: string): string {
    return this.#dir.prefix + path;
  }
}

function holderOf(text: string): string {
  try {
    const holder = (JSON.parse(text) as { holder?: unknown }).holder;
    if (typeof holder === 'string') return holder;
  } catch {
    // Not ours: someone else's file at a lease name.
  }
  return 'unknown';
}
