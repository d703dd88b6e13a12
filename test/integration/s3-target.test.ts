/** S3Target against a real MinIO: round trips, append-only writes, races, crashes, cleanup. */
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { ListMultipartUploadsCommand, ListPartsCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { ArtifactExistsError, UnsafePathError } from '../../src/errors.js';
import { cleanS3Temp } from '../../src/targets/s3/clean.js';
import { resetS3RequestCounts, s3Client, s3RequestCounts } from '../../src/targets/s3/client.js';
import { S3Target } from '../../src/targets/s3/target.js';
import { s3Service, uniquePrefix } from './services.js';

const s3 = s3Service();
const root = `s3://${s3.bucket}/${uniquePrefix('s3-target')}`;
const MiB = 1024 * 1024;

const target = (name: string): S3Target => new S3Target(`${root}/${name}`);

async function pendingUploads(t: S3Target): Promise<string[]> {
  const client = await s3Client();
  // MinIO matches a Prefix only as a whole key, which is what we ask for here.
  const page = await client.send(
    new ListMultipartUploadsCommand({ Bucket: t.bucket, Prefix: t.key }),
  );
  return (page.Uploads ?? []).filter((u) => u.Key === t.key).map((u) => u.UploadId!);
}

async function uploadedParts(t: S3Target): Promise<number> {
  const [uploadId] = await pendingUploads(t);
  if (uploadId === undefined) return 0;
  const client = await s3Client();
  const parts = await client.send(
    new ListPartsCommand({ Bucket: t.bucket, Key: t.key, UploadId: uploadId }),
  );
  return parts.Parts?.length ?? 0;
}

async function waitFor(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function streamText(t: S3Target): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of t.createReadStream()) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString();
}

describe('S3Target names', () => {
  it('splits the uri into bucket and key', () => {
    const t = new S3Target(`s3://${s3.bucket}/a/b=1/c.json`);
    expect([t.uri, t.bucket, t.key]).toEqual([
      `s3://${s3.bucket}/a/b=1/c.json`,
      s3.bucket,
      'a/b=1/c.json',
    ]);
  });

  it.each([
    ['not an s3 uri', 'file:///tmp/x'],
    ['bucket too short', 's3://ab/key'],
    ['uppercase bucket', 's3://MyBucket/key'],
    ['no key', `s3://${s3.bucket}`],
    ['empty key', `s3://${s3.bucket}/`],
    ['leading slash', `s3://${s3.bucket}//a`],
    ['empty segment', `s3://${s3.bucket}/a//b`],
    ['trailing slash', `s3://${s3.bucket}/a/`],
    ['dot segment', `s3://${s3.bucket}/a/./b`],
    ['dot-dot segment', `s3://${s3.bucket}/a/../b`],
    ['long segment', `s3://${s3.bucket}/a/${'x'.repeat(256)}`],
    ['long key', `s3://${s3.bucket}/${'abcdefgh/'.repeat(114)}x`],
    ['control character', `s3://${s3.bucket}/a\nb`],
  ])('rejects %s with a one-line UnsafePathError', (_name, uri) => {
    let error: unknown;
    try {
      new S3Target(uri);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UnsafePathError);
    expect((error as Error).message).not.toContain('\n');
  });
});

