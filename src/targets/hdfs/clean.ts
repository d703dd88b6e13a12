/**
 * Removes what killed writers left on HDFS: temp files and folders named like
 * `.<name>.dagwright-tmp-<pid>-<hex>` (an aborted upload leaves a closed, truncated file; a
 * remote staging whose engine died before committing it has the same name), and lease files
 * moved aside by a lease breaker that died before deleting them. Age is judged by
 * the NameNode's clock, like the modificationTime it compares with.
 */
import { TEMP_NAME } from '../atomic-file.js';
import { parseHdfsUri } from './uri.js';
import { isMissing, webHdfsClient, type WebHdfsClient } from './webhdfs.js';

/** A lease moved aside by a breaker: `<hash>.lock.stale-<token>` (lock-stores/hdfs.ts). */
export const STALE_ASIDE = /\.lock\.stale-[0-9a-z]+$/;

export interface CleanOptions {
  /** Only entries last modified longer ago than this; 0 removes every match. */
  readonly olderThanMs: number;
  /** List what would be removed, remove nothing. */
  readonly dryRun: boolean;
}

/** Walks the tree under `rootUri`; returns the URIs of the entries removed (or to remove). */
export async function cleanHdfsTemp(rootUri: string, options: CleanOptions): Promise<string[]> {
  const root = parseHdfsUri(rootUri, true);
  const client = webHdfsClient(root.baseUrl);
  const removed: string[] = [];
  await walk(client, root.path, async (path, modificationTime, isDir) => {
    const name = path.slice(path.lastIndexOf('/') + 1);
    if (!TEMP_NAME.test(name) && !STALE_ASIDE.test(name)) return false;
    // The NameNode's clock is learned from its answers: read it after the listing taught it.
    const old =
      options.olderThanMs <= 0 || modificationTime < client.clock.earliest() - options.olderThanMs;
    if (!old) return true;
    if (!options.dryRun) await client.delete(path, isDir);
    removed.push(root.prefix + path);
    return true;
  });
  return removed;
}

/** Visits every entry below `dir`; `visit` returns true when it handled one (no descent). */
async function walk(
  client: WebHdfsClient,
  dir: string,
  visit: (path: string, modificationTime: number, isDir: boolean) => Promise<boolean>,
): Promise<void> {
  const prefix = dir === '/' ? '' : dir;
  try {
    for await (const page of client.listPages(dir)) {
      for (const entry of page.entries) {
        // A file lists itself under the name ''.
        if (entry.pathSuffix === '') continue;
        const path = `${prefix}/${entry.pathSuffix}`;
        const isDir = entry.type === 'DIRECTORY';
        if (await visit(path, entry.modificationTime, isDir)) continue;
        if (isDir) await walk(client, path, visit);
      }
    }
  } catch (error) {
    // Nothing there (yet, or any more): nothing to clean.
    if (!isMissing(error)) throw error;
  }
}
