/**
 * Atomic, append-only publishing on a local file system. Content goes to a temp file in the same
 * folder; publishing links it under the final name, which fails if that name is taken, so a
 * racing second writer loses cleanly and a crash at any moment leaves only a temp file.
 */
import { randomBytes } from 'node:crypto';
import {
  existsSync,
  linkSync,
  lstatSync,
  mkdirSync,
  renameSync,
  rmSync,
  statSync,
  unlinkSync,
} from 'node:fs';
import { ArtifactExistsError } from '../errors.js';

const TEMP_MARK = '.dagwright-tmp-';
/** `.<name>.dagwright-tmp-<pid>-<random>`: hidden, and never equal to an artifact name. */
export const TEMP_NAME = /^\.(.+)\.dagwright-tmp-(\d+)-([0-9a-f]+)$/;

/** A random part per process, and a counter: unique without a random draw per file. */
const PROCESS_PART = randomBytes(4).toString('hex');
let counter = 0;

export function tempPathFor(path: string): string {
  const unique = PROCESS_PART + (counter++).toString(16);
  // Same folder, same spelling of it: plain slicing is enough (and cheaper than path.join).
  const slash = path.lastIndexOf('/');
  return `${path.slice(0, slash + 1)}.${path.slice(slash + 1)}${TEMP_MARK}${process.pid}-${unique}`;
}

/**
 * `true` when `path` is a name tempPathFor(`artifactPath`) makes: the same folder, spelt the
 * same, and a temp name of the artifact's own name (how a staging location given back is checked).
 */
export function isTempPathFor(path: string, artifactPath: string): boolean {
  const slash = artifactPath.lastIndexOf('/');
  if (path.lastIndexOf('/') !== slash || !path.startsWith(artifactPath.slice(0, slash + 1))) {
    return false;
  }
  return TEMP_NAME.exec(path.slice(slash + 1))?.[1] === artifactPath.slice(slash + 1);
}

export function ensureDir(dir: string): void {
  mkdirSync(dir, { recursive: true });
}

/**
 * Runs `create` (which makes a file in `dir`); creates the folder only when `create` fails
 * because it is missing, so the common case costs no extra system call.
 */
export function inDir<T>(dir: string, create: () => T): T {
  try {
    return create();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    ensureDir(dir);
    return create();
  }
}

export function pathExists(path: string): boolean {
  // existsSync is the fastest check, but also says false on EACCES: ask again when false.
  if (existsSync(path)) return true;
  try {
    return statSync(path, { throwIfNoEntry: false }) !== undefined;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOTDIR') return false;
    throw error;
  }
}

/** What is being published; its uri is only read for an error message (computing it costs). */
export interface Named {
  readonly uri: string;
}

/** Publishes a finished temp file or folder at `final`; the temp is gone afterwards either way. */
export function publish(temp: string, final: string, artifact: Named): void {
  const isDir = lstatSync(temp).isDirectory();
  try {
    if (isDir) publishDir(temp, final, artifact);
    else publishFile(temp, final, artifact);
  } catch (error) {
    rmSync(temp, { recursive: true, force: true });
    throw error;
  }
}

/** Publishes a temp file (known not to be a folder); removes the temp on failure. */
export function publishTempFile(temp: string, final: string, artifact: Named): void {
  try {
    publishFile(temp, final, artifact);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}

function publishFile(temp: string, final: string, artifact: Named): void {
  try {
    linkSync(temp, final);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new ArtifactExistsError(artifact.uri);
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS' && code !== 'EOPNOTSUPP')
      throw error;
    // No hard links here (some FUSE and network file systems): check, then rename. This leaves
    // a small window in which two racing writers can both succeed; documented in the README.
    if (pathExists(final)) throw new ArtifactExistsError(artifact.uri);
    renameSync(temp, final);
    return;
  }
  unlinkSync(temp);
}

function publishDir(temp: string, final: string, artifact: Named): void {
  if (pathExists(final)) throw new ArtifactExistsError(artifact.uri);
  try {
    // rename(2) of a folder fails on an existing non-empty folder or a file.
    renameSync(temp, final);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOTEMPTY' || code === 'EEXIST' || code === 'ENOTDIR' || code === 'EISDIR') {
      throw new ArtifactExistsError(artifact.uri);
    }
    throw error;
  }
}