describe('S3Target reads and writes', () => {
  it('round-trips small text, binary and empty artifacts', async () => {
    const text = target('small/data.csv');
    expect(await text.exists()).toBe(false);
    await text.write('a,b\n1,2\n');
    expect(await text.exists()).toBe(true);
    expect(await text.readText()).toBe('a,b\n1,2\n');
    expect(await streamText(text)).toBe('a,b\n1,2\n');

    const binary = target('small/bytes.bin');
    const bytes = new Uint8Array([0, 255, 10, 13, 0, 128]);
    await binary.write(bytes);
    expect((await binary.read()).equals(Buffer.from(bytes))).toBe(true);

    const empty = target('small/_SUCCESS');
    await empty.write('');
    expect(await empty.exists()).toBe(true);
    expect((await empty.read()).length).toBe(0);

    const unicode = target('small/city=Zürich/emoji 😀.txt');
    await unicode.write('ok');
    expect(await unicode.readText()).toBe('ok');
  });

  it('refuses to overwrite: ArtifactExistsError, content unchanged (write, stream, stage)', async () => {
    const t = target('append-only/out.txt');
    await t.write('first');
    await expect(t.write('second')).rejects.toBeInstanceOf(ArtifactExistsError);
    await expect(
      pipeline(Readable.from([Buffer.from('third')]), t.createWriteStream()),
    ).rejects.toBeInstanceOf(ArtifactExistsError);
    const staging = await t.stage();
    writeFileSync(staging.path, 'fourth');
    await expect(staging.commit()).rejects.toBeInstanceOf(ArtifactExistsError);
    expect(existsSync(staging.path)).toBe(false);
    expect(await t.readText()).toBe('first');
  });

  it('refuses a large overwrite before uploading it', async () => {
    const t = target('append-only/large.bin');
    await t.write(Buffer.alloc(9 * MiB, 1));
    resetS3RequestCounts();
    await expect(t.write(Buffer.alloc(20 * MiB, 2))).rejects.toBeInstanceOf(ArtifactExistsError);
    expect(s3RequestCounts().UploadPartCommand ?? 0).toBe(0);
    expect((await t.read()).equals(Buffer.alloc(9 * MiB, 1))).toBe(true);
    expect(await pendingUploads(t)).toEqual([]);
  });

  it('loses a multipart race at completion: ArtifactExistsError, upload aborted', async () => {
    const t = target('append-only/raced.bin');
    async function* chunks(): AsyncGenerator<Buffer> {
      for (let i = 0; i < 20; i++) {
        yield Buffer.alloc(MiB, 5);
        // Past the first part (and the existence check): someone else publishes now.
        if (i === 12) await target('append-only/raced.bin').write('the other writer');
      }
    }
    await expect(pipeline(chunks, t.createWriteStream())).rejects.toBeInstanceOf(
      ArtifactExistsError,
    );
    expect(await t.readText()).toBe('the other writer');
    expect(await pendingUploads(t)).toEqual([]);
  });

  it('publishes a staged file on commit, and removes it on discard', async () => {
    const t = target('staged/model.bin');
    const staging = await t.stage();
    writeFileSync(staging.path, 'model');
    await staging.commit();
    expect(await t.readText()).toBe('model');
    expect(existsSync(staging.path)).toBe(false);

    const other = target('staged/other.bin');
    const discarded = await other.stage();
    writeFileSync(discarded.path, 'never');
    await discarded.discard();
    await discarded.discard();
    expect(existsSync(dirname(discarded.path))).toBe(false);
    expect(await other.exists()).toBe(false);
  });

  it('streams a 64 MiB artifact both ways in bounded memory', async () => {
    const t = target('large/stream.bin');
    const size = 64 * MiB;
    const written = createHash('sha256');
    async function* source(): AsyncGenerator<Buffer> {
      for (let sent = 0; sent < size; sent += MiB) {
        const chunk = randomBytes(MiB);
        written.update(chunk);
        yield chunk;
      }
    }
    let peak = 0;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 10);
    try {
      peak = process.memoryUsage.rss();
      let base = peak;
      let start = performance.now();
      const input = Readable.from(source(), { objectMode: false, highWaterMark: MiB });
      await pipeline(input, t.createWriteStream());
      const write = { ms: performance.now() - start, growth: peak - base };

      peak = base = process.memoryUsage.rss();
      start = performance.now();
      const read = createHash('sha256');
      await pipeline(t.createReadStream(), read);
      const readStats = { ms: performance.now() - start, growth: peak - base };

      expect(read.digest('hex')).toBe(written.digest('hex'));
      console.log(
        `64 MiB stream: write ${(64_000 / write.ms).toFixed(0)} MiB/s, RSS +${(write.growth / MiB).toFixed(0)} MiB; ` +
          `read ${(64_000 / readStats.ms).toFixed(0)} MiB/s, RSS +${(readStats.growth / MiB).toFixed(0)} MiB`,
      );
      // Reading relays the body chunk by chunk.
      expect(readStats.growth).toBeLessThan(size / 2);
      // Writing holds lib-storage's working set (parts in flight, about (4 + 2) x 8 MiB, plus
      // garbage not yet collected) whatever the size; buffering the artifact would cost two
      // copies of it.
      expect(write.growth).toBeLessThan(2 * size);
    } finally {
      clearInterval(sampler);
    }
  });

  it('exactly one of 8 racing writers wins, 30 times over', async () => {
    for (let trial = 0; trial < 30; trial++) {
      const key = `race/${trial}.txt`;
      const results = await Promise.allSettled(
        Array.from({ length: 8 }, (_, i) => target(key).write(`writer ${i}`)),
      );
      const winners = results.flatMap((r, i) => (r.status === 'fulfilled' ? [i] : []));
      expect(winners).toHaveLength(1);
      for (const r of results) {
        if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(ArtifactExistsError);
      }
      expect(await target(key).readText()).toBe(`writer ${winners[0]}`);
    }
  });
});

