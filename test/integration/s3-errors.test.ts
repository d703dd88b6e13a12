/**
 * What a user sees when S3 is misconfigured: one line that names the object, bucket or
 * endpoint, never a credential. Each test changes the environment or the storage settings for
 * a fresh client generation, and puts both back afterwards.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { S3LockStore } from '../../src/scheduler/lock-stores/s3.js';
import { configureStorage, type StorageSettings } from '../../src/targets/settings.js';
import { cleanS3Temp } from '../../src/targets/s3/clean.js';
import { resetS3RequestCounts, s3Client, s3RequestCounts } from '../../src/targets/s3/client.js';
import {
  S3AccessError,
  S3BucketMissingError,
  S3ConnectionError,
  scrub,
} from '../../src/targets/s3/errors.js';
import { s3Store } from '../../src/targets/s3/store.js';
import { S3Target } from '../../src/targets/s3/target.js';
import { s3Service, uniquePrefix } from './services.js';

const s3 = s3Service();
const root = `s3://${s3.bucket}/${uniquePrefix('s3-errors')}`;
const NOTHING_LISTENS = 'http://127.0.0.1:59999';

let savedEnv: NodeJS.ProcessEnv;
beforeEach(() => {
  savedEnv = { ...process.env };
});
afterEach(() => {
  for (const name of Object.keys(process.env)) if (!(name in savedEnv)) delete process.env[name];
  Object.assign(process.env, savedEnv);
  configureStorage({});
});

/** New settings (and so a new client that re-reads the environment). */
function reconfigure(env: Record<string, string | undefined>, settings: StorageSettings = {}) {
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  configureStorage(settings);
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    expect((error as Error).message).not.toContain('\n');
    return error as Error;
  }
  throw new Error('expected a rejection');
}

function expectNoSecrets(error: Error, ...secrets: string[]): void {
  for (const secret of [s3.accessKeyId, s3.secretAccessKey, ...secrets]) {
    expect(error.message).not.toContain(secret);
    expect(JSON.stringify(error)).not.toContain(secret);
  }
}

