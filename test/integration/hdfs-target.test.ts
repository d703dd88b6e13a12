/** HdfsTarget against the real HDFS (services.setup.ts): atomic, append-only artifacts. */
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { pathToFileURL } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, describe, expect, it } from 'vitest';
import { ArtifactExistsError, UnsafePathError } from '../../src/errors.js';
import { TEMP_NAME } from '../../src/targets/atomic-file.js';
import { cleanHdfsTemp } from '../../src/targets/hdfs/clean.js';
import { HdfsTarget } from '../../src/targets/hdfs/target.js';
import { WebHdfsError, webHdfsClient } from '../../src/targets/hdfs/webhdfs.js';
import { configureStorage } from '../../src/targets/settings.js';
import { thrown } from '../helpers/thrown.js';
import { hdfsService, uniquePrefix } from './services.js';

const hdfs = hdfsService();
const client = webHdfsClient(hdfs.url);
const MiB = 1024 * 1024;

function folder(name: string): string {
  return `${hdfs.root}/${uniquePrefix(name)}`;
}

async function names(dir: string): Promise<string[]> {
  const path = new HdfsTarget(dir).path;
  const page = await client.listStatusBatch(path).catch(() => ({ entries: [] }));
  return page.entries.map((entry) => entry.pathSuffix);
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: Error) => error,
  );
}

/**
 * `count` different 1 MiB chunks of random bytes, and the sha256 of all of them once read. The
 * chunks are views at different offsets into one buffer: the source itself makes no garbage.
 */
function randomSource(count: number): { stream: Readable; digest: () => string } {
  const base = randomBytes(2 * MiB);
  const hash = createHash('sha256');
  let sent = 0;
  const stream = new Readable({
    read() {
      if (sent === count) return void this.push(null);
      const offset = (sent++ * 104_729) % MiB;
      const chunk = base.subarray(offset, offset + MiB);
      hash.update(chunk);
      this.push(chunk);
    },
  });
  return { stream, digest: () => hash.digest('hex') };
}

/**
 * V8's collector, without starting the worker with --expose-gc. Freed buffers are otherwise
 * swept on a background thread, some time after the collection.
 */
function gc(): () => void {
  setFlagsFromString('--expose-gc');
  setFlagsFromString('--no-concurrent-array-buffer-sweeping');
  return runInNewContext('gc') as () => void;
}

