/**
 * The atomic, append-only publish on HDFS (DESIGN.md 4): the content goes to a unique temp file
 * in the artifact's own folder, then `RENAME renameoptions=NONE` gives it its final name, which
 * fails if the name is taken. A file is visible from the moment its upload starts, and a broken
 * upload leaves a closed, truncated file, so nothing is ever written at the final name itself.
 * Leftover temp files (a killed writer) are removed by cleanHdfsTemp.
 */
import { ArtifactExistsError } from '../../errors.js';
import { tempPathFor } from '../atomic-file.js';
import type { Body } from './upload.js';
import { isAlreadyExists, type WebHdfsClient } from './webhdfs.js';

/**
 * Uploads `body` and publishes it at `path`. Throws ArtifactExistsError (`uri` names the
 * artifact) when the name is taken; the temp file is deleted on any failure.
 */
export async function publishFile(
  client: WebHdfsClient,
  path: string,
  body: Body,
  uri: string,
): Promise<void> {
  // CREATE makes the missing parent folders of the temp file, which are the artifact's: no MKDIRS.
  const temp = tempPathFor(path);
  try {
    await client.create(temp, body);
  } catch (error) {
    await removeQuietly(client, temp);
    throw error;
  }
  await renameTemp(client, temp, path, uri);
}

/** Publishes an uploaded temp file or folder; deletes it when that fails. */
export async function renameTemp(
  client: WebHdfsClient,
  temp: string,
  path: string,
  uri: string,
): Promise<void> {
  try {
    await renameNoReplace(client, temp, path, uri);
  } catch (error) {
    await removeQuietly(client, temp, true);
    throw error;
  }
}

/**
 * RENAME renameoptions=NONE of `temp` to `path`: ArtifactExistsError (`uri` names the artifact)
 * when the name is taken. The temp stays on any failure.
 */
export async function renameNoReplace(
  client: WebHdfsClient,
  temp: string,
  path: string,
  uri: string,
): Promise<void> {
  try {
    await client.rename(temp, path);
  } catch (error) {
    if (isAlreadyExists(error)) throw new ArtifactExistsError(uri);
    throw error;
  }
}

/** Best effort: the error that got us here matters more than a failed clean-up. */
export async function removeQuietly(
  client: WebHdfsClient,
  path: string,
  recursive = false,
): Promise<void> {
  try {
    await client.delete(path, recursive);
  } catch {
    // cleanHdfsTemp removes what is left.
  }
}
