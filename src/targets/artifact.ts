/**
 * Targets named by URI, and `artifact(path)`: a target under the artifact root, so a pipeline
 * moves between the local disk, S3 and HDFS by configuration alone (DESIGN.md 4).
 */
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UnsafePathError, UsageError } from '../errors.js';
import { HdfsTarget } from './hdfs/target.js';
import { LocalTarget } from './local.js';
import { S3Target } from './s3/target.js';
import { settingsGeneration, storageSettings } from './settings.js';
import type { Target } from './target.js';

const SCHEME = /^([a-z][a-z0-9+.-]*):\/\//i;
const REMOTE_SCHEMES = ['s3', 'webhdfs', 'swebhdfs', 'hdfs'];

/**
 * The target a URI names: `s3://bucket/key`, `webhdfs://host:port/path`,
 * `swebhdfs://host:port/path`, `hdfs://host/path`, `file:///path`, or a plain local path.
 */
export function targetFromUri(uri: string): Target {
  const scheme = SCHEME.exec(uri)?.[1]?.toLowerCase();
  switch (scheme) {
    case undefined:
      return new LocalTarget(uri);
    case 'file':
      return new LocalTarget(fileURLToPath(uri));
    case 's3':
      return new S3Target(uri);
    case 'webhdfs':
    case 'swebhdfs':
    case 'hdfs':
      return new HdfsTarget(uri);
    default:
      throw new UsageError(
        `unsupported artifact URI ${JSON.stringify(uri)}: use a path, file://, s3://, webhdfs:// or hdfs://`,
      );
  }
}

/**
 * A target at `path` below the artifact root (`--artifact-root`, `artifactRoot` in dag.config,
 * `DAG_ARTIFACT_ROOT`, or `configureStorage()`; by default the working directory). `path` is
 * relative and stays inside the root: build it from `paramPath()`.
 */
export function artifact(path: string): Target {
  if (typeof path !== 'string' || path.length === 0)
    throw new UnsafePathError(`artifact() needs a relative path, got ${JSON.stringify(path)}`);
  if (isAbsolute(path) || (path.includes('://') && SCHEME.test(path)))
    throw new UnsafePathError(
      `artifact(${JSON.stringify(path)}) takes a path relative to the artifact root; for a fixed location use targetFromUri()`,
    );
  if (path.includes('..') && PARENT_SEGMENT.test(path))
    throw new UnsafePathError(
      `artifact path ${JSON.stringify(path)} contains '..' and could leave the artifact root; check the parameter values used to build it`,
    );
  const { prefix, make } = currentRoot();
  return make(prefix === '' ? path : prefix + path.replace(LEADING_DOTS, ''));
}

const PARENT_SEGMENT = /(^|\/)\.\.(\/|$)/;
const LEADING_DOTS = /^(\.\/)+/;

/** How artifact() turns a path into a target: `make(prefix + path)`. */
interface Root {
  /** '' for the working directory, else the root with a trailing '/'. */
  readonly prefix: string;
  readonly make: (location: string) => Target;
}

const local = (path: string): Target => new LocalTarget(path);
let cached: { readonly generation: number; readonly root: Root } | undefined;

/**
 * The root, resolved once per configureStorage(): artifact() runs for every task a plan looks
 * at, so it must cost little more than constructing the target.
 */
function currentRoot(): Root {
  const generation = settingsGeneration();
  if (cached?.generation === generation) return cached.root;
  const root = artifactRoot();
  const scheme = root === undefined ? undefined : SCHEME.exec(root)?.[1]?.toLowerCase();
  const resolved: Root =
    root === undefined
      ? { prefix: '', make: local }
      : scheme === undefined || scheme === 'file'
        ? { prefix: (scheme ? fileURLToPath(root) : root).replace(/\/?$/, '/'), make: local }
        : { prefix: `${root}/`, make: targetFromUri };
  cached = { generation, root: resolved };
  return resolved;
}

/**
 * The configured root without a trailing slash; undefined for the working directory.
 * `DAG_ARTIFACT_ROOT` is read when nothing was configured.
 */
export function artifactRoot(): string | undefined {
  const root = storageSettings().artifactRoot ?? process.env.DAG_ARTIFACT_ROOT;
  if (root === undefined || root === '') return undefined;
  return root.replace(/\/+$/, '') || '/';
}

/**
 * Checks an artifact root given by a user and makes a local one absolute (relative to `base`),
 * so that it means the same in every process of a run.
 */
export function normalizeArtifactRoot(root: string, base: string, origin: string): string {
  const scheme = SCHEME.exec(root)?.[1]?.toLowerCase();
  if (scheme === undefined) return resolve(base, root);
  if (scheme === 'file') return fileURLToPath(root);
  if (!REMOTE_SCHEMES.includes(scheme))
    throw new UsageError(
      `${origin}: unsupported artifact root ${JSON.stringify(root)}; use a folder, s3://bucket/prefix, webhdfs://host:port/path or hdfs://host/path`,
    );
  const trimmed = root.replace(/\/+$/, '');
  try {
    // Constructing a target under it validates the bucket, host and path.
    targetFromUri(`${trimmed}/x`);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    throw new UsageError(`${origin}: bad artifact root ${JSON.stringify(root)}: ${error.message}`);
  }
  return trimmed;
}
