/**
 * Leases on S3, for runs on several machines that share artifacts (DESIGN.md 5). A lease is an
 * object `<prefix>/<hash>.lock` holding `{ holder, expiresAt, released? }`; every change is a
 * conditional PutObject, so S3 serialises the contenders:
 *
 * - acquire: create with `If-None-Match: *`; if it exists and is released, expired, or held by a
 *   dead process on this host, take it over with `If-Match: <etag read>` (a 412 means someone
 *   else took it first).
 * - renew (every heartbeat) and release (`released: true`): `If-Match: <our last etag>`; a 412
 *   means the lease was broken and taken, and it is forgotten.
 *
 * Never DeleteObject-if-match: MinIO ignores the condition and deletes anyway
 * (reference/services-s3.md 5f), which would delete another holder's lease.
 *
 * Clocks: `expiresAt` is on the S3 server's clock as estimated from response `Date` headers
 * (client.ts `serverNow()`), so machines with skewed clocks agree within about a second; the
 * TTL must be well above that (the default is 60 s).
 */
import { loadS3Sdk, s3Client, serverNow } from '../../targets/s3/client.js';
import {
  httpStatusOf,
  isConditionalConflict,
  isPreconditionFailed,
  s3Error,
} from '../../targets/s3/errors.js';
import { parseS3Prefix } from '../../targets/s3/uri.js';
import {
  describeHolder,
  holderIsDead,
  newHolder,
  type AcquireResult,
  type Lease,
  type LockStore,
  type LockStoreOptions,
} from '../lock-store.js';

interface LeaseBody {
  readonly holder: string;
  /** ms since the epoch, server clock. */
  readonly expiresAt: number;
  readonly released?: boolean;
}

interface Held {
  readonly lease: Lease;
  readonly key: string;
  etag: string;
  /** The renewal or release in progress: changes to one lease never overlap. */
  busy: Promise<void>;
}

type Condition = { readonly IfNoneMatch: '*' } | { readonly IfMatch: string };

const TAKEOVER_TRIES = 3;

export class S3LockStore implements LockStore {
  readonly location: string;
  readonly ttlMs: number;
  /** 0 (or not finite): no heartbeat, leases expire after ttlMs unless released. */
  readonly heartbeatMs: number;
  readonly #bucket: string;
  readonly #prefix: string;
  readonly #held = new Map<string, Held>();
  #timer: NodeJS.Timeout | undefined;

  /** `s3://bucket/prefix`: leases are `<prefix>/<hash>.lock`. */
  constructor(location: string, options: LockStoreOptions = {}) {
    const { bucket, key } = parseS3Prefix(location);
    this.#bucket = bucket;
    this.#prefix = key;
    this.location = `s3://${bucket}/${key}`;
    this.ttlMs = options.ttlMs ?? 60_000;
    this.heartbeatMs = options.heartbeatMs ?? 10_000;
  }

  async acquire(hash: string): Promise<AcquireResult> {
    const key = this.#keyOf(hash);
    for (let tries = 0; tries < TAKEOVER_TRIES; tries++) {
      const holder = newHolder();
      const created = await this.#put(key, this.#fresh(holder), { IfNoneMatch: '*' });
      if (created !== undefined) return this.#hold(hash, key, holder, created);
      const current = await this.#read(key);
      if (current === undefined) continue;
      if (!this.#isStale(current.body)) {
        return { holder: current.body ? describeHolder(current.body.holder) : 'another process' };
      }
      const taken = await this.#put(key, this.#fresh(holder), { IfMatch: current.etag });
      if (taken !== undefined) return this.#hold(hash, key, holder, taken);
      // Someone else broke it first: look again.
    }
    return { holder: 'another process (the lease changed hands repeatedly)' };
  }

  async isHeld(hash: string): Promise<boolean> {
    const current = await this.#read(this.#keyOf(hash));
    return current !== undefined && !this.#isStale(current.body);
  }

