/**
 * Bulk existence on S3 (DESIGN.md 4). Targets are grouped by bucket and folder (the key up to
 * its last '/'). A small group is answered by HeadObject per key; a larger one by listing the
 * folder with ListObjectsV2 from just below its smallest wanted key, skipping gaps between
 * wanted keys, and stopping past the largest: 10,000 keys in one folder cost 10 requests
 * instead of 10,000. When listing turns out to decide fewer keys per request than asking would,
 * the rest of the group is asked for one by one.
 */
import type { ListObjectsV2CommandOutput, S3Client } from '@aws-sdk/client-s3';
import type { Store, Target } from '../target.js';
import { loadS3Sdk, s3Client, type S3Sdk } from './client.js';
import { s3Error } from './errors.js';
import { objectExists } from './objects.js';
import type { S3Target } from './target.js';

/** Groups smaller than this are asked key by key. */
const MIN_GROUP_TO_LIST = 8;
/** Requests in flight per existsMany call. */
const CONCURRENCY = 8;
/** A listing must decide at least this many keys per page on average to be worth it. */
const MIN_KEYS_PER_PAGE = 2;

export const s3Store: Store = {
  durable: true,
  async existsMany(targets: readonly Target[]): Promise<boolean[]> {
    const result = new Array<boolean>(targets.length);
    const groups = new Map<string, Group>();
    for (let index = 0; index < targets.length; index++) {
      const { bucket, key } = targets[index] as S3Target;
      const folder = key.slice(0, key.lastIndexOf('/') + 1);
      const id = `${bucket}/${folder}`;
      let group = groups.get(id);
      if (!group) groups.set(id, (group = { bucket, folder, wanted: new Map() }));
      const indexes = group.wanted.get(key);
      if (indexes) indexes.push(index);
      else group.wanted.set(key, [index]);
    }
    const { default: pLimit } = await import('p-limit');
    const limit: Limit = pLimit(CONCURRENCY);
    const decide = (key: string, group: Group, exists: boolean): void => {
      for (const index of group.wanted.get(key)!) result[index] = exists;
    };
    const head = (group: Group, keys: readonly string[]): Promise<unknown> =>
      Promise.all(
        keys.map((key) =>
          limit(() => objectExists({ bucket: group.bucket, key })).then((exists) =>
            decide(key, group, exists),
          ),
        ),
      );
    await Promise.all(
      [...groups.values()].map(async (group) => {
        const keys = [...group.wanted.keys()];
        if (keys.length < MIN_GROUP_TO_LIST) return head(group, keys);
        const undecided = await listGroup(group, keys.sort(compareKeys), limit, decide);
        return head(group, undecided);
      }),
    );
    return result;
  },
};

interface Group {
  readonly bucket: string;
  /** '' or ending with '/'. */
  readonly folder: string;
  /** Wanted key -> indexes of the targets naming it. */
  readonly wanted: Map<string, number[]>;
}

type Limit = <T>(task: () => Promise<T>) => Promise<T>;

/**
 * Lists the group's folder over the range of `keys` (sorted, distinct), deciding each key it
 * passes; returns the keys left for HEAD when listing stopped paying off.
 */
async function listGroup(
  group: Group,
  keys: readonly string[],
  limit: Limit,
  decide: (key: string, group: Group, exists: boolean) => void,
): Promise<string[]> {
  const [client, sdk] = await Promise.all([s3Client(), loadS3Sdk()]);
  let next = 0;
  let pages = 0;
  let continuation: string | undefined;
  /** The listing position: every key up to here was listed. */
  let position = group.folder;
  while (next < keys.length) {
    if (pages > 0 && next < MIN_KEYS_PER_PAGE * pages) return keys.slice(next);
    // Jump over a gap before the next wanted key; else continue where the last page ended.
    const startAfter = below(keys[next]!);
    const jump = continuation === undefined || compareKeys(startAfter, position) > 0;
    const page = await limit(() =>
      listPage(client, sdk, group, jump ? { StartAfter: startAfter } : { continuation }),
    );
    pages++;
    const listed = new Set<string>();
    for (const object of page.Contents ?? []) if (object.Key !== undefined) listed.add(object.Key);
    // With a delimiter, a sub-folder counts as one entry: its name is part of the position.
    let last: string | undefined;
    for (const object of page.Contents ?? []) last = maxKey(last, object.Key);
    for (const prefix of page.CommonPrefixes ?? []) last = maxKey(last, prefix.Prefix);
    const complete = !page.IsTruncated;
    if (!complete && (last === undefined || page.NextContinuationToken === undefined)) {
      // A truncated page that names nothing (MinIO's empty last page): ask the rest.
      return keys.slice(next);
    }
    while (next < keys.length && (complete || compareKeys(keys[next]!, last!) <= 0)) {
      decide(keys[next]!, group, listed.has(keys[next]!));
      next++;
    }
    if (complete) break;
    position = last!;
    continuation = page.NextContinuationToken;
  }
  return [];
}

async function listPage(
  client: S3Client,
  sdk: S3Sdk,
  group: Group,
  from: { readonly StartAfter: string } | { readonly continuation: string | undefined },
): Promise<ListObjectsV2CommandOutput> {
  try {
    return await client.send(
      new sdk.ListObjectsV2Command({
        Bucket: group.bucket,
        Prefix: group.folder,
        // Sub-folders come back as one entry each instead of all their keys.
        Delimiter: '/',
        ...('StartAfter' in from
          ? { StartAfter: from.StartAfter }
          : { ContinuationToken: from.continuation }),
      }),
    );
  } catch (error) {
    throw s3Error(error, { action: 'list', bucket: group.bucket, key: group.folder });
  }
}

/**
 * A string just below `key` in listing order, so that StartAfter includes `key`: the key
 * without its last character. Only keys sharing that stem and sorting before `key` lie between.
 */
function below(key: string): string {
  const last = key.codePointAt(key.length - 1)!;
  const width = last >= 0xdc00 && last <= 0xdfff && key.length >= 2 ? 2 : 1;
  return key.slice(0, key.length - width);
}

function maxKey(a: string | undefined, b: string | undefined): string | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return compareKeys(a, b) >= 0 ? a : b;
}

/**
 * S3 lists keys in UTF-8 byte order, which is code point order; JavaScript compares UTF-16 code
 * units, which differs for characters above U+FFFF against U+E000..U+FFFF.
 */
export function compareKeys(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const surrogate = (c: number): boolean => c >= 0xd800 && c <= 0xdfff;
    if (surrogate(x) !== surrogate(y)) return surrogate(x) ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}
