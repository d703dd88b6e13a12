/**
 * Remote staging against the real MinIO and HDFS (services.setup.ts): a program on another
 * machine writes an output at `stageRemote().uri` with a plain client, and the engine publishes
 * it on the server, append-only, possibly from another process. Also `dag clean-temp` finding
 * the leftovers of an engine that died before committing.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
  type ServiceInputTypes,
  type ServiceOutputTypes,
} from '@aws-sdk/client-s3';
import type { InitializeMiddleware } from '@smithy/types';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanTempCommand } from '../../src/cli/commands/clean-temp.js';
import { ArtifactExistsError, UsageError } from '../../src/errors.js';
import { TEMP_NAME } from '../../src/targets/atomic-file.js';
import { HdfsTarget } from '../../src/targets/hdfs/target.js';
import { hdfsStore } from '../../src/targets/hdfs/store.js';
import { parseHdfsUri } from '../../src/targets/hdfs/uri.js';
import { WebHdfsClient } from '../../src/targets/hdfs/webhdfs.js';
import { s3Client } from '../../src/targets/s3/client.js';
import { stageS3Remote } from '../../src/targets/s3/remote-staging.js';
import { s3Store } from '../../src/targets/s3/store.js';
import { S3Target } from '../../src/targets/s3/target.js';
import { configureStorage } from '../../src/targets/settings.js';
import type { RemoteStaging, Store, Target } from '../../src/targets/target.js';
import { hdfsService, s3Service, uniquePrefix } from './services.js';

const s3 = s3Service();
const hdfs = hdfsService();
const MiB = 1024 * 1024;
const Bucket = s3.bucket;

/** The foreign program's S3 client: the plain SDK, not dagwright's. */
const program = new S3Client({
  endpoint: s3.endpoint,
  region: s3.region,
  forcePathStyle: true,
  credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
});
afterAll(() => program.destroy());

function s3Key(uri: string): string {
  return uri.slice(`s3://${Bucket}/`.length);
}

/** The foreign program's WebHDFS client, made from nothing but the uri it was given. */
function hdfsProgram(uri: string): { client: WebHdfsClient; path: string } {
  const { baseUrl, path } = parseHdfsUri(uri);
  return { client: new WebHdfsClient(baseUrl), path };
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: Error) => error,
  );
}

/** What differs between the stores; the behaviour checked is the same. */
interface StoreCase {
  readonly name: string;
  readonly store: Store;
  /** A new artifact in a folder of its own, `<folder>/<name>`. */
  artifact(name?: string): Target;
  /** Another artifact in the same folder as `target`. */
  sibling(target: Target, name: string): Target;
  /** The uri the store's staging names look like. */
  readonly stagingShape: (target: Target) => RegExp;
  /** Writes as the program on the other machine would. */
  write(uri: string, body: Buffer): Promise<void>;
  /** Whether anything is at `uri`, asked with the program's client. */
  present(uri: string): Promise<boolean>;
}

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const folderOf = (uri: string): string => uri.slice(0, uri.lastIndexOf('/') + 1);
const nameOf = (uri: string): string => uri.slice(uri.lastIndexOf('/') + 1);
const stagingOf = (target: Target): RegExp =>
  new RegExp(`^${escape(folderOf(target.uri))}\\.${escape(nameOf(target.uri))}\\.dagwright-tmp-`);

const stores: StoreCase[] = [
  {
    name: 'S3',
    store: s3Store,
    // `=`, a space, `+` and a non-ASCII letter: the copy source must be URL-encoded right.
    artifact: (name = 'model b+c=ü.bin') =>
      new S3Target(`s3://${Bucket}/${uniquePrefix('staging')}/date=2024-01-01/${name}`),
    sibling: (target, name) => new S3Target(folderOf(target.uri) + name),
    stagingShape: stagingOf,
    async write(uri, body) {
      await program.send(new PutObjectCommand({ Bucket, Key: s3Key(uri), Body: body }));
    },
    async present(uri) {
      return program.send(new HeadObjectCommand({ Bucket, Key: s3Key(uri) })).then(
        () => true,
        (error: { name?: string }) => {
          if (error.name === 'NotFound') return false;
          throw error;
        },
      );
    },
  },
  {
    name: 'HDFS',
    store: hdfsStore,
    artifact: (name = 'model b+c=ü.bin') =>
      new HdfsTarget(`${hdfs.root}/${uniquePrefix('staging')}/date=2024-01-01/${name}`),
    sibling: (target, name) => new HdfsTarget(folderOf(target.uri) + name),
    stagingShape: stagingOf,
    async write(uri, body) {
      const { client, path } = hdfsProgram(uri);
      await client.create(path, body);
    },
    async present(uri) {
      const { client, path } = hdfsProgram(uri);
      return (await client.getFileStatus(path)) !== undefined;
    },
  },
];

