/**
 * Storage for a command: the artifact root from `--artifact-root`, else `DAG_ARTIFACT_ROOT`,
 * else `artifactRoot` in dag.config, else the working directory; S3 and HDFS settings from the
 * config. Applied before any task is constructed.
 */
import { configureStorage } from '../targets/settings.js';
import { normalizeArtifactRoot } from '../targets/artifact.js';
import type { CliContext } from './context.js';

export const ARTIFACT_ROOT_HELP =
  'where artifact() paths live: a folder, s3://bucket/prefix, webhdfs://host:port/path or hdfs://host/path (default: artifactRoot in dag.config, else the working directory)';

export function applyStorage(context: CliContext, flag: string | undefined): void {
  const { config, loaded, cwd } = context;
  const env = process.env.DAG_ARTIFACT_ROOT || undefined;
  let artifactRoot: string | undefined;
  if (flag !== undefined) artifactRoot = normalizeArtifactRoot(flag, cwd, '--artifact-root');
  else if (env !== undefined) artifactRoot = normalizeArtifactRoot(env, cwd, 'DAG_ARTIFACT_ROOT');
  else if (config.artifactRoot !== undefined)
    artifactRoot = normalizeArtifactRoot(
      config.artifactRoot,
      loaded.dir,
      `${loaded.path}: artifactRoot`,
    );
  configureStorage({ artifactRoot, s3: config.s3, hdfs: config.hdfs });
}