describe('S3Target crashes', () => {
  it('a destroyed write stream leaves no object and no pending upload', async () => {
    const t = target('crash/destroyed.bin');
    const stream = t.createWriteStream();
    const closed = new Promise((resolve) => stream.once('close', resolve));
    const chunk = Buffer.alloc(MiB, 3);
    for (let i = 0; i < 20; i++) {
      if (!stream.write(chunk)) await new Promise((resolve) => stream.once('drain', resolve));
    }
    await waitFor(async () => (await pendingUploads(t)).length > 0, 'the multipart upload');
    stream.destroy();
    await closed;
    expect(await t.exists()).toBe(false);
    expect(await pendingUploads(t)).toEqual([]);
  });

  it('a writer killed mid-upload leaves nothing under the name; cleanS3Temp aborts its upload', async () => {
    const t = target('crash/killed.bin');
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx/esm',
        fileURLToPath(new URL('./s3-kill-writer.child.ts', import.meta.url)),
        t.uri,
      ],
      { env: { ...process.env, ...s3.env }, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const exited = new Promise((resolve) => child.once('exit', resolve));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (data: Buffer) => data.toString().includes('sent') && resolve());
      child.once('exit', (code) => reject(new Error(`child exited early with ${code}`)));
    });
    // A part on the server means the upload's creation was answered: killed earlier, MinIO
    // keeps the upload but leaves it out of its bucket-wide listing (see clean.ts).
    await waitFor(async () => (await uploadedParts(t)) > 0, 'an uploaded part');
    child.kill('SIGKILL');
    await exited;

    expect(await t.exists()).toBe(false);
    const [uploadId] = await pendingUploads(t);
    const dry = await cleanS3Temp(root, { olderThanMs: 0, dryRun: true });
    expect(dry).toContainEqual(
      expect.stringContaining(`${t.uri} (multipart upload ${uploadId} started `),
    );
    expect(await pendingUploads(t)).toEqual([uploadId]);
    expect(await cleanS3Temp(root, { olderThanMs: 3_600_000, dryRun: false })).toEqual([]);

    const cleaned = await cleanS3Temp(root, { olderThanMs: 0, dryRun: false });
    expect(cleaned).toContainEqual(
      expect.stringContaining(`${t.uri} (multipart upload ${uploadId}`),
    );
    expect(await pendingUploads(t)).toEqual([]);
    expect(await t.exists()).toBe(false);
  });
});
