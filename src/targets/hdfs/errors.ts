/**
 * Errors of the WebHDFS client. Messages are built from the method, the operation, the HDFS path
 * and the NameNode's origin only: request URLs can carry a delegation token and never appear.
 */
import { DagwrightError, ExitCode } from '../../errors.js';

export class WebHdfsError extends DagwrightError {
  /**
   * The server's `RemoteException.exception` (`FileNotFoundException`, ...), or for a request
   * that got no WebHDFS answer: `ECONNREFUSED`, `Timeout`, `HttpError`, ...
   */
  readonly exception: string;
  /** HTTP status; 0 when no answer came. */
  readonly status: number;

  constructor(message: string, exception: string, status: number, options?: ErrorOptions) {
    super(message, ExitCode.taskFailed, options);
    this.exception = exception;
    this.status = status;
  }
}

/** What a request was, for messages: `PUT RENAME /a/b`. */
export interface RequestName {
  readonly method: string;
  readonly op: string;
  readonly path: string;
  /** `http://host:port`: where it went (no credentials, no query). */
  readonly origin: string;
}

/** One line: the DataNode appends Java stack traces after the first one. */
export function firstLine(text: string): string {
  return text.split('\n', 1)[0]!.trim();
}

/** Maps a non-2xx answer to a typed error (RemoteException JSON, else the HTTP status). */
export function remoteError(name: RequestName, status: number, body: string): WebHdfsError {
  const remote = parseRemoteException(body);
  const where = `HDFS ${name.method} ${name.op} ${name.path} (${name.origin})`;
  if (remote) {
    return new WebHdfsError(
      `${where}: ${remote.exception}: ${firstLine(remote.message)}`,
      remote.exception,
      status,
    );
  }
  return new WebHdfsError(
    `${where}: HTTP ${status} without a WebHDFS error body (is this a NameNode's HTTP port?)`,
    'HttpError',
    status,
  );
}

interface RemoteException {
  readonly exception: string;
  readonly message: string;
}

function parseRemoteException(body: string): RemoteException | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  const remote = (parsed as { RemoteException?: Partial<RemoteException> } | null)?.RemoteException;
  if (typeof remote?.exception !== 'string') return undefined;
  return { exception: remote.exception, message: String(remote.message ?? '') };
}

/** The `code` of a failed `fetch` or `node:http` request (`ECONNREFUSED`, `UND_ERR_SOCKET`). */
export function networkCode(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; e && depth < 4; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    if ((e as { name?: unknown }).name === 'TimeoutError') return 'Timeout';
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/** A request that got no answer: one line, saying what to check. */
export function networkError(name: RequestName, error: unknown, timeoutMs: number): WebHdfsError {
  const code = networkCode(error) ?? 'NetworkError';
  if (code === 'ECONNREFUSED') {
    return new WebHdfsError(
      `cannot reach the HDFS NameNode at ${name.origin} (connection refused): is it running? ` +
        `check the artifact root / hdfs settings`,
      code,
      0,
      { cause: error },
    );
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return new WebHdfsError(
      `cannot reach the HDFS NameNode at ${name.origin} (host not found): ` +
        `check the artifact root / hdfs settings`,
      code,
      0,
      { cause: error },
    );
  }
  if (code === 'Timeout') {
    return new WebHdfsError(
      `HDFS ${name.method} ${name.op} ${name.path} (${name.origin}): no answer within ` +
        `${timeoutMs} ms (hdfs.requestTimeoutMs)`,
      code,
      0,
      { cause: error },
    );
  }
  const detail = firstLine(messageWithoutUrl(innermostMessage(error) ?? code));
  return new WebHdfsError(
    `HDFS ${name.method} ${name.op} ${name.path} (${name.origin}): connection failed (${code}: ${detail})`,
    code,
    0,
    { cause: error },
  );
}

/** `fetch failed` says nothing; its cause (`other side closed`) does. */
function innermostMessage(error: unknown): string | undefined {
  let message: string | undefined;
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 4; depth++) {
    if (e.message) message = e.message;
    e = e.cause;
  }
  return message;
}

/** Some Node errors quote the URL they failed on; a query string may hold a token. */
function messageWithoutUrl(message: string): string {
  return message.replace(/https?:\/\/\S+/g, '<url>');
}

/** Not there: FileNotFound, or a path below a file (AccessControlException "is not a directory"). */
export function isMissing(error: unknown): boolean {
  if (!(error instanceof WebHdfsError)) return false;
  if (error.exception === 'FileNotFoundException') return true;
  return error.exception === 'AccessControlException' && /is not a directory/.test(error.message);
}

/**
 * A RENAME NONE lost: the destination exists. A file onto a folder (or back) is refused with an
 * IOException "must both be directories" instead of FileAlreadyExists.
 */
export function isAlreadyExists(error: unknown): boolean {
  if (!(error instanceof WebHdfsError)) return false;
  if (error.exception === 'FileAlreadyExistsException') return true;
  return error.exception === 'IOException' && /must both be directories/.test(error.message);
}

export function isRetriable(error: WebHdfsError): boolean {
  switch (error.exception) {
    case 'SafeModeException':
    case 'RetriableException':
      return true;
    case 'IOException':
      return /Failed to find datanode/.test(error.message);
    default:
      return false;
  }
}