describe('HdfsTarget', () => {
  it('round-trips small artifacts, with any characters HDFS allows in names', async () => {
    const dir = folder('small');
    const text = new HdfsTarget(`${dir}/a b%#?=+ é/text.txt`);
    const bytes = new HdfsTarget(`${dir}/bytes.bin/`);
    const empty = new HdfsTarget(`${dir}/empty`);
    expect(bytes.uri).toBe(`${dir}/bytes.bin`);
    expect(await text.exists()).toBe(false);
    await text.write('héllo');
    await bytes.write(new Uint8Array([0, 1, 2, 255]));
    await empty.write('');
    expect(await text.exists()).toBe(true);
    expect(await text.readText()).toBe('héllo');
    expect([...(await bytes.read())]).toEqual([0, 1, 2, 255]);
    expect((await empty.read()).length).toBe(0);
    const chunks = await text.createReadStream().toArray();
    expect(Buffer.concat(chunks).toString()).toBe('héllo');
    expect(await names(dir)).toEqual(['a b%#?=+ é', 'bytes.bin', 'empty']);
  });

  it('streams 64 MiB up and down with bounded memory', async () => {
    const dir = folder('big');
    // Warm up first (modules, sockets, V8's young generation): growth then tracks the size.
    const warmUp = new HdfsTarget(`${dir}/warm-up.bin`);
    await pipeline(randomSource(8).stream, warmUp.createWriteStream());
    await pipeline(warmUp.createReadStream(), createHash('sha256'));
    const target = new HdfsTarget(`${dir}/data.bin`);
    const source = randomSource(64);
    // Received and sent chunks are freed when V8 gets round to a collection, which during a
    // 64 MiB transfer it may not: collecting before each sample measures what is retained.
    const collect = gc();
    collect();
    const before = process.memoryUsage();
    const peak = { rss: 0, arrayBuffers: 0 };
    const sampler = setInterval(() => {
      collect();
      const now = process.memoryUsage();
      peak.rss = Math.max(peak.rss, now.rss - before.rss);
      peak.arrayBuffers = Math.max(peak.arrayBuffers, now.arrayBuffers - before.arrayBuffers);
    }, 50);
    try {
      await pipeline(source.stream, target.createWriteStream());
      const hash = createHash('sha256');
      await pipeline(target.createReadStream(), hash);
      expect(hash.digest('hex')).toBe(source.digest());
    } finally {
      clearInterval(sampler);
    }
    // Holding the artifact would take 64 MiB (and more to hash it). RSS also counts what the
    // allocator keeps after freeing, so its bound is looser than that of live buffers.
    expect(peak.rss).toBeLessThan(32 * MiB);
    expect(peak.arrayBuffers).toBeLessThan(8 * MiB);
    expect((await client.getFileStatus(target.path))?.length).toBe(64 * MiB);
  });

  it('has exactly one winner among 8 racing writers, 20 times over', async () => {
    const dir = folder('race');
    for (let trial = 0; trial < 20; trial++) {
      const target = new HdfsTarget(`${dir}/t${trial}`);
      const outcomes = await Promise.allSettled(
        Array.from({ length: 8 }, (_, writer) => target.write(`writer ${writer}`)),
      );
      const winners = outcomes.flatMap((o, writer) => (o.status === 'fulfilled' ? [writer] : []));
      expect(winners).toHaveLength(1);
      for (const outcome of outcomes) {
        if (outcome.status === 'rejected')
          expect(outcome.reason).toBeInstanceOf(ArtifactExistsError);
      }
      expect(await target.readText()).toBe(`writer ${winners[0]}`);
    }
    expect((await names(dir)).filter((name) => TEMP_NAME.test(name))).toEqual([]);
  });

  it('refuses to write onto an existing artifact and leaves it unchanged', async () => {
    const target = new HdfsTarget(`${folder('exists')}/out.txt`);
    await target.write('first');
    const error = await rejection(target.write('second'));
    expect(error).toBeInstanceOf(ArtifactExistsError);
    expect(error.message).toContain(target.uri);
    const uploads = client.requestCounts.UPLOAD ?? 0;
    expect(await rejection(target.write(Buffer.alloc(2 * MiB)))).toBeInstanceOf(
      ArtifactExistsError,
    );
    const stream = target.createWriteStream();
    stream.end('third');
    expect(await rejection(once(stream, 'finish'))).toBeInstanceOf(ArtifactExistsError);
    expect(client.requestCounts.UPLOAD ?? 0).toBe(uploads); // large ones fail before uploading
    expect(await target.readText()).toBe('first');
  });

  it('publishes nothing when a write stream is destroyed midway', async () => {
    const dir = folder('destroyed');
    const target = new HdfsTarget(`${dir}/out.bin`);
    const stream = target.createWriteStream();
    for (let i = 0; i < 4; i++) {
      if (!stream.write(randomBytes(MiB))) await once(stream, 'drain');
    }
    stream.destroy();
    await once(stream, 'close');
    expect(await target.exists()).toBe(false);
    expect(await names(dir)).toEqual([]); // the temp file is deleted too
  });

  it('leaves nothing at the final name when the writer is SIGKILLed; clean-up removes its temp', async () => {
    const dir = folder('killed');
    const target = new HdfsTarget(`${dir}/out.bin`);
    const scripts = await mkdtemp(join(tmpdir(), 'dagwright-hdfs-test-'));
    const script = join(scripts, 'writer.mts');
    const targetModule = pathToFileURL(resolve('src/targets/hdfs/target.ts')).href;
    await writeFile(
      script,
      `import { once } from 'node:events';
import { HdfsTarget } from ${JSON.stringify(targetModule)};
const stream = new HdfsTarget(process.argv[2]).createWriteStream();
for (let i = 0; ; i++) {
  if (!stream.write(Buffer.alloc(1 << 20, i))) await once(stream, 'drain');
  if (i === 4) console.log('uploading');
  await new Promise((resolve) => setTimeout(resolve, 20));
}
`,
    );
    const child = spawn(process.execPath, ['--import', 'tsx/esm', script, target.uri], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      const [line] = (await once(child.stdout!, 'data')) as [Buffer];
      expect(line.toString()).toContain('uploading');
      const temps = await names(dir);
      expect(temps.filter((name) => TEMP_NAME.test(name))).toHaveLength(1);
      child.kill('SIGKILL');
      await once(child, 'exit');
      expect(await target.exists()).toBe(false);
      const dry = await cleanHdfsTemp(dir, { olderThanMs: 0, dryRun: true });
      expect(dry).toEqual([`${dir}/${temps[0]}`]);
      expect(await cleanHdfsTemp(dir, { olderThanMs: 3_600_000, dryRun: false })).toEqual([]);
      expect(await cleanHdfsTemp(dir, { olderThanMs: 0, dryRun: false })).toEqual(dry);
      expect(await names(dir)).toEqual([]);
    } finally {
      child.kill('SIGKILL');
      await rm(scripts, { recursive: true, force: true });
    }
  });

  it('rejects unsafe URIs with one-line errors that say how to fix them', () => {
    const bad = [
      'webhdfs://127.0.0.1:9870',
      'webhdfs://127.0.0.1:9870/',
      'webhdfs://127.0.0.1:9870/a//b',
      'webhdfs://127.0.0.1:9870/a/../b',
      'webhdfs://127.0.0.1:9870/a/./b',
      'webhdfs://127.0.0.1:9870/runs/2024-01-01T00:00:00',
      'webhdfs://127.0.0.1:9870/a\0b',
      'webhdfs://127.0.0.1:9870/a\nb',
      'webhdfs:///a/b',
      'webhdfs:a/b',
      's3://bucket/key',
    ];
    for (const uri of bad) {
      const error = thrown(() => new HdfsTarget(uri));
      expect(error, uri).toBeInstanceOf(UnsafePathError);
      expect(error.message, uri).not.toContain('\n');
    }
    expect(thrown(() => new HdfsTarget(bad[5]!)).message).toMatch(/':'.*replace it/);
  });

  it('maps hdfs:// authorities to WebHDFS addresses from the settings', () => {
    expect(new HdfsTarget('hdfs://nn1/a').baseUrl).toBe('http://nn1:9870');
    expect(new HdfsTarget('swebhdfs://nn1:9871/a').baseUrl).toBe('https://nn1:9871');
    configureStorage({ hdfs: { namenodes: { 'nn1:8020': 'http://gateway:50070/' } } });
    try {
      const target = new HdfsTarget('hdfs://nn1:8020/a/b/');
      expect(target.baseUrl).toBe('http://gateway:50070');
      expect(target.uri).toBe('hdfs://nn1:8020/a/b');
      expect(target.path).toBe('/a/b');
    } finally {
      configureStorage({});
    }
  });

  it('fails at once, in one line, when no NameNode is there', async () => {
    const target = new HdfsTarget('webhdfs://127.0.0.1:59999/a/b');
    const error = await rejection(target.exists());
    expect(error).toBeInstanceOf(WebHdfsError);
    expect(error.message).toBe(
      'cannot reach the HDFS NameNode at http://127.0.0.1:59999 (connection refused): is it running? check the artifact root / hdfs settings',
    );
    // Never reached: no retries.
    expect(target.client.requestCounts.GETFILESTATUS).toBe(1);
  });

  it('stages a file or a folder locally and publishes it on commit', async () => {
    const dir = folder('stage');
    const file = new HdfsTarget(`${dir}/model.bin`);
    const staging = await file.stage();
    await writeFile(staging.path, 'weights');
    await staging.commit();
    expect(await file.readText()).toBe('weights');
    const again = await file.stage();
    await writeFile(again.path, 'other');
    expect(await rejection(again.commit())).toBeInstanceOf(ArtifactExistsError);

    const tree = new HdfsTarget(`${dir}/tree`);
    const staged = await tree.stage();
    await mkdir(join(staged.path, 'sub'), { recursive: true });
    await writeFile(join(staged.path, 'sub', 'part-0'), 'p0');
    await writeFile(join(staged.path, 'top'), 'top');
    await staged.commit();
    expect(await new HdfsTarget(`${tree.uri}/sub/part-0`).readText()).toBe('p0');
    expect(await new HdfsTarget(`${tree.uri}/top`).readText()).toBe('top');

    const dropped = await new HdfsTarget(`${dir}/dropped`).stage();
    await writeFile(dropped.path, 'x');
    await dropped.discard();
    expect((await names(dir)).sort()).toEqual(['model.bin', 'tree']);
  });

  it('reports a missing artifact through the read stream', async () => {
    const stream = new HdfsTarget(`${folder('missing')}/nothing`).createReadStream();
    const sink = new Writable({ write: (_chunk, _encoding, done) => done() });
    const error = await rejection(pipeline(stream, sink));
    expect(error).toBeInstanceOf(WebHdfsError);
    expect((error as WebHdfsError).exception).toBe('FileNotFoundException');
    expect(error.message).not.toContain('\n');
  });
});

afterAll(() => configureStorage({}));
