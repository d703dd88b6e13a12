/**
 * Artifacts on HDFS, through WebHDFS (DESIGN.md 4). Writes are atomic and append-only: a temp
 * file next to the artifact, then RENAME renameoptions=NONE (publish.ts).
 */
import type { Readable, Writable } from 'node:stream';
import { ArtifactExistsError } from '../../errors.js';
import type { RemoteStaging, Staging, Store, Target } from '../target.js';
import { publishFile } from './publish.js';
import { stageHdfsRemote } from './remote-staging.js';
import { LARGE_WRITE, stageHdfs } from './staging.js';
import { hdfsStore } from './store.js';
import { parseHdfsUri } from './uri.js';
import { webHdfsClient, type WebHdfsClient } from './webhdfs.js';
import { HdfsWriteStream } from './write-stream.js';

export class HdfsTarget implements Target {
  /** The URI as given, without a trailing slash. */
  readonly uri: string;
  /** Absolute HDFS path. */
  readonly path: string;
  /** The NameNode's WebHDFS base URL, `http://host:9870`. */
  readonly baseUrl: string;

  /**
   * `webhdfs://host:port/abs/path`, `swebhdfs://host:port/abs/path` or
   * `hdfs://host[:rpcport]/abs/path`. Throws UnsafePathError for a path HDFS would reject or
   * that could leave its folder.
   */
  constructor(uri: string) {
    const location = parseHdfsUri(uri);
    this.uri = location.uri;
    this.path = location.path;
    this.baseUrl = location.baseUrl;
  }

  /** The client for the current storage settings (clients are shared and cached). */
  get client(): WebHdfsClient {
    return webHdfsClient(this.baseUrl);
  }

  get store(): Store {
    return hdfsStore;
  }

  async exists(): Promise<boolean> {
    return (await this.client.getFileStatus(this.path)) !== undefined;
  }

  async read(): Promise<Buffer> {
    const chunks = (await this.createReadStream().toArray()) as Buffer[];
    return Buffer.concat(chunks);
  }

  async readText(): Promise<string> {
    return (await this.read()).toString('utf8');
  }

  createReadStream(): Readable {
    return this.client.open(this.path);
  }

  async write(data: string | Uint8Array): Promise<void> {
    if (data.length > LARGE_WRITE && (await this.exists())) throw new ArtifactExistsError(this.uri);
    await publishFile(this.client, this.path, data, this.uri);
  }

  createWriteStream(): Writable {
    return new HdfsWriteStream(this);
  }

  stage(): Promise<Staging> {
    return stageHdfs(this);
  }

  /**
   * A temp path next to the artifact, as a webhdfs:// URI for a program on another machine;
   * commit() publishes it by RENAME renameoptions=NONE on the NameNode.
   */
  stageRemote(uri?: string): Promise<RemoteStaging> {
    return stageHdfsRemote(this, uri);
  }

  toString(): string {
    return this.uri;
  }
}
