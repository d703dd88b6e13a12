/**
 * OPEN as a Node Readable. The request starts on the first read, so a stream made and never
 * read costs nothing. The limit is on inactivity (no bytes for `idleTimeoutMs`), not on the
 * total time: a large artifact may take long to read.
 */
import { Readable } from 'node:stream';
import { WebHdfsError } from './errors.js';

/** Starts the request; the response body is read through its web stream. */
export type StartOpen = (signal: AbortSignal) => Promise<Response>;

export class OpenStream extends Readable {
  readonly #start: StartOpen;
  readonly #describe: string;
  readonly #idleTimeoutMs: number;
  readonly #controller = new AbortController();
  #reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  #timer: NodeJS.Timeout | undefined;

  /** `describe` names the read in messages: `GET OPEN /a/b (http://nn:9870)`. */
  constructor(start: StartOpen, describe: string, idleTimeoutMs: number) {
    super();
    this.#start = start;
    this.#describe = describe;
    this.#idleTimeoutMs = idleTimeoutMs;
  }

  override _read(): void {
    this.#pull().then(
      (chunk) => this.push(chunk),
      (error: unknown) => this.destroy(error as Error),
    );
  }

  async #pull(): Promise<Buffer | null> {
    this.#arm();
    try {
      if (!this.#reader) {
        const response = await this.#start(this.#controller.signal);
        if (!response.body) return null;
        this.#reader = response.body.getReader();
      }
      const { done, value } = await this.#reader.read();
      if (done) return null;
      return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    } finally {
      clearTimeout(this.#timer);
    }
  }

  #arm(): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#controller.abort(
        new WebHdfsError(
          `HDFS ${this.#describe}: no data for ${this.#idleTimeoutMs} ms (hdfs.requestTimeoutMs)`,
          'Timeout',
          0,
        ),
      );
    }, this.#idleTimeoutMs);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    clearTimeout(this.#timer);
    // Stops the transfer: a reader that gives up early does not download the rest.
    if (!this.#controller.signal.aborted) this.#controller.abort();
    this.#reader?.cancel().catch(() => undefined);
    callback(error);
  }
}
