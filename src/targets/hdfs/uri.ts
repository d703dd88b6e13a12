/**
 * HDFS artifact URIs: `webhdfs://host:port/abs/path`, `swebhdfs://host:port/abs/path` (HTTPS)
 * and `hdfs://host[:rpcport]/abs/path`, whose WebHDFS address comes from the `hdfs.namenodes`
 * setting (keyed by the authority exactly as written), else the host on port 9870. The path is
 * taken literally (no percent-decoding) and checked against what HDFS rejects.
 */
import { UnsafePathError } from '../../errors.js';
import { storageSettings } from '../settings.js';

export interface HdfsLocation {
  /** The URI as given, without a trailing slash. */
  readonly uri: string;
  /** `webhdfs://host:port`, `hdfs://host`, ...: the URI without its path. */
  readonly prefix: string;
  /** The NameNode's WebHDFS base URL, `http://host:9870`. */
  readonly baseUrl: string;
  /** Absolute HDFS path, `/a/b`, or `/` for the root. */
  readonly path: string;
}

const URI = /^(webhdfs|swebhdfs|hdfs):\/\/([^/]*)(.*)$/i;
const AUTHORITY = /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::(\d{1,5}))?$/i;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

/** Parses and checks an HDFS URI; `allowRoot` accepts `/` (a folder such as a lock store). */
export function parseHdfsUri(input: string, allowRoot = false): HdfsLocation {
  if (typeof input !== 'string') throw unsafe(String(input), 'is not a string');
  const match = URI.exec(input);
  if (!match) {
    throw unsafe(input, 'is not an HDFS URI; write webhdfs://host:port/abs/path');
  }
  const scheme = match[1]!.toLowerCase();
  const authority = match[2]!;
  const rawPath = match[3]!;
  const host = AUTHORITY.exec(authority);
  if (!host) {
    throw unsafe(input, `has no valid host:port; write ${scheme}://host:port/abs/path`);
  }
  if (CONTROL.test(rawPath)) throw unsafe(input, 'contains a control character or NUL');
  if (!rawPath.startsWith('/')) {
    throw unsafe(
      input,
      `needs an absolute path after the host; write ${scheme}://${authority}/abs/path`,
    );
  }
  const path = rawPath.length > 1 ? rawPath.replace(/\/+$/, '') : rawPath;
  if (path === '/' || path === '') {
    if (!allowRoot) throw unsafe(input, 'names the root folder, not a file; add a path');
  } else {
    for (const segment of path.slice(1).split('/')) checkSegment(input, segment);
  }
  const prefix = `${match[1]}://${authority}`;
  return {
    uri: path === '/' ? prefix + '/' : prefix + path,
    prefix,
    baseUrl: baseUrlOf(scheme, authority, host[1]!, host[2]),
    path: path || '/',
  };
}

function checkSegment(input: string, segment: string): void {
  if (segment === '') throw unsafe(input, "has an empty segment ('//'); remove it");
  if (segment === '.' || segment === '..') {
    throw unsafe(
      input,
      `has a '${segment}' segment and could leave its folder; check the parameter values used to build it`,
    );
  }
  if (segment.includes(':')) {
    throw unsafe(
      input,
      `has ':' in the segment ${JSON.stringify(segment)}, which HDFS rejects; ` +
        `replace it (e.g. write timestamps as 2024-01-01T00-00-00)`,
    );
  }
}

function baseUrlOf(
  scheme: string,
  authority: string,
  host: string,
  port: string | undefined,
): string {
  if (scheme === 'webhdfs') return `http://${host}:${port ?? '9870'}`;
  if (scheme === 'swebhdfs') return `https://${host}:${port ?? '9871'}`;
  const configured = storageSettings().hdfs?.namenodes?.[authority];
  return configured ? configured.replace(/\/+$/, '') : `http://${host}:9870`;
}

function unsafe(input: string, problem: string): UnsafePathError {
  return new UnsafePathError(`HDFS location ${JSON.stringify(input)} ${problem}`);
}

/** The last segment of an absolute path. */
export function nameOf(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}