describe.each(stores)('remote staging on $name', (store) => {
  it('publishes what the program wrote, byte-exact, and removes the staging', async () => {
    const target = store.artifact();
    const staging = await target.stageRemote!();
    expect(staging.uri).toMatch(store.stagingShape(target));
    expect(TEMP_NAME.test(nameOf(staging.uri))).toBe(true);
    expect(await staging.written()).toBe(false);

    const body = randomBytes(64 * 1024);
    await store.write(staging.uri, body);
    expect(await staging.written()).toBe(true);
    // Not the artifact, neither asked alone nor in a folder listing (8+ names are listed).
    const siblings = Array.from({ length: 9 }, (_, i) => store.sibling(target, `part-${i}`));
    expect(await target.exists()).toBe(false);
    expect(await store.store.existsMany([target, ...siblings])).toEqual(Array(10).fill(false));

    await staging.commit();
    expect(Buffer.compare(await target.read(), body)).toBe(0);
    expect(await store.present(staging.uri)).toBe(false);
    expect(await staging.written()).toBe(false);
    expect(await store.store.existsMany([target, ...siblings])).toEqual([
      true,
      ...Array(9).fill(false),
    ]);
  });

  it('refuses to publish onto an existing artifact: its bytes stay, the staging goes', async () => {
    const target = store.artifact();
    await target.write('the first model');
    const staging = await target.stageRemote!();
    await store.write(staging.uri, Buffer.from('a second model'));

    const error = await rejection(staging.commit());
    expect(error).toBeInstanceOf(ArtifactExistsError);
    expect((error as ArtifactExistsError).uri).toBe(target.uri);
    expect(await target.readText()).toBe('the first model');
    expect(await store.present(staging.uri)).toBe(false);
  });

  it('re-attaches by uri from a new process and commits there', async () => {
    const target = store.artifact();
    const uri = (await target.stageRemote!()).uri;
    await store.write(uri, Buffer.from('written on another machine'));

    // A new process: fresh clients, a fresh target object, only the uri remembered.
    configureStorage({});
    const again = await store.sibling(target, nameOf(target.uri)).stageRemote!(uri);
    expect(again.uri).toBe(uri);
    expect(await again.written()).toBe(true);
    await again.commit();
    expect(await target.readText()).toBe('written on another machine');
    expect(await store.present(uri)).toBe(false);
  });

  it('makes a new, unique location each time', async () => {
    const target = store.artifact();
    const uris = await Promise.all([1, 2, 3].map(async () => (await target.stageRemote!()).uri));
    expect(new Set(uris).size).toBe(3);
  });

  it('rejects a uri that is not a staging location of the target', async () => {
    const target = store.artifact();
    const own = (await target.stageRemote!()).uri;
    const other = (await store.sibling(target, 'other.bin').stageRemote!()).uri;
    const folder = folderOf(target.uri);
    const wrong = [
      target.uri,
      other,
      folder + nameOf(own).replace('.dagwright-tmp-', '.dagwright-tmp-x'),
      `${folder}sub/${nameOf(own)}`,
      own.replace('/date=2024-01-01/', '/date=2024-01-02/'),
      store.name === 'S3'
        ? own.replace(`s3://${Bucket}/`, 's3://another-bucket/')
        : own.replace(':9870/', ':9871/'),
      'not a uri',
    ];
    for (const uri of wrong) {
      const error = await rejection(target.stageRemote!(uri));
      expect(error, uri).toBeInstanceOf(UsageError);
      expect(error.message).toBe(
        `${JSON.stringify(uri)} is not a staging location of ${target.uri}: ` +
          `pass a uri that stageRemote() returned for this target`,
      );
    }
  });

  it('says so when the program wrote nothing, and discards safely', async () => {
    const target = store.artifact();
    const staging = await target.stageRemote!();
    const error = await rejection(staging.commit());
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toBe(
      `nothing was written at ${staging.uri}: the program must write the output of ${target.uri} there`,
    );
    await staging.discard();
    await staging.discard();
    await store.write(staging.uri, Buffer.from('half an output'));
    await staging.discard();
    expect(await staging.written()).toBe(false);
    await staging.discard();
    expect(await target.exists()).toBe(false);
  });
});

