/**
 * A small WebHDFS client (no dependency). NameNode calls use `fetch`; the DataNode upload uses
 * `node:http` (upload.ts). Query-parameter names are exact and lowercase: Hadoop 3.5 silently
 * ignores other spellings (`renameOptions`, `startAfter`). Answers are mapped to one-line typed
 * errors (errors.ts); request URLs, which may carry a delegation token, never reach a message.
 */
import { userInfo } from 'node:os';
import type { Readable } from 'node:stream';
import { settingsGeneration, storageSettings, type HdfsSettings } from '../settings.js';
import {
  WebHdfsError,
  isMissing,
  isRetriable,
  networkCode,
  networkError,
  remoteError,
  type RequestName,
} from './errors.js';
import { nextPageStart, type FileStatus, type ListingPage } from './listing.js';
import { OpenStream } from './open-stream.js';
import { ServerClock } from '../server-clock.js';
import { uploadToDataNode, type Body } from './upload.js';

export { compareNames, nextPageStart, type FileStatus, type ListingPage } from './listing.js';
export { isAlreadyExists, isMissing, WebHdfsError } from './errors.js';

export type WebHdfsOp =
  | 'GETFILESTATUS'
  | 'LISTSTATUS_BATCH'
  | 'MKDIRS'
  | 'CREATE'
  | 'OPEN'
  | 'RENAME'
  | 'DELETE'
  | 'SETTIMES';

const DEFAULT_TIMEOUT_MS = 30_000;
/** Retries of one request stop once they would take longer than this in total. */
const RETRY_BUDGET_MS = 30_000;
/** Safe to send again when the connection dropped after the request went out. */
const IDEMPOTENT: ReadonlySet<WebHdfsOp> = new Set<WebHdfsOp>([
  'GETFILESTATUS',
  'LISTSTATUS_BATCH',
  'OPEN',
  'MKDIRS',
  'CREATE', // step 1 with noredirect=true creates nothing
  'SETTIMES',
]);

type Method = 'GET' | 'PUT' | 'DELETE';

export class WebHdfsClient {
  /** `http://host:port` of the NameNode's HTTP server. */
  readonly baseUrl: string;
  /** Requests sent, per operation (each retry counts; `UPLOAD` = CREATE step 2). */
  readonly requestCounts: Partial<Record<WebHdfsOp | 'UPLOAD', number>> = {};
  /** The NameNode's clock, learned from its answers. */
  readonly clock = new ServerClock();
  readonly timeoutMs: number;
  readonly #origin: string;
  readonly #auth: readonly [string, string];
  /** Connection failures are retried only once the NameNode was reached: a wrong address fails at once. */
  #reached = false;

