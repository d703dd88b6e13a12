/**
 * Where a program on a Nomad node writes each output: a staging location in the output's own
 * store (S3, HDFS, or a folder of a shared file system), reachable from every node.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../../errors.js';
import { LocalTarget } from '../../targets/local.js';
import type { Target } from '../../targets/target.js';
import type { ProgramStaging } from '../command.js';

/** A new staging for `target`, or the one at `uri` that an earlier run made. */
export async function stagingFor(target: Target, uri?: string): Promise<Required<ProgramStaging>> {
  if (!target.stageRemote) {
    throw new UsageError(
      `${target.uri}: a program on Nomad cannot write this kind of artifact; use S3 or HDFS`,
    );
  }
  const staging = await target.stageRemote(uri);
  return {
    // A program is given a plain path for a file on a shared file system.
    path: staging.uri.startsWith('file:') ? fileURLToPath(staging.uri) : staging.uri,
    written: () => staging.written(),
    commit: () => staging.commit(),
    discard: () => staging.discard(),
  };
}

/** The first local target that no shared path holds, if any. */
export function localOutsideShared(
  targets: readonly Target[],
  sharedPaths: readonly string[],
): Target | undefined {
  const roots = sharedPaths.map((path) => (path.endsWith('/') ? path : `${path}/`));
  return targets.find(
    (target) =>
      target instanceof LocalTarget && !roots.some((root) => resolve(target.path).startsWith(root)),
  );
}