describe('remote staging on S3: the server-side publish', () => {
  const s3Case = stores[0]!;

  async function pendingUploads(key: string): Promise<string[]> {
    const { Uploads } = await program.send(
      new ListMultipartUploadsCommand({ Bucket, Prefix: key }),
    );
    return (Uploads ?? []).map((upload) => upload.UploadId!);
  }

  it('copies in several parts (forced small part size), byte-exact, none left pending', async () => {
    const target = s3Case.artifact('big.bin') as S3Target;
    const staging = await stageS3Remote(target, undefined, { partSize: 5 * MiB });
    const body = randomBytes(11 * MiB + 12_345);
    await s3Case.write(staging.uri, body);

    await staging.commit();
    const head = await program.send(new HeadObjectCommand({ Bucket, Key: target.key }));
    expect(head.ETag).toMatch(/-3"$/); // three parts: 5 MiB, 5 MiB, the rest
    expect(head.ContentLength).toBe(body.length);
    expect(Buffer.compare(await target.read(), body)).toBe(0);
    expect(await s3Case.present(staging.uri)).toBe(false);
    expect(await pendingUploads(target.key)).toEqual([]);
  });

  it('copies an empty object', async () => {
    const target = s3Case.artifact('empty.bin');
    const staging = await target.stageRemote!();
    await s3Case.write(staging.uri, Buffer.alloc(0));
    await staging.commit();
    expect((await target.read()).length).toBe(0);
  });

  it('loses to a writer that publishes between its check and its completion', async () => {
    // The conditional CompleteMultipartUpload is the real guard (MinIO ignores If-None-Match
    // on CopyObject): another writer's object appears just before the completion is sent.
    const target = s3Case.artifact('raced.bin') as S3Target;
    const staging = await stageS3Remote(target, undefined, { partSize: 5 * MiB });
    await s3Case.write(staging.uri, randomBytes(11 * MiB));
    const client = await s3Client();
    let raced = false;
    const winner: InitializeMiddleware<ServiceInputTypes, ServiceOutputTypes> =
      (next, context) => async (args) => {
        if (context.commandName === 'CompleteMultipartUploadCommand') {
          raced = true;
          await program.send(
            new PutObjectCommand({ Bucket, Key: target.key, Body: 'the winner', IfNoneMatch: '*' }),
          );
        }
        return next(args);
      };
    client.middlewareStack.add(winner, { step: 'initialize', name: 'testRaceWinner' });
    let error: Error;
    try {
      error = await rejection(staging.commit());
    } finally {
      client.middlewareStack.remove('testRaceWinner');
    }
    expect(raced).toBe(true);
    expect(error).toBeInstanceOf(ArtifactExistsError);
    expect(await target.readText()).toBe('the winner');
    expect(await s3Case.present(staging.uri)).toBe(false);
    expect(await pendingUploads(target.key)).toEqual([]);
  });

  it('fails, publishing nothing and keeping the staging, when it is replaced mid-copy', async () => {
    const target = s3Case.artifact('replaced.bin') as S3Target;
    const staging = await stageS3Remote(target, undefined, { partSize: 5 * MiB });
    await s3Case.write(staging.uri, randomBytes(11 * MiB));
    const client = await s3Client();
    let replaced = false;
    const rewrite: InitializeMiddleware<ServiceInputTypes, ServiceOutputTypes> =
      (next, context) => async (args) => {
        if (context.commandName === 'UploadPartCopyCommand' && !replaced) {
          replaced = true;
          await s3Case.write(staging.uri, Buffer.from('a zombie rewrote it'));
        }
        return next(args);
      };
    client.middlewareStack.add(rewrite, { step: 'initialize', name: 'testRewrite' });
    let error: Error;
    try {
      error = await rejection(staging.commit());
    } finally {
      client.middlewareStack.remove('testRewrite');
    }
    expect(error.message).toBe(
      `${staging.uri} was replaced while being published to ${target.uri}: publish it again`,
    );
    expect(await target.exists()).toBe(false);
    expect(await pendingUploads(target.key)).toEqual([]);
    expect(await staging.written()).toBe(true);
    await staging.commit();
    expect(await target.readText()).toBe('a zombie rewrote it');
  });

  it('publishes exactly one of racing stagings of one artifact', async () => {
    const target = s3Case.artifact('race.bin');
    const stagings = await Promise.all([0, 1, 2, 3].map(() => target.stageRemote!()));
    await Promise.all(stagings.map((s, i) => s3Case.write(s.uri, Buffer.from(`writer ${i}`))));
    const results = await Promise.allSettled(stagings.map((s) => s.commit()));
    const winners = results.flatMap((r, i) => (r.status === 'fulfilled' ? [i] : []));
    expect(winners).toHaveLength(1);
    for (const r of results) {
      if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(ArtifactExistsError);
    }
    expect(await target.readText()).toBe(`writer ${winners[0]}`);
    for (const s of stagings) expect(await s3Case.present(s.uri)).toBe(false);
    expect(await pendingUploads((target as S3Target).key)).toEqual([]);
  });

  it('treats a commit repeated after a crash past the publish as done', async () => {
    const target = s3Case.artifact('repeated.bin');
    const staging = await target.stageRemote!();
    await s3Case.write(staging.uri, Buffer.from('published once'));
    await staging.commit();
    // Crashed before the staging was deleted: it is still there, the artifact is ours.
    await s3Case.write(staging.uri, Buffer.from('published once'));
    const again = await target.stageRemote!(staging.uri);
    await again.commit();
    // Crashed after the delete: nothing staged, and still done.
    await again.commit();
    expect(await target.readText()).toBe('published once');
    expect(await s3Case.present(staging.uri)).toBe(false);
  });

  it('keeps the program content type and metadata on the published object', async () => {
    const target = s3Case.artifact('typed.json') as S3Target;
    const staging = await target.stageRemote();
    await program.send(
      new PutObjectCommand({
        Bucket,
        Key: s3Key(staging.uri),
        Body: '{}',
        ContentType: 'application/json',
        Metadata: { producer: 'trainer' },
      }),
    );
    await staging.commit();
    const head = await program.send(new HeadObjectCommand({ Bucket, Key: target.key }));
    expect(head.ContentType).toBe('application/json');
    expect(head.Metadata).toMatchObject({ producer: 'trainer' });
  });

  it('discard aborts the upload of a program killed while uploading in parts', async () => {
    const target = s3Case.artifact('killed.bin');
    const staging = await target.stageRemote!();
    const Key = s3Key(staging.uri);
    const { UploadId } = await program.send(new CreateMultipartUploadCommand({ Bucket, Key }));
    await program.send(
      new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 1, Body: randomBytes(1024) }),
    );
    expect(await pendingUploads(Key)).toEqual([UploadId]);
    expect(await staging.written()).toBe(false);
    await staging.discard();
    expect(await pendingUploads(Key)).toEqual([]);
  });

  it('reads the published object through GetObject unchanged (no bytes through the engine)', async () => {
    const target = s3Case.artifact('direct.bin') as S3Target;
    const staging = await target.stageRemote();
    await s3Case.write(staging.uri, Buffer.from('via the server'));
    await staging.commit();
    const got = await program.send(new GetObjectCommand({ Bucket, Key: target.key }));
    expect(await got.Body!.transformToString()).toBe('via the server');
  });
});

