/** dockerd's multiplexed log stream, cut at every possible place, comes out as the same frames. */
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { LogDemuxer, type LogFrame } from '../../src/executors/docker/demux.js';

function frame(stream: 1 | 2, text: string): Buffer {
  const payload = Buffer.from(text);
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

async function demux(chunks: Buffer[]): Promise<string[]> {
  const frames: LogFrame[] = await Readable.from(chunks).pipe(new LogDemuxer()).toArray();
  return frames.map((f) => `${f.stream}:${f.data.toString()}`);
}

describe('LogDemuxer', () => {
  const bytes = Buffer.concat([frame(1, 'out one\n'), frame(2, 'err\n'), frame(1, 'ü two\n')]);
  const expected = ['stdout:out one\n', 'stderr:err\n', 'stdout:ü two\n'];

  it('splits whole frames', async () => {
    expect(await demux([bytes])).toEqual(expected);
  });

  it('joins frames cut anywhere, headers included', async () => {
    for (let cut = 1; cut < bytes.length; cut++) {
      const frames = await demux([bytes.subarray(0, cut), bytes.subarray(cut)]);
      expect(frames.join('')).toBe(expected.join(''));
    }
    const byteByByte = await demux([...bytes].map((b) => Buffer.from([b])));
    expect(byteByByte.join('')).toBe(expected.join(''));
  });

  it('keeps the start of a payload cut off by the end of the stream', async () => {
    expect(await demux([frame(1, 'whole\n'), frame(2, 'half of it').subarray(0, 12)])).toEqual([
      'stdout:whole\n',
      'stderr:half',
    ]);
  });
});
