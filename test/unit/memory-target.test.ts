/** MemoryTarget: in-process artifacts with the same append-only contract as files. */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { ArtifactExistsError, MemoryTarget } from '../../src/index.js';
import { memoryStore } from '../../src/targets/memory.js';

afterEach(() => MemoryTarget.clear());

describe('MemoryTarget', () => {
  it('has a memory:// uri and a non-durable store', () => {
    const target = new MemoryTarget('metrics/auc');
    expect(target.uri).toBe('memory://metrics/auc');
    expect(target.store).toBe(memoryStore);
    expect(memoryStore.durable).toBe(false);
  });

  it('write then read and readText', async () => {
    const target = new MemoryTarget('a');
    expect(await target.exists()).toBe(false);
    await target.write('hello');
    expect(await target.exists()).toBe(true);
    expect(await target.readText()).toBe('hello');
    expect((await target.read()).equals(Buffer.from('hello'))).toBe(true);
  });

  it('is shared by all targets with the same name', async () => {
    await new MemoryTarget('shared').write('x');
    expect(await new MemoryTarget('shared').readText()).toBe('x');
  });

  it('reading a missing artifact fails', async () => {
    await expect(new MemoryTarget('missing').read()).rejects.toThrow(/memory:\/\/missing/);
    expect(() => new MemoryTarget('missing').createReadStream()).toThrow();
  });

  it('streams out what was written', async () => {
    const target = new MemoryTarget('stream-out');
    await target.write('abc');
    const chunks: Buffer[] = [];
    for await (const chunk of target.createReadStream()) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe('abc');
  });

  it('is append-only: a second write throws ArtifactExistsError and changes nothing', async () => {
    const target = new MemoryTarget('once');
    await target.write('first');
    const error = await target.write('second').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ArtifactExistsError);
    expect((error as ArtifactExistsError).uri).toBe('memory://once');
    expect(await target.readText()).toBe('first');
  });

  it('an empty artifact exists', async () => {
    const target = new MemoryTarget('empty');
    await target.write('');
    expect(await target.exists()).toBe(true);
    await expect(target.write('x')).rejects.toThrow(ArtifactExistsError);
  });

  it('keeps its own copy of the written bytes', async () => {
    const target = new MemoryTarget('copy-in');
    const bytes = new Uint8Array([1, 2, 3]);
    await target.write(bytes);
    bytes[0] = 9;
    expect([...(await target.read())]).toEqual([1, 2, 3]);
  });

  it('changing a buffer returned by read() does not change the artifact', async () => {
    const target = new MemoryTarget('copy-out');
    await target.write('hello');
    const buffer = await target.read();
    buffer[0] = 'J'.charCodeAt(0);
    expect(await target.readText()).toBe('hello');
  });

  it('a write stream publishes only when it ends', async () => {
    const target = new MemoryTarget('streamed');
    const stream = target.createWriteStream();
    await new Promise<void>((resolve, reject) =>
      stream.write('part one ', (error) => (error ? reject(error) : resolve())),
    );
    expect(await target.exists()).toBe(false);
    stream.end('part two');
    await finished(stream);
    expect(await target.readText()).toBe('part one part two');
  });

  it('a destroyed write stream publishes nothing', async () => {
    const target = new MemoryTarget('destroyed');
    const stream = target.createWriteStream();
    stream.on('error', () => undefined);
    stream.write('half');
    stream.destroy(new Error('crash'));
    await new Promise((resolve) => stream.once('close', resolve));
    expect(await target.exists()).toBe(false);
  });

  it('a write stream onto an existing artifact fails and changes nothing', async () => {
    const target = new MemoryTarget('taken');
    await target.write('original');
    await expect(pipeline(Readable.from(['new']), target.createWriteStream())).rejects.toThrow(
      ArtifactExistsError,
    );
    expect(await target.readText()).toBe('original');
  });

  it('stage() and commit publish a file a program wrote', async () => {
    const target = new MemoryTarget('staged/out.txt');
    const staging = await target.stage();
    writeFileSync(staging.path, 'from a program');
    expect(await target.exists()).toBe(false);
    await staging.commit();
    expect(await target.readText()).toBe('from a program');
    expect(existsSync(staging.path)).toBe(false);
  });

  it('commit onto an existing artifact throws ArtifactExistsError', async () => {
    const target = new MemoryTarget('staged/taken');
    const staging = await target.stage();
    writeFileSync(staging.path, 'late');
    await target.write('early');
    await expect(staging.commit()).rejects.toThrow(ArtifactExistsError);
    expect(await target.readText()).toBe('early');
    await staging.discard();
    expect(existsSync(staging.path)).toBe(false);
  });

  it('discard removes what was staged', async () => {
    const target = new MemoryTarget('staged/dropped');
    const staging = await target.stage();
    mkdirSync(staging.path);
    await staging.discard();
    await staging.discard();
    expect(existsSync(staging.path)).toBe(false);
    expect(await target.exists()).toBe(false);
  });

  it('clear() forgets every artifact', async () => {
    await new MemoryTarget('x').write('1');
    MemoryTarget.clear();
    expect(await new MemoryTarget('x').exists()).toBe(false);
  });
});

describe('memoryStore.existsMany', () => {
  it('answers each target, in the original order', async () => {
    await new MemoryTarget('b').write('');
    await new MemoryTarget('d').write('');
    const names = ['a', 'b', 'c', 'd', 'b', 'e'];
    const targets = names.map((name) => new MemoryTarget(name));
    expect(await memoryStore.existsMany(targets)).toEqual([false, true, false, true, true, false]);
  });

  it('answers many targets at once', async () => {
    const targets = Array.from({ length: 500 }, (_, i) => new MemoryTarget(`many/${i}`));
    for (let i = 0; i < 500; i += 7) await targets[i]!.write(String(i));
    expect(await memoryStore.existsMany(targets)).toEqual(targets.map((_, i) => i % 7 === 0));
  });

  it('answers an empty request', async () => {
    expect(await memoryStore.existsMany([])).toEqual([]);
  });
});
