/**
 * Where leases live (DESIGN.md 5): a task never runs twice at once, across processes and
 * machines. The local folder store serves one machine; S3 and HDFS stores serve runs on many
 * machines that share artifacts (`lockStore` in config).
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { isAlive } from '../process-alive.js';

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

const HOLDER = /^(\d+)@(.*):\w+$/;
const HOST = hostname();
/** Unique per process; the counter makes each token unique within it. */
const PROCESS_TOKEN = randomBytes(4).toString('hex');
let counter = 0;

/** A token no other lease, process or machine uses (for holders and aside names). */
export function uniqueToken(): string {
  return PROCESS_TOKEN + (counter++).toString(36);
}

/** A new holder for a lease of this process: `<pid>@<host>:<token>`. */
export function newHolder(): string {
  return `${process.pid}@${HOST}:${uniqueToken()}`;
}

/** `true` when the holder is a process of this machine that is gone: its lease is free now. */
export function holderIsDead(holder: string): boolean {
  const match = HOLDER.exec(holder);
  return match !== null && match[2] === HOST && !isAlive(Number(match[1]));
}

/** `4242@build-7:ab12` -> `pid 4242 on build-7` */
export function describeHolder(holder: string): string {
  const match = HOLDER.exec(holder);
  return match ? `pid ${match[1]} on ${match[2]}` : 'another process';
}