describe('remote staging on HDFS: addresses and folders', () => {
  it('gives the WebHDFS address of an hdfs:// target, and re-attaches by it', async () => {
    const host = new URL(hdfs.url).hostname;
    const path = `/${uniquePrefix('staging')}/model.bin`;
    const target = new HdfsTarget(`hdfs://${host}${path}`);
    const staging = await target.stageRemote();
    expect(staging.uri).toMatch(
      new RegExp(`^${escape(hdfs.root)}/.*/\\.model\\.bin\\.dagwright-tmp-`),
    );
    await stores[1]!.write(staging.uri, Buffer.from('via webhdfs'));
    await (await target.stageRemote(staging.uri)).commit();
    expect(await target.readText()).toBe('via webhdfs');
  });

  it('publishes a folder the program wrote, by one RENAME', async () => {
    const target = stores[1]!.artifact('table') as HdfsTarget;
    const staging = await target.stageRemote();
    const { client, path } = hdfsProgram(staging.uri);
    await client.create(`${path}/part-0.parquet`, 'rows 0');
    await client.create(`${path}/part-1.parquet`, 'rows 1');
    await staging.commit();
    const page = await target.client.listStatusBatch(target.path);
    expect(page.entries.map((entry) => entry.pathSuffix)).toEqual([
      'part-0.parquet',
      'part-1.parquet',
    ]);
    expect(await staging.written()).toBe(false);
  });
});

