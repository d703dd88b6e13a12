/** LocalTarget and localStore on a real file system, in a fresh temp folder per test. */
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, type Writable } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ArtifactExistsError, LocalTarget, UnsafePathError } from '../../src/index.js';
import { localStore } from '../../src/targets/local.js';

const TEMP_FILE = /^\..+\.dagwright-tmp-\d+-[0-9a-f]+$/;

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'dagwright-local-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const at = (...parts: string[]): string => join(dir, ...parts);

/** Waits until a stream has closed, whatever the reason. */
const closed = (stream: Writable): Promise<void> =>
  new Promise((resolve) => {
    if (stream.closed) resolve();
    else stream.once('close', () => resolve());
  });

describe('LocalTarget basics', () => {
  it('has a file:// uri of the absolute path', () => {
    const target = new LocalTarget(at('a', 'b.txt'));
    expect(target.uri).toBe(pathToFileURL(at('a', 'b.txt')).href);
    expect(target.uri.startsWith('file:///')).toBe(true);
  });

  it('write then read, readText and createReadStream', async () => {
    const target = new LocalTarget(at('out', 'deep', 'data.csv'));
    expect(await target.exists()).toBe(false);
    await target.write('a,b\n1,2\n');
    expect(await target.exists()).toBe(true);
    expect(await target.readText()).toBe('a,b\n1,2\n');
    expect((await target.read()).equals(Buffer.from('a,b\n1,2\n'))).toBe(true);
    const chunks: Buffer[] = [];
    for await (const chunk of target.createReadStream()) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe('a,b\n1,2\n');
  });

  it('writes binary data exactly', async () => {
    const bytes = new Uint8Array([0, 255, 10, 13, 0, 128]);
    const target = new LocalTarget(at('bin'));
    await target.write(bytes);
    expect([...(await target.read())]).toEqual([...bytes]);
  });

  it('writes a large artifact completely', async () => {
    const big = Buffer.alloc(3 * 1024 * 1024 + 7, 'x');
    const target = new LocalTarget(at('big.bin'));
    await target.write(big);
    expect(statSync(target.path).size).toBe(big.length);
    expect(readdirSync(dir)).toEqual(['big.bin']);
  });

  it('leaves no temp file after a write', async () => {
    await new LocalTarget(at('x.txt')).write('x');
    expect(readdirSync(dir)).toEqual(['x.txt']);
  });

  it('writes again after its folder was removed by someone else', async () => {
    await new LocalTarget(at('sub', 'a.txt')).write('a');
    rmSync(at('sub'), { recursive: true });
    await new LocalTarget(at('sub', 'b.txt')).write('b');
    expect(readFileSync(at('sub', 'b.txt'), 'utf8')).toBe('b');
    rmSync(at('sub'), { recursive: true });
    const stream = new LocalTarget(at('sub', 'c.txt')).createWriteStream();
    await pipeline(Readable.from(['c']), stream);
    expect(readFileSync(at('sub', 'c.txt'), 'utf8')).toBe('c');
  });
});

describe('append-only writes', () => {
  it('writing onto an existing artifact throws ArtifactExistsError and changes nothing', async () => {
    const target = new LocalTarget(at('model.json'));
    await target.write('first');
    const error = await target.write('second').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ArtifactExistsError);
    expect((error as ArtifactExistsError).uri).toBe(target.uri);
    expect(readFileSync(target.path, 'utf8')).toBe('first');
    expect(readdirSync(dir)).toEqual(['model.json']);
  });

  it('a large write onto an existing artifact changes nothing either', async () => {
    const target = new LocalTarget(at('model.bin'));
    await target.write('first');
    await expect(new LocalTarget(target.path).write(Buffer.alloc(1 << 20, 1))).rejects.toThrow(
      ArtifactExistsError,
    );
    expect(readFileSync(target.path, 'utf8')).toBe('first');
    expect(readdirSync(dir)).toEqual(['model.bin']);
  });

  it('an artifact made outside dagwright counts as existing', async () => {
    writeFileSync(at('external.csv'), 'made elsewhere');
    await expect(new LocalTarget(at('external.csv')).write('mine')).rejects.toThrow(
      ArtifactExistsError,
    );
    expect(readFileSync(at('external.csv'), 'utf8')).toBe('made elsewhere');
  });

  it.each([
    ['small', 16],
    ['large', 2 * 1024 * 1024],
  ])('two racing %s writers: exactly one wins, with its content complete', async (_size, n) => {
    const path = at('race', 'out.bin');
    const contents = [Buffer.alloc(n, 'a'), Buffer.alloc(n, 'b')];
    const results = await Promise.allSettled(
      contents.map((data) => new LocalTarget(path).write(data)),
    );
    const winners = results.flatMap((r, i) => (r.status === 'fulfilled' ? [i] : []));
    expect(winners).toHaveLength(1);
    const loser = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(loser.reason).toBeInstanceOf(ArtifactExistsError);
    expect(readFileSync(path).equals(contents[winners[0]!]!)).toBe(true);
    expect(readdirSync(at('race'))).toEqual(['out.bin']);
  });

  it('racing write streams: exactly one wins, with its content complete', async () => {
    const path = at('streams', 'out.txt');
    const parts = ['a', 'b', 'c'].map((c) => Array.from({ length: 50 }, () => c.repeat(1000)));
    const results = await Promise.allSettled(
      parts.map((chunks) =>
        pipeline(Readable.from(chunks), new LocalTarget(path).createWriteStream()),
      ),
    );
    const winners = results.flatMap((r, i) => (r.status === 'fulfilled' ? [i] : []));
    expect(winners).toHaveLength(1);
    for (const r of results) {
      if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(ArtifactExistsError);
    }
    expect(readFileSync(path, 'utf8')).toBe(parts[winners[0]!]!.join(''));
    expect(readdirSync(at('streams'))).toEqual(['out.txt']);
  });
});

