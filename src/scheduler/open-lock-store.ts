/**
 * Picks the lock store for a location: a folder (or `file://` URL) on this machine, or
 * `s3://bucket/prefix` / `webhdfs://host:port/path` / `hdfs://host/path` for runs on several
 * machines. The remote stores load only when used.
 */
import { fileURLToPath } from 'node:url';
import { UsageError } from '../errors.js';
import { LeaseStore } from './leases.js';
import type { LockStore, LockStoreOptions } from './lock-store.js';

export async function openLockStore(
  location: string,
  options: LockStoreOptions = {},
): Promise<LockStore> {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(location)?.[1]?.toLowerCase();
  switch (scheme) {
    case undefined:
      return new LeaseStore({ ...options, dir: location });
    case 'file':
      return new LeaseStore({ ...options, dir: fileURLToPath(location) });
    case 's3': {
      const { S3LockStore } = await import('./lock-stores/s3.js');
      return new S3LockStore(location, options);
    }
    case 'webhdfs':
    case 'swebhdfs':
    case 'hdfs': {
      const { HdfsLockStore } = await import('./lock-stores/hdfs.js');
      return new HdfsLockStore(location, options);
    }
    default:
      throw new UsageError(
        `lock store ${JSON.stringify(location)}: unsupported scheme '${scheme}'; use a folder, s3://bucket/prefix or webhdfs://host:port/path`,
      );
  }
}
