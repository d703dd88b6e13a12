/**
 * Paging through LISTSTATUS_BATCH: names in HDFS order, and where the next page starts.
 */
import { WebHdfsError } from './errors.js';

export interface FileStatus {
  /** The entry's name in a listing; '' from GETFILESTATUS. */
  readonly pathSuffix: string;
  readonly type: 'FILE' | 'DIRECTORY' | 'SYMLINK';
  readonly length: number;
  /** ms since the epoch, by the NameNode's clock. */
  readonly modificationTime: number;
  readonly accessTime: number;
  /** The inode id: it stays with the file through renames. */
  readonly fileId: number;
}

export interface ListingPage {
  readonly entries: readonly FileStatus[];
  /** Entries after this page (LISTSTATUS_BATCH's `remainingEntries`). */
  readonly remaining: number;
}

/**
 * Where the page after `page` (which started after `after`) starts, or undefined when it was
 * the last. Throws when a page does not move past the previous one: a server that ignores
 * `startafter` would return page 1 forever.
 */
export function nextPageStart(
  path: string,
  page: ListingPage,
  after: string | undefined,
): string | undefined {
  const last = page.entries.at(-1)?.pathSuffix;
  // A file lists as one entry named ''.
  if (page.remaining <= 0 || last === undefined || last === '') return undefined;
  if (after !== undefined && compareNames(last, after) <= 0) {
    throw new WebHdfsError(
      `HDFS GET LISTSTATUS_BATCH ${path}: the listing did not advance past ` +
        `${JSON.stringify(after)}; the server ignores 'startafter'`,
      'ListingStuck',
      200,
    );
  }
  return last;
}

const SURROGATE = /[\uD800-\uDFFF]/;

/**
 * HDFS orders names by their UTF-8 bytes, which is code point order. JavaScript compares UTF-16
 * code units, which agrees except when astral characters are involved.
 */
export function compareNames(a: string, b: string): number {
  if (!SURROGATE.test(a) && !SURROGATE.test(b)) return a < b ? -1 : a > b ? 1 : 0;
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