describe('createWriteStream', () => {
  it('publishes only when the stream ends', async () => {
    const target = new LocalTarget(at('s', 'log.txt'));
    const stream = target.createWriteStream();
    await new Promise<void>((resolve, reject) =>
      stream.write('part one\n', (error) => (error ? reject(error) : resolve())),
    );
    expect(existsSync(target.path)).toBe(false);
    expect(await target.exists()).toBe(false);
    const names = readdirSync(at('s'));
    expect(names).toHaveLength(1);
    expect(names[0]).toMatch(TEMP_FILE);
    stream.end('part two\n');
    await finished(stream);
    expect(readFileSync(target.path, 'utf8')).toBe('part one\npart two\n');
    expect(readdirSync(at('s'))).toEqual(['log.txt']);
  });

  it('works with stream.pipeline', async () => {
    const target = new LocalTarget(at('p', 'rows.csv'));
    const rows = Array.from({ length: 1000 }, (_, i) => `${i},${i * i}\n`);
    await pipeline(Readable.from(rows), target.createWriteStream());
    expect(await target.readText()).toBe(rows.join(''));
    expect(readdirSync(at('p'))).toEqual(['rows.csv']);
  });

  it('destroying the stream midway leaves neither the artifact nor a temp file', async () => {
    const target = new LocalTarget(at('d', 'half.txt'));
    const stream = target.createWriteStream();
    stream.on('error', () => undefined);
    await new Promise<void>((resolve, reject) =>
      stream.write('half', (error) => (error ? reject(error) : resolve())),
    );
    stream.destroy(new Error('producer crashed'));
    await closed(stream);
    expect(existsSync(target.path)).toBe(false);
    expect(readdirSync(at('d'))).toEqual([]);
  });

  it('destroying the stream right after creating it leaves nothing behind', async () => {
    mkdirSync(at('e'));
    const target = new LocalTarget(at('e', 'none.txt'));
    const stream = target.createWriteStream();
    stream.on('error', () => undefined);
    stream.destroy(new Error('changed my mind'));
    await closed(stream);
    expect(readdirSync(at('e'))).toEqual([]);
  });

  it('a failing source in a pipeline leaves neither the artifact nor a temp file', async () => {
    mkdirSync(at('f'));
    const target = new LocalTarget(at('f', 'broken.txt'));
    async function* source() {
      yield 'some data\n';
      throw new Error('source failed');
    }
    const stream = target.createWriteStream();
    await expect(pipeline(Readable.from(source()), stream)).rejects.toThrow('source failed');
    // pipeline() settles on the first error; the write stream cleans up by the time it closes.
    await closed(stream);
    expect(existsSync(target.path)).toBe(false);
    expect(readdirSync(at('f'))).toEqual([]);
  });

  it('onto an existing artifact fails with ArtifactExistsError and changes nothing', async () => {
    const target = new LocalTarget(at('g', 'done.txt'));
    await target.write('original');
    await expect(
      pipeline(Readable.from(['replacement']), target.createWriteStream()),
    ).rejects.toThrow(ArtifactExistsError);
    expect(readFileSync(target.path, 'utf8')).toBe('original');
    expect(readdirSync(at('g'))).toEqual(['done.txt']);
  });
});

