/**
 * Artifacts kept in this process's memory, like Luigi's MockTarget: for tests and for steps
 * whose results need not outlive the run. Not durable, so no leases are taken for them.
 */
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { ArtifactExistsError } from '../errors.js';
import { tempPathFor } from './atomic-file.js';
import type { Staging, Store, Target } from './target.js';

const contents = new Map<string, Buffer>();

export class MemoryTarget implements Target {
  readonly name: string;

  constructor(name: string) {
    this.name = name;
  }

  get uri(): string {
    return 'memory://' + this.name;
  }

  get store(): Store {
    return memoryStore;
  }

  async exists(): Promise<boolean> {
    return contents.has(this.name);
  }

  async read(): Promise<Buffer> {
    const data = contents.get(this.name);
    if (!data) throw new Error(`no such artifact: ${this.uri}`);
    // A copy: artifacts never change once written.
    return Buffer.from(data);
  }

  async readText(): Promise<string> {
    return (await this.read()).toString('utf8');
  }

  createReadStream(): Readable {
    const data = contents.get(this.name);
    if (!data) throw new Error(`no such artifact: ${this.uri}`);
    return Readable.from([data]);
  }

  async write(data: string | Uint8Array): Promise<void> {
    this.#publish(Buffer.from(data));
  }

  createWriteStream(): Writable {
    const chunks: Buffer[] = [];
    return new Writable({
      write: (chunk: Buffer, _encoding, callback) => {
        chunks.push(chunk);
        callback();
      },
      final: (callback) => {
        try {
          this.#publish(Buffer.concat(chunks));
          callback();
        } catch (error) {
          callback(error as Error);
        }
      },
    });
  }

  async stage(): Promise<Staging> {
    const path = tempPathFor(join(tmpdir(), 'dagwright-memory-' + encodeURIComponent(this.name)));
    return {
      path,
      commit: async () => {
        this.#publish(await readFile(path));
        await rm(path, { force: true });
      },
      discard: () => rm(path, { recursive: true, force: true }),
    };
  }

  #publish(data: Buffer): void {
    if (contents.has(this.name)) throw new ArtifactExistsError(this.uri);
    contents.set(this.name, data);
  }

  /** Forgets every memory artifact (between tests). */
  static clear(): void {
    contents.clear();
  }

  toString(): string {
    return this.uri;
  }
}

export const memoryStore: Store = {
  durable: false,
  async existsMany(targets: readonly Target[]): Promise<boolean[]> {
    return targets.map((target) => contents.has((target as MemoryTarget).name));
  },
};
