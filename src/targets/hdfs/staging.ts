/**
 * Staging for HDFS outputs: a program writes a local file (or folder) under the OS temp folder;
 * commit uploads it with the same atomic publish as write() and removes the local copy. A
 * folder is uploaded into a temp folder next to the artifact and published by one RENAME NONE.
 */
import { createReadStream } from 'node:fs';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ArtifactExistsError } from '../../errors.js';
import { tempPathFor } from '../atomic-file.js';
import type { Staging } from '../target.js';
import { publishFile, removeQuietly, renameTemp } from './publish.js';
import type { StreamDestination } from './write-stream.js';
import { nameOf } from './uri.js';
import type { WebHdfsClient } from './webhdfs.js';

/** Above this size a publish first checks that the name is free: a cheap early failure. */
export const LARGE_WRITE = 1024 * 1024;

export async function stageHdfs(target: StreamDestination): Promise<Staging> {
  const dir = await mkdtemp(join(tmpdir(), 'dagwright-hdfs-'));
  const local = join(dir, nameOf(target.path));
  const discard = (): Promise<void> => rm(dir, { recursive: true, force: true });
  return {
    path: local,
    commit: async () => {
      try {
        await commit(target, local);
      } finally {
        await discard();
      }
    },
    discard,
  };
}

async function commit(target: StreamDestination, local: string): Promise<void> {
  const info = await stat(local);
  const large = info.isDirectory() || info.size > LARGE_WRITE;
  if (large && (await target.exists())) throw new ArtifactExistsError(target.uri);
  if (!info.isDirectory()) {
    await publishFile(target.client, target.path, createReadStream(local), target.uri);
    return;
  }
  const temp = tempPathFor(target.path);
  try {
    await target.client.mkdirs(temp);
    await uploadTree(target.client, local, temp);
  } catch (error) {
    await removeQuietly(target.client, temp, true);
    throw error;
  }
  await renameTemp(target.client, temp, target.path, target.uri);
}

/** Copies a local folder's content into an existing HDFS folder. */
async function uploadTree(client: WebHdfsClient, local: string, remote: string): Promise<void> {
  for (const name of await readdir(local)) {
    const from = join(local, name);
    const to = `${remote}/${name}`;
    if ((await stat(from)).isDirectory()) {
      await client.mkdirs(to);
      await uploadTree(client, from, to);
    } else {
      await client.create(to, createReadStream(from));
    }
  }
}
