/**
 * Splits dockerd's multiplexed log stream (a container without a TTY) into its frames: each is an
 * 8-byte header `[stream, 0, 0, 0, size as uint32 big-endian]` and `size` bytes of output.
 * Frames arrive cut at arbitrary places, so partial headers and payloads are carried over.
 */
import { Transform, type TransformCallback } from 'node:stream';

export interface LogFrame {
  readonly stream: 'stdout' | 'stderr';
  readonly data: Buffer;
}

const HEADER = 8;

/** A transform from raw bytes to `LogFrame` objects. */
export class LogDemuxer extends Transform {
  #pending: Buffer = Buffer.alloc(0);

  constructor() {
    super({ readableObjectMode: true });
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    let buffer = this.#pending.length === 0 ? chunk : Buffer.concat([this.#pending, chunk]);
    while (buffer.length >= HEADER) {
      const size = buffer.readUInt32BE(4);
      if (buffer.length < HEADER + size) break;
      // 0 is stdin (never sent for logs); anything but 2 is shown as stdout.
      const stream = buffer[0] === 2 ? 'stderr' : 'stdout';
      if (size > 0) this.push({ stream, data: buffer.subarray(HEADER, HEADER + size) });
      buffer = buffer.subarray(HEADER + size);
    }
    // Copied, so a small remainder does not keep a large chunk alive.
    this.#pending = Buffer.from(buffer);
    callback();
  }

  override _flush(callback: TransformCallback): void {
    // A stream cut inside a frame (dockerd went away): keep what there is of the payload.
    if (this.#pending.length > HEADER) {
      const stream = this.#pending[0] === 2 ? 'stderr' : 'stdout';
      this.push({ stream, data: this.#pending.subarray(HEADER) });
    }
    callback();
  }
}
