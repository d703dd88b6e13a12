/**
 * Bulk existence on HDFS (DESIGN.md 4). Targets are grouped by NameNode and folder. A folder with
 * few wanted names gets one GETFILESTATUS each; a folder with many is listed with
 * LISTSTATUS_BATCH, but only over the range of wanted names (from just below the smallest,
 * stopping past the largest), and when the pages left would outnumber the names left, those
 * names are asked one by one instead. Requests run 8 at a time: more buys nothing on a NameNode.
 */
import type { Store, Target } from '../target.js';
import {
  compareNames,
  isMissing,
  nextPageStart,
  webHdfsClient,
  type WebHdfsClient,
} from './webhdfs.js';

/** What the store needs of a target: an HdfsTarget. */
interface HdfsAddress {
  readonly baseUrl: string;
  readonly path: string;
}

interface Wanted {
  readonly name: string;
  readonly index: number;
}

interface Group {
  readonly client: WebHdfsClient;
  readonly folder: string;
  readonly wanted: Wanted[];
}

type Limit = <T>(fn: () => Promise<T>) => Promise<T>;

/** Below this many names in one folder, asking one by one beats listing a page. */
const MIN_TO_LIST = 8;
const CONCURRENCY = 8;

export const hdfsStore: Store = {
  durable: true,
  async existsMany(targets: readonly Target[]): Promise<boolean[]> {
    const result = new Array<boolean>(targets.length).fill(false);
    const groups = new Map<string, Group>();
    targets.forEach((target, index) => {
      const { baseUrl, path } = target as unknown as HdfsAddress;
      const slash = path.lastIndexOf('/');
      const folder = slash === 0 ? '/' : path.slice(0, slash);
      const key = `${baseUrl} ${folder}`;
      let group = groups.get(key);
      if (!group) {
        group = { client: webHdfsClient(baseUrl), folder, wanted: [] };
        groups.set(key, group);
      }
      group.wanted.push({ name: path.slice(slash + 1), index });
    });
    const { default: pLimit } = await import('p-limit');
    const limit: Limit = pLimit(CONCURRENCY);
    await Promise.all(
      [...groups.values()].map((group) =>
        group.wanted.length < MIN_TO_LIST
          ? statEach(group, group.wanted, result, limit)
          : listRange(group, result, limit),
      ),
    );
    return result;
  },
};

async function statEach(
  group: Group,
  wanted: readonly Wanted[],
  result: boolean[],
  limit: Limit,
): Promise<void> {
  const prefix = group.folder === '/' ? '' : group.folder;
  await Promise.all(
    wanted.map(({ name, index }) =>
      limit(async () => {
        result[index] = (await group.client.getFileStatus(`${prefix}/${name}`)) !== undefined;
      }),
    ),
  );
}

async function listRange(group: Group, result: boolean[], limit: Limit): Promise<void> {
  const wanted = [...group.wanted].sort((a, b) => compareNames(a.name, b.name));
  const largest = wanted.at(-1)!.name;
  const found = new Set<string>();
  /** Wanted names up to here (sorted) are answered by the pages read so far. */
  let answered = 0;
  let after = justBelow(wanted[0]!.name);
  try {
    while (true) {
      const page = await limit(() => group.client.listStatusBatch(group.folder, after));
      for (const entry of page.entries) found.add(entry.pathSuffix);
      const next = nextPageStart(group.folder, page, after);
      if (next === undefined || compareNames(next, largest) >= 0) {
        answered = wanted.length;
        break;
      }
      while (answered < wanted.length && compareNames(wanted[answered]!.name, next) <= 0)
        answered++;
      const pagesLeft = Math.ceil(page.remaining / Math.max(1, page.entries.length));
      if (pagesLeft > wanted.length - answered) break;
      after = next;
    }
  } catch (error) {
    // No folder (or a file above it): none of its names exist.
    if (isMissing(error)) return;
    throw error;
  }
  for (let i = 0; i < answered; i++) result[wanted[i]!.index] = found.has(wanted[i]!.name);
  if (answered < wanted.length) await statEach(group, wanted.slice(answered), result, limit);
}

/**
 * A name that sorts just below `name` (the listing starts after it, exclusively): the last
 * character one lower. Names in between are listed too, and ignored.
 */
function justBelow(name: string): string | undefined {
  const code = name.charCodeAt(name.length - 1);
  const prefix = name.slice(0, -1);
  if (code <= 0x21 || (code >= 0xd800 && code <= 0xdfff)) return prefix || undefined;
  // '/' (below '0') has a meaning in paths; skip it.
  return prefix + String.fromCharCode(code - 1 === 0x2f ? 0x2e : code - 1);
}