  async release(lease: Lease): Promise<void> {
    const held = this.#held.get(lease.hash);
    if (!held || held.lease.holder !== lease.holder) return;
    this.#held.delete(lease.hash);
    if (this.#held.size === 0) this.#stopHeartbeat();
    const release = async (): Promise<void> => {
      const body: LeaseBody = { holder: lease.holder, expiresAt: serverNow(), released: true };
      await this.#put(held.key, body, { IfMatch: held.etag });
    };
    held.busy = held.busy.then(release);
    try {
      await held.busy;
    } catch {
      // Unreachable store: the lease expires after its TTL. Release runs in the scheduler's
      // `finally`, where throwing would hide the task's own result.
    }
  }

  async releaseAll(): Promise<void> {
    await Promise.all([...this.#held.values()].map((held) => this.release(held.lease)));
    this.#stopHeartbeat();
  }

  #keyOf(hash: string): string {
    return `${this.#prefix}${hash}.lock`;
  }

  #fresh(holder: string): LeaseBody {
    return { holder, expiresAt: serverNow() + this.ttlMs };
  }

  #hold(hash: string, key: string, holder: string, etag: string): AcquireResult {
    const lease = { hash, holder };
    this.#held.set(hash, { lease, key, etag, busy: Promise.resolve() });
    this.#startHeartbeat();
    return { lease };
  }

  /** A lease nobody holds any more; an unreadable body (not ours) counts as abandoned. */
  #isStale(body: LeaseBody | undefined): boolean {
    if (body === undefined || body.released === true) return true;
    if (body.expiresAt <= serverNow()) return true;
    return holderIsDead(body.holder);
  }

  /** The new ETag, or undefined when the condition failed (or the lease vanished). */
  async #put(key: string, body: LeaseBody, condition: Condition): Promise<string | undefined> {
    const [client, { PutObjectCommand }] = await Promise.all([s3Client(), loadS3Sdk()]);
    const bytes = Buffer.from(JSON.stringify(body));
    try {
      const response = await client.send(
        new PutObjectCommand({
          Bucket: this.#bucket,
          Key: key,
          Body: bytes,
          ContentLength: bytes.byteLength,
          ContentType: 'application/json',
          ...condition,
        }),
      );
      return response.ETag ?? '';
    } catch (error) {
      // 409: a racing conditional write on AWS; 404: If-Match on a lease deleted meanwhile.
      if (isPreconditionFailed(error) || isConditionalConflict(error)) return undefined;
      if ('IfMatch' in condition && httpStatusOf(error) === 404) return undefined;
      throw s3Error(error, { action: 'write the lease', bucket: this.#bucket, key });
    }
  }

  async #read(key: string): Promise<{ body: LeaseBody | undefined; etag: string } | undefined> {
    const [client, { GetObjectCommand }] = await Promise.all([s3Client(), loadS3Sdk()]);
    try {
      const response = await client.send(new GetObjectCommand({ Bucket: this.#bucket, Key: key }));
      const text = await response.Body!.transformToString();
      return { body: parseBody(text), etag: response.ETag ?? '' };
    } catch (error) {
      if (httpStatusOf(error) === 404 && (error as { name?: string }).name === 'NoSuchKey') {
        return undefined;
      }
      throw s3Error(error, { action: 'read the lease', bucket: this.#bucket, key });
    }
  }

  #startHeartbeat(): void {
    if (this.#timer || !(this.heartbeatMs > 0 && Number.isFinite(this.heartbeatMs))) return;
    this.#timer = setInterval(() => this.#renewAll(), this.heartbeatMs);
    this.#timer.unref();
  }

  #stopHeartbeat(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #renewAll(): void {
    for (const held of this.#held.values()) {
      held.busy = held.busy
        .then(async () => {
          if (this.#held.get(held.lease.hash) !== held) return;
          const etag = await this.#put(held.key, this.#fresh(held.lease.holder), {
            IfMatch: held.etag,
          });
          if (etag !== undefined) held.etag = etag;
          // Broken as stale and taken by someone else: the task finishes, release is a no-op.
          else if (this.#held.get(held.lease.hash) === held) this.#held.delete(held.lease.hash);
        })
        // Unreachable for a moment: the next heartbeat tries again, within the TTL.
        .catch(() => undefined);
    }
  }
}

function parseBody(text: string): LeaseBody | undefined {
  try {
    const value = JSON.parse(text) as Partial<LeaseBody> | null;
    if (typeof value?.holder !== 'string' || typeof value.expiresAt !== 'number') return undefined;
    return { holder: value.holder, expiresAt: value.expiresAt, released: value.released === true };
  } catch {
    return undefined;
  }
}