  constructor(baseUrl: string, settings: HdfsSettings = {}) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
    this.#origin = new URL(this.baseUrl).origin;
    this.timeoutMs = settings.requestTimeoutMs ?? DEFAULT_TIMEOUT_MS;
    const token = process.env.HDFS_DELEGATION_TOKEN;
    this.#auth = token
      ? ['delegation', token]
      : ['user.name', settings.user ?? process.env.HADOOP_USER_NAME ?? userInfo().username];
  }

  /** The status, or undefined when nothing is there (also when a parent is a file). */
  async getFileStatus(path: string): Promise<FileStatus | undefined> {
    try {
      const response = await this.#send('GET', 'GETFILESTATUS', path);
      return ((await response.json()) as { FileStatus: FileStatus }).FileStatus;
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  /** One page of a folder's entries, in name order, after `startAfter` (exclusive). */
  async listStatusBatch(path: string, startAfter?: string): Promise<ListingPage> {
    const params: Record<string, string> = startAfter ? { startafter: startAfter } : {};
    const response = await this.#send('GET', 'LISTSTATUS_BATCH', path, params);
    const listing = (
      (await response.json()) as {
        DirectoryListing: {
          partialListing: { FileStatuses: { FileStatus: FileStatus[] } };
          remainingEntries: number;
        };
      }
    ).DirectoryListing;
    return {
      entries: listing.partialListing.FileStatuses.FileStatus,
      remaining: listing.remainingEntries,
    };
  }

  /**
   * Every page of a folder's listing, from after `startAfter`; throws if a page does not
   * advance (nextPageStart).
   */
  async *listPages(path: string, startAfter?: string): AsyncGenerator<ListingPage> {
    let after = startAfter;
    while (true) {
      const page = await this.listStatusBatch(path, after);
      yield page;
      after = nextPageStart(path, page, after);
      if (after === undefined) return;
    }
  }

  async mkdirs(path: string): Promise<void> {
    const response = await this.#send('PUT', 'MKDIRS', path);
    const result = (await response.json()) as { boolean?: boolean };
    if (result.boolean !== true) {
      throw new WebHdfsError(
        `HDFS PUT MKDIRS ${path} (${this.#origin}): the NameNode answered false`,
        'MkdirsFailed',
        200,
      );
    }
  }

  /** CREATE with overwrite=false: NameNode step (noredirect), then the DataNode PUT. */
  async create(path: string, body: Body): Promise<void> {
    const response = await this.#send('PUT', 'CREATE', path, {
      overwrite: 'false',
      noredirect: 'true',
    });
    const location = ((await response.json()) as { Location?: unknown }).Location;
    if (typeof location !== 'string') {
      throw new WebHdfsError(
        `HDFS PUT CREATE ${path} (${this.#origin}): no DataNode location in the answer`,
        'NoLocation',
        response.status,
      );
    }
    this.#count('UPLOAD');
    await uploadToDataNode(location, path, body, this.timeoutMs);
  }

  /** The content as a stream; the request starts on the first read. */
  open(path: string): Readable {
    return new OpenStream(
      (signal) => this.#send('GET', 'OPEN', path, {}, signal),
      `GET OPEN ${path} (${this.#origin})`,
      this.timeoutMs,
    );
  }

  /**
   * RENAME with renameoptions=NONE: atomic, and never replaces. An existing destination throws
   * a WebHdfsError with exception `FileAlreadyExistsException`.
   */
  async rename(source: string, destination: string): Promise<void> {
    const response = await this.#send('PUT', 'RENAME', source, {
      destination,
      renameoptions: 'NONE',
    });
    // Success is 200 with an empty body; `{"boolean":...}` is the legacy rename, which moves
    // into an existing folder and cannot say "exists": the option was not honoured.
    const text = await response.text();
    if (text.trim() !== '') {
      throw new WebHdfsError(
        `HDFS PUT RENAME ${source} (${this.#origin}): the server ignored renameoptions=NONE ` +
          `(answered ${text.trim().slice(0, 40)}); this WebHDFS server cannot publish safely`,
        'RenameOptionsIgnored',
        response.status,
      );
    }
  }

  /** `true` when something was deleted. */
  async delete(path: string, recursive = false): Promise<boolean> {
    const params: Record<string, string> = recursive ? { recursive: 'true' } : {};
    const response = await this.#send('DELETE', 'DELETE', path, params);
    return ((await response.json()) as { boolean?: boolean }).boolean === true;
  }

  async setTimes(
    path: string,
    times: { readonly modificationTime?: number; readonly accessTime?: number },
  ): Promise<void> {
    const params: Record<string, string> = {};
    if (times.modificationTime !== undefined)
      params.modificationtime = String(Math.round(times.modificationTime));
    if (times.accessTime !== undefined) params.accesstime = String(Math.round(times.accessTime));
    const response = await this.#send('PUT', 'SETTIMES', path, params);
    await response.arrayBuffer();
  }

  /**
   * One NameNode request, retried with backoff on what is worth waiting for: safe mode, a
   * cluster without DataNodes yet, a RetriableException, and a dropped connection (for requests
   * that are safe to repeat). Returns the 2xx response; anything else throws.
   */
  async #send(
    method: Method,
    op: WebHdfsOp,
    path: string,
    params: Readonly<Record<string, string>> = {},
    signal?: AbortSignal,
  ): Promise<Response> {
    const url = this.#url(op, path, params);
    const name: RequestName = { method, op, path, origin: this.#origin };
    const deadline = Date.now() + RETRY_BUDGET_MS;
    for (let attempt = 0; ; attempt++) {
      const backoff = Math.min(100 * 2 ** attempt, 2_000);
      const mayRetry = Date.now() + backoff < deadline;
      this.#count(op);
      const sentAt = Date.now();
      let response: Response;
      try {
        response = await fetch(url, {
          method,
          // OPEN follows the NameNode's redirect to a DataNode: no 100 Continue on a GET.
          redirect: op === 'OPEN' ? 'follow' : 'manual',
          signal: signal ?? AbortSignal.timeout(this.timeoutMs),
        });
      } catch (error) {
        if (error instanceof WebHdfsError) throw error; // the caller's own abort reason
        if (mayRetry && this.#retriesConnection(op, error)) {
          await sleep(backoff);
          continue;
        }
        throw networkError(name, error, this.timeoutMs);
      }
      this.#reached = true;
      // After a redirect the Date is a DataNode's, whose clock is not the one leases use.
      if (!response.redirected)
        this.clock.observe(response.headers.get('date'), sentAt, Date.now());
      if (response.ok) return response;
      const error = remoteError(name, response.status, await response.text().catch(() => ''));
      if (mayRetry && isRetriable(error)) {
        await sleep(backoff);
        continue;
      }
      throw error;
    }
  }

  #retriesConnection(op: WebHdfsOp, error: unknown): boolean {
    if (!this.#reached) return false;
    const code = networkCode(error);
    // Refused: nothing was sent, so any request can go again.
    if (code === 'ECONNREFUSED') return true;
    return IDEMPOTENT.has(op) && (code === 'UND_ERR_SOCKET' || code === 'ECONNRESET');
  }

  #url(op: WebHdfsOp, path: string, params: Readonly<Record<string, string>>): string {
    const query = new URLSearchParams({ op, ...params });
    query.set(this.#auth[0], this.#auth[1]);
    return `${this.baseUrl}/webhdfs/v1${encodePath(path)}?${query}`;
  }

  #count(op: WebHdfsOp | 'UPLOAD'): void {
    this.requestCounts[op] = (this.requestCounts[op] ?? 0) + 1;
  }
}

/** Each segment encoded on its own: names may hold `% # ? + =` and spaces. */
export function encodePath(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

const clients = new Map<string, WebHdfsClient>();
let clientsGeneration = -1;

/** The client of a NameNode, shared while the storage settings stay the same. */
export function webHdfsClient(baseUrl: string): WebHdfsClient {
  const generation = settingsGeneration();
  if (generation !== clientsGeneration) {
    clients.clear();
    clientsGeneration = generation;
  }
  let client = clients.get(baseUrl);
  if (!client) {
    client = new WebHdfsClient(baseUrl, storageSettings().hdfs);
    clients.set(baseUrl, client);
  }
  return client;
}