describe('stage()', () => {
  it('stages a file and publishes it on commit', async () => {
    const target = new LocalTarget(at('st', 'model.bin'));
    const staging = await target.stage();
    expect(staging.path.startsWith('/')).toBe(true);
    expect(staging.path).not.toBe(target.path);
    writeFileSync(staging.path, 'trained');
    expect(await target.exists()).toBe(false);
    await staging.commit();
    expect(readFileSync(target.path, 'utf8')).toBe('trained');
    expect(readdirSync(at('st'))).toEqual(['model.bin']);
  });

  it('stages a folder and publishes it whole on commit', async () => {
    const target = new LocalTarget(at('st', 'model-dir'));
    const staging = await target.stage();
    mkdirSync(join(staging.path, 'weights'), { recursive: true });
    writeFileSync(join(staging.path, 'config.json'), '{}');
    writeFileSync(join(staging.path, 'weights', 'w0'), 'w');
    expect(await target.exists()).toBe(false);
    await staging.commit();
    expect(statSync(target.path).isDirectory()).toBe(true);
    expect(readFileSync(join(target.path, 'config.json'), 'utf8')).toBe('{}');
    expect(readFileSync(join(target.path, 'weights', 'w0'), 'utf8')).toBe('w');
    expect(readdirSync(at('st'))).toEqual(['model-dir']);
  });

  it('commit onto an existing file throws ArtifactExistsError and changes nothing', async () => {
    const target = new LocalTarget(at('st', 'taken.txt'));
    const staging = await target.stage();
    writeFileSync(staging.path, 'late');
    await target.write('early');
    await expect(staging.commit()).rejects.toThrow(ArtifactExistsError);
    expect(readFileSync(target.path, 'utf8')).toBe('early');
    expect(readdirSync(at('st'))).toEqual(['taken.txt']);
  });

  it('commit of a folder onto an existing folder throws ArtifactExistsError', async () => {
    const target = new LocalTarget(at('st', 'out'));
    mkdirSync(target.path, { recursive: true });
    writeFileSync(join(target.path, 'keep'), 'old');
    const staging = await target.stage();
    mkdirSync(staging.path);
    writeFileSync(join(staging.path, 'new'), 'new');
    await expect(staging.commit()).rejects.toThrow(ArtifactExistsError);
    expect(readdirSync(target.path)).toEqual(['keep']);
    expect(readdirSync(at('st'))).toEqual(['out']);
  });

  it('commit of a folder onto an existing empty folder throws ArtifactExistsError', async () => {
    const target = new LocalTarget(at('st', 'empty'));
    mkdirSync(target.path, { recursive: true });
    const staging = await target.stage();
    mkdirSync(staging.path);
    writeFileSync(join(staging.path, 'new'), 'new');
    await expect(staging.commit()).rejects.toThrow(ArtifactExistsError);
    expect(readdirSync(target.path)).toEqual([]);
  });

  it('discard removes what was staged and can be called twice', async () => {
    const target = new LocalTarget(at('st', 'gone'));
    const staging = await target.stage();
    mkdirSync(staging.path);
    writeFileSync(join(staging.path, 'x'), 'x');
    await staging.discard();
    await staging.discard();
    expect(readdirSync(at('st'))).toEqual([]);
    expect(await target.exists()).toBe(false);
  });
});

describe('unsafe paths', () => {
  it.each(['..', '../a', 'a/..', 'a/../b', 'data/../../etc/passwd', '/tmp/../etc', 'a\0b', ''])(
    'rejects %j with UnsafePathError',
    (path) => {
      expect(() => new LocalTarget(path)).toThrow(UnsafePathError);
    },
  );

  it.each(['a..b', '..a/b', 'a/b..', 'a/...', 'v1.2/x'])('accepts %j', (path) => {
    expect(new LocalTarget(path).path).toBe(path);
  });
});

describe('temp files', () => {
  it('a leftover temp file is not taken for the artifact', async () => {
    mkdirSync(at('t'));
    writeFileSync(at('t', '.model.json.dagwright-tmp-12345-0badf00d'), 'partial');
    const target = new LocalTarget(at('t', 'model.json'));
    expect(await target.exists()).toBe(false);
    expect(await localStore.existsMany([target])).toEqual([false]);
    await target.write('full');
    expect(await target.readText()).toBe('full');
  });

  it('a leftover temp file is not taken for the artifact by a folder listing', async () => {
    mkdirSync(at('t'));
    const targets = Array.from({ length: 80 }, (_, i) => new LocalTarget(at('t', `f${i}.txt`)));
    for (let i = 0; i < 80; i++) writeFileSync(at('t', `.f${i}.txt.dagwright-tmp-99-00ff${i}`), '');
    expect(await localStore.existsMany(targets)).toEqual(targets.map(() => false));
  });
});

