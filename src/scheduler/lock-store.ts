/**
 * Where leases live (DESIGN.md 5): a task never runs twice at once, across processes and
 * machines. The local folder store serves one machine; S3 and HDFS stores serve runs on many
 * machines that share artifacts (`lockStore` in config).
 */

export interface Lease {
  readonly hash: string;
  /** Who holds it, e.g. `4242@build-7:ab12`. */
  readonly holder: string;
}

/** The lease, or a description of who holds it (`pid 4242 on build-7`). */
export type AcquireResult = { readonly lease: Lease } | { readonly holder: string };

export interface LockStore {
  /** Where the leases are, for messages: a folder or a URI. */
  readonly location: string;
  /**
   * Takes the lease on `hash`, or says who holds it. A lease whose holder stopped renewing it
   * for longer than the TTL (or whose holder process is gone, on the same machine) is broken
   * and taken. Held leases are renewed in the background until released.
   */
  acquire(hash: string): Promise<AcquireResult>;
  /** `true` while someone holds a fresh lease on `hash`. */
  isHeld(hash: string): Promise<boolean>;
  /** Gives the lease back; a no-op if it was lost meanwhile. */
  release(lease: Lease): Promise<void>;
  /** Releases every lease of this process and stops renewing (end of a run). */
  releaseAll(): Promise<void>;
}

export interface LockStoreOptions {
  /** A lease not renewed for this long is stale. Default 60 s. */
  readonly ttlMs?: number;
  /** How often held leases are renewed. Default 10 s. */
  readonly heartbeatMs?: number;
}

/** `4242@build-7:ab12` -> `pid 4242 on build-7` */
export function describeHolder(holder: string): string {
  const match = /^(\d+)@(.*):\w+$/.exec(holder);
  return match ? `pid ${match[1]} on ${match[2]}` : 'another process';
}