describe('dag clean-temp finds staging leftovers of an engine that died', () => {
  async function cleanTemp(args: string[]): Promise<string[]> {
    const cwd = await mkdtemp(join(tmpdir(), 'dagwright-clean-'));
    let stdout = '';
    try {
      const code = await cleanTempCommand([...args, '--json'], cwd, {
        stdout: (text) => (stdout += text),
        stderr: () => {},
      });
      expect(code).toBe(0);
    } finally {
      await rm(cwd, { recursive: true, force: true });
    }
    return (JSON.parse(stdout) as { removed: string[] }).removed;
  }

  async function staged(store: StoreCase, target: Target): Promise<RemoteStaging> {
    const staging = await target.stageRemote!();
    await store.write(staging.uri, Buffer.from(`left by ${staging.uri}`));
    return staging;
  }

  it('on S3: removes an old staging object, keeps a fresh one and the artifacts', async () => {
    const store = stores[0]!;
    const target = store.artifact();
    const root = `s3://${Bucket}/${s3Key(target.uri).split('/')[0]}`;
    await target.write('an artifact');
    const old = await staged(store, store.sibling(target, 'old.bin'));
    // S3 cannot backdate an object: let it age instead.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const fresh = await staged(store, store.sibling(target, 'fresh.bin'));

    expect(await cleanTemp([root])).toEqual([]); // both younger than the default 1h
    const dry = await cleanTemp([root, '--older-than', '2s', '--dry-run']);
    expect(dry).toEqual([expect.stringMatching(`^${escape(old.uri)} \\(temp object written `)]);
    expect(await old.written()).toBe(true);

    expect(await cleanTemp([root, '--older-than', '2s'])).toEqual(dry);
    expect(await old.written()).toBe(false);
    expect(await fresh.written()).toBe(true);
    expect(await target.readText()).toBe('an artifact');
    await fresh.discard();
  });

  it('on HDFS: removes an old staging file, keeps a fresh one and the artifacts', async () => {
    const store = stores[1]!;
    const target = store.artifact() as HdfsTarget;
    const root = `${hdfs.root}/${target.path.split('/')[1]}`;
    await target.write('an artifact');
    const old = await staged(store, store.sibling(target, 'old.bin'));
    const { client, path } = hdfsProgram(old.uri);
    await client.setTimes(path, { modificationTime: Date.now() - 2 * 3_600_000 });
    const fresh = await staged(store, store.sibling(target, 'fresh.bin'));

    const dry = await cleanTemp([root, '--dry-run']);
    expect(dry).toEqual([old.uri]);
    expect(await old.written()).toBe(true);

    expect(await cleanTemp([root])).toEqual(dry);
    expect(await old.written()).toBe(false);
    expect(await fresh.written()).toBe(true);
    expect(await target.readText()).toBe('an artifact');
    await fresh.discard();
  });
});