describe('localStore.existsMany', () => {
  it('is durable', () => {
    expect(localStore.durable).toBe(true);
    expect(new LocalTarget(at('x')).store).toBe(localStore);
  });

  it('answers a small group across folders, in the original order', async () => {
    mkdirSync(at('a'));
    mkdirSync(at('b'));
    writeFileSync(at('a', '1'), '');
    writeFileSync(at('b', '2'), '');
    mkdirSync(at('a', 'folder-artifact'));
    const targets = [
      at('b', '1'),
      at('a', '1'),
      at('missing', '1'),
      at('b', '2'),
      at('a', '2'),
      at('a', 'folder-artifact'),
      at('a', '1', 'under-a-file'),
    ].map((path) => new LocalTarget(path));
    const expected = [false, true, false, true, false, true, false];
    expect(await localStore.existsMany(targets)).toEqual(expected);
    expect(await Promise.all(targets.map((t) => t.exists()))).toEqual(expected);
  });

  it('answers a large group in one folder (listing) with missing files, in order', async () => {
    mkdirSync(at('big'));
    const n = 150;
    const targets = Array.from(
      { length: n },
      (_, i) => new LocalTarget(at('big', `part-${i}.csv`)),
    );
    const present = targets.map((_, i) => i % 3 !== 1);
    targets.forEach((t, i) => present[i] && writeFileSync(t.path, String(i)));
    // The whole folder is asked for, so the store lists it instead of stat-ing each file.
    expect(await localStore.existsMany(targets)).toEqual(present);
    const shuffled = targets.map((t, i) => [t, present[i]] as const).reverse();
    expect(await localStore.existsMany(shuffled.map(([t]) => t))).toEqual(
      shuffled.map(([, p]) => p),
    );
  });

  it('answers a large group in a missing folder with all false', async () => {
    const targets = Array.from({ length: 100 }, (_, i) => new LocalTarget(at('nope', `${i}`)));
    expect(await localStore.existsMany(targets)).toEqual(targets.map(() => false));
  });

  it('answers a large group whose folder is a file with all false, like exists()', async () => {
    writeFileSync(at('plain-file'), 'x');
    const targets = Array.from(
      { length: 100 },
      (_, i) => new LocalTarget(at('plain-file', `${i}`)),
    );
    expect(await targets[0]!.exists()).toBe(false);
    expect(await localStore.existsMany(targets)).toEqual(targets.map(() => false));
  });

  it('answers a large group in a folder with many other files', async () => {
    mkdirSync(at('crowded'));
    for (let i = 0; i < 2000; i++) writeFileSync(at('crowded', `other-${i}`), '');
    const targets = Array.from(
      { length: 70 },
      (_, i) => new LocalTarget(at('crowded', `want-${i}`)),
    );
    const present = targets.map((_, i) => i % 2 === 0);
    targets.forEach((t, i) => present[i] && writeFileSync(t.path, ''));
    expect(await localStore.existsMany(targets)).toEqual(present);
  });

  it('mixes large and small groups from several folders, keeping the order', async () => {
    mkdirSync(at('many'));
    mkdirSync(at('few'));
    const paths: string[] = [];
    const expected: boolean[] = [];
    for (let i = 0; i < 100; i++) {
      const many = at('many', `m${i}`);
      if (i % 4 === 0) writeFileSync(many, '');
      paths.push(many);
      expected.push(i % 4 === 0);
      if (i % 10 === 0) {
        const few = at('few', `f${i}`);
        if (i % 20 === 0) writeFileSync(few, '');
        paths.push(few);
        expected.push(i % 20 === 0);
        paths.push(at('gone', `g${i}`));
        expected.push(false);
      }
    }
    const targets = paths.map((path) => new LocalTarget(path));
    expect(await localStore.existsMany(targets)).toEqual(expected);
  });

  it('sees a folder artifact in a listed folder', async () => {
    mkdirSync(at('mixed'));
    const targets = Array.from({ length: 64 }, (_, i) => new LocalTarget(at('mixed', `d${i}`)));
    mkdirSync(targets[5]!.path);
    writeFileSync(targets[6]!.path, '');
    const result = await localStore.existsMany(targets);
    expect(result.flatMap((found, i) => (found ? [i] : []))).toEqual([5, 6]);
  });

  it('answers an empty request', async () => {
    expect(await localStore.existsMany([])).toEqual([]);
  });
});