describe('S3 errors', () => {
  it('works from the standard AWS environment alone', async () => {
    reconfigure({ AWS_ENDPOINT_URL: undefined });
    const client = await s3Client();
    expect(client.config.forcePathStyle).toBe(true);
    expect(await client.config.region()).toBe(s3.region);
    const t = new S3Target(`${root}/env-only.txt`);
    await t.write('ok');
    expect(await t.readText()).toBe('ok');
  });

  it('falls back to AWS_DEFAULT_REGION, then us-east-1', async () => {
    reconfigure({ AWS_REGION: undefined, AWS_DEFAULT_REGION: 'eu-central-1' });
    expect(await (await s3Client()).config.region()).toBe('eu-central-1');
    reconfigure({
      AWS_DEFAULT_REGION: undefined,
      AWS_PROFILE: undefined,
      AWS_CONFIG_FILE: '/nonexistent/aws-config',
    });
    expect(await (await s3Client()).config.region()).toBe('us-east-1');
  });

  it('prefers the settings over the environment', async () => {
    reconfigure({ AWS_ENDPOINT_URL_S3: NOTHING_LISTENS }, { s3: { endpoint: s3.endpoint } });
    const t = new S3Target(`${root}/settings-win.txt`);
    await t.write('ok');
    expect(await t.exists()).toBe(true);
  });

  it('reports a wrong secret as S3AccessError without credentials', async () => {
    const wrong = 'not-the-secret-0123456789';
    reconfigure({ AWS_SECRET_ACCESS_KEY: wrong });
    const t = new S3Target(`${root}/denied.txt`);
    for (const error of await Promise.all([t.exists(), t.read(), t.write('x')].map(failure))) {
      expect(error).toBeInstanceOf(S3AccessError);
      expect(error).toBeInstanceOf(UsageError);
      expect(error.message).toContain(`S3 denied access to ${t.uri}`);
      expect(error.message).toContain('AWS_ACCESS_KEY_ID/AWS_PROFILE');
      expectNoSecrets(error, wrong);
    }
    const write = await failure(t.write('x'));
    expect(write.message).toContain('(SignatureDoesNotMatch)');
  });

  it('reports an unknown access key id as InvalidAccessKeyId without showing it', async () => {
    const wrongId = 'AKIAWRONGWRONGWRONG1';
    reconfigure({ AWS_ACCESS_KEY_ID: wrongId });
    const t = new S3Target(`${root}/denied.txt`);
    const error = await failure(t.read());
    expect(error).toBeInstanceOf(S3AccessError);
    expect(error.message).toContain('(InvalidAccessKeyId)');
    expectNoSecrets(error, wrongId);
    expect((error as S3AccessError).exitCode).toBe(2);
  });

  it('names a missing bucket, wherever it is met', async () => {
    const bucket = `dagwright-missing-${Date.now().toString(36)}`;
    const t = new S3Target(`s3://${bucket}/a/b.txt`);
    const many = Array.from({ length: 10 }, (_, i) => new S3Target(`s3://${bucket}/a/${i}.txt`));
    const attempts = [
      t.exists(),
      t.read(),
      t.write('x'),
      s3Store.existsMany([t]),
      s3Store.existsMany(many),
      new S3LockStore(`s3://${bucket}/locks`).acquire('abc'),
      cleanS3Temp(`s3://${bucket}/a`, { olderThanMs: 0, dryRun: true }),
    ];
    for (const error of await Promise.all(attempts.map(failure))) {
      expect(error).toBeInstanceOf(S3BucketMissingError);
      expect(error).toBeInstanceOf(UsageError);
      expect(error.message).toBe(
        `S3 bucket '${bucket}' does not exist at ${s3.endpoint}: create it or fix the artifact root`,
      );
    }
    // The answer is remembered: no second HeadBucket.
    resetS3RequestCounts();
    expect(await failure(t.exists())).toBeInstanceOf(S3BucketMissingError);
    expect(s3RequestCounts()).toEqual({ HeadObjectCommand: 1 });
  });

  it('fails fast in one line when nothing listens at the endpoint', async () => {
    reconfigure({ AWS_ENDPOINT_URL_S3: NOTHING_LISTENS });
    const t = new S3Target(`${root}/unreachable.txt`);
    const start = performance.now();
    const error = await failure(t.exists());
    console.log(`connection refused reported after ${Math.round(performance.now() - start)} ms`);
    expect(error).toBeInstanceOf(S3ConnectionError);
    expect(error.message).toContain(`cannot reach S3 at ${NOTHING_LISTENS} (ECONNREFUSED)`);
    expect(error.message).toContain(t.uri);
  });

  it('never shows the userinfo of an endpoint URL', async () => {
    reconfigure({ AWS_ENDPOINT_URL_S3: 'http://someone:hunter2-pw@127.0.0.1:59999' });
    const error = await failure(new S3Target(`${root}/x.txt`).exists());
    expect(error).toBeInstanceOf(S3ConnectionError);
    expect(error.message).toContain('http://127.0.0.1:59999');
    expectNoSecrets(error, 'hunter2-pw', 'someone');
  });

  it('gives up on a server that never answers after the request timeout', async () => {
    const sockets: Socket[] = [];
    const server: Server = createServer((socket) => void sockets.push(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    try {
      reconfigure(
        {},
        { s3: { endpoint: `http://127.0.0.1:${port}`, requestTimeoutMs: 300, maxAttempts: 1 } },
      );
      const error = await failure(new S3Target(`${root}/hung.txt`).exists());
      expect(error).toBeInstanceOf(S3ConnectionError);
      expect(error.message).toContain(
        `S3 at http://127.0.0.1:${port} did not answer within 300 ms`,
      );
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('rejects an endpoint that is not a URL', async () => {
    reconfigure({}, { s3: { endpoint: 'not a url' } });
    const error = await failure(new S3Target(`${root}/x.txt`).exists());
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toContain('is not a URL');
  });

  it('scrubs credentials from any text it passes on', () => {
    process.env.AWS_SECRET_ACCESS_KEY = 'the-real-secret-value';
    const text = scrub(
      'failed: the-real-secret-value at https://user:pw@host/x\nCredential=AKIAABCDEFGHIJKLMNOP/2024 AKIAQRSTUVWXYZ123456',
    );
    expect(text).not.toMatch(/the-real-secret-value|user:pw|AKIA|\n/);
  });
});
