/**
 * CREATE step 2: the PUT of the content to the DataNode. It must use `node:http`: the DataNode
 * always sends an unsolicited `100 Continue`, on which undici (`fetch`) destroys the socket.
 * Streamed bodies are piped with backpressure, so memory stays bounded.
 */
import { Readable, pipeline } from 'node:stream';
import { WebHdfsError, networkError, remoteError, type RequestName } from './errors.js';

export type Body = string | Uint8Array | Readable;

/**
 * PUTs `body` to `location` (the DataNode URL that step 1 returned; it may hold a delegation
 * token, so it never goes into a message). `idleTimeoutMs` is an inactivity limit, not a total.
 */
export async function uploadToDataNode(
  location: string,
  path: string,
  body: Body,
  idleTimeoutMs: number,
): Promise<void> {
  const url = new URL(location);
  // Loaded on first use: this module loads with every CLI start, uploads are rarer.
  const { request: send } =
    url.protocol === 'https:' ? await import('node:https') : await import('node:http');
  const name: RequestName = { method: 'PUT', op: 'CREATE', path, origin: url.origin };
  return new Promise<void>((resolve, reject) => {
    let settled = false;
    let answered = false;
    const settle = (error?: Error): void => {
      if (settled) return;
      settled = true;
      if (error) {
        request.destroy();
        reject(error);
      } else resolve();
    };
    const request = send(url, {
      method: 'PUT',
      headers: { 'content-type': 'application/octet-stream' },
      timeout: idleTimeoutMs,
    });
    request.on('response', (response) => {
      answered = true;
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', (error) => settle(networkError(name, error, idleTimeoutMs)));
      response.on('end', () => {
        if (response.statusCode === 201) settle();
        else settle(remoteError(name, response.statusCode ?? 0, Buffer.concat(chunks).toString()));
      });
    });
    request.on('timeout', () =>
      settle(
        new WebHdfsError(
          `HDFS PUT CREATE ${path} (${url.origin}): the DataNode was silent for ${idleTimeoutMs} ms (hdfs.requestTimeoutMs)`,
          'Timeout',
          0,
        ),
      ),
    );
    // A DataNode that refuses the content answers first and closes: its answer (403 ...) says
    // more than the EPIPE the write then gets.
    request.on('error', (error) => {
      if (!answered) settle(networkError(name, error, idleTimeoutMs));
    });
    if (!(body instanceof Readable)) {
      request.end(body);
      return;
    }
    pipeline(body, request, (error) => {
      if (!error || answered) return;
      if (body.destroyed) settle(body.errored ?? abortedError(name));
      else settle(networkError(name, error, idleTimeoutMs));
    });
  });
}

function abortedError(name: RequestName): WebHdfsError {
  return new WebHdfsError(`HDFS PUT CREATE ${name.path}: the upload was aborted`, 'Aborted', 0);
}
