/**
 * Remote staging on HDFS: a program on another machine writes the output (a file or a folder)
 * at a temp path next to the artifact, the one the engine's own publish would use (tempPathFor),
 * given to it as a webhdfs:// URI. commit() is the same RENAME renameoptions=NONE as every HDFS
 * publish: atomic, on the NameNode, no bytes through this process. A staging the engine never
 * committed (it died) is found by `dag clean-temp` like any other temp file.
 */
import { ArtifactExistsError, UsageError } from '../../errors.js';
import { isTempPathFor, tempPathFor } from '../atomic-file.js';
import type { RemoteStaging } from '../target.js';
import { removeQuietly, renameNoReplace } from './publish.js';
import { parseHdfsUri } from './uri.js';
import { isMissing, type WebHdfsClient } from './webhdfs.js';

/** What remote staging needs of an HdfsTarget. */
export interface HdfsArtifact {
  readonly uri: string;
  readonly path: string;
  readonly baseUrl: string;
  readonly client: WebHdfsClient;
}

/**
 * A new staging location for `target`, or with `uri` the one made earlier under that uri;
 * UsageError if `uri` is not a staging location of `target`.
 */
export async function stageHdfsRemote(target: HdfsArtifact, uri?: string): Promise<RemoteStaging> {
  const path = uri === undefined ? tempPathFor(target.path) : stagingPathOf(target, uri);
  return new HdfsRemoteStaging(target, path);
}

function stagingPathOf(target: HdfsArtifact, uri: string): string {
  let location;
  try {
    location = parseHdfsUri(uri);
  } catch {
    location = undefined;
  }
  if (location?.baseUrl !== target.baseUrl || !isTempPathFor(location.path, target.path)) {
    throw new UsageError(
      `${JSON.stringify(uri)} is not a staging location of ${target.uri}: ` +
        `pass a uri that stageRemote() returned for this target`,
    );
  }
  return location.path;
}

/**
 * `webhdfs://host:port` of the target's NameNode: the target's own for webhdfs:// and
 * swebhdfs:// targets; for hdfs:// ones (an RPC address) the WebHDFS address it resolves to.
 */
function webHdfsPrefix(target: HdfsArtifact): string {
  if (/^s?webhdfs:/i.test(target.uri)) return target.uri.slice(0, -target.path.length);
  const url = new URL(target.baseUrl);
  return `${url.protocol === 'https:' ? 'swebhdfs' : 'webhdfs'}://${url.host}`;
}

class HdfsRemoteStaging implements RemoteStaging {
  readonly uri: string;
  readonly #target: HdfsArtifact;
  readonly #path: string;

  constructor(target: HdfsArtifact, path: string) {
    this.#target = target;
    this.#path = path;
    this.uri = webHdfsPrefix(target) + path;
  }

  async written(): Promise<boolean> {
    return (await this.#target.client.getFileStatus(this.#path)) !== undefined;
  }

  async commit(): Promise<void> {
    const target = this.#target;
    try {
      await renameNoReplace(target.client, this.#path, target.path, target.uri);
    } catch (error) {
      if (error instanceof ArtifactExistsError) {
        await removeQuietly(target.client, this.#path, true);
        throw error;
      }
      if (isMissing(error) && !(await this.written())) {
        throw new UsageError(
          `nothing was written at ${this.uri}: the program must write the output of ${target.uri} there`,
        );
      }
      // Anything else keeps the staging: it is the only copy, and commit() may be retried.
      throw error;
    }
  }

  async discard(): Promise<void> {
    try {
      // Deleting nothing answers `false`, not an error: safe to repeat.
      await this.#target.client.delete(this.#path, true);
    } catch (error) {
      // A file where the folder was: nothing of ours is there.
      if (!isMissing(error)) throw error;
    }
  }
}
