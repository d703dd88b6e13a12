/**
 * The WebHDFS client against a fake NameNode/DataNode. This is a test double on purpose: it
 * plays the misbehaviour a real, healthy Hadoop cannot be made to show here (the real server is
 * tested in test/integration/hdfs-*.test.ts): the protocol guards that a healthy Hadoop never
 * triggers (an ignored `renameoptions`, a listing that does not advance), retries,
 * timeouts, parameter spelling, and the secrecy of delegation tokens.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebHdfsClient, WebHdfsError } from '../../src/targets/hdfs/webhdfs.js';
import { HdfsTarget } from '../../src/targets/hdfs/target.js';
import { configureStorage } from '../../src/targets/settings.js';

type Handler = (url: URL, req: IncomingMessage, res: ServerResponse) => void;

let server: Server;
let base: string;
let handler: Handler;
const seen: URL[] = [];

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

function remote(res: ServerResponse, status: number, exception: string, message: string): void {
  json(res, status, { RemoteException: { exception, javaClassName: `x.${exception}`, message } });
}

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url!, base);
    seen.push(url);
    handler(url, req, res);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(() => {
  seen.length = 0;
  delete process.env.HDFS_DELEGATION_TOKEN;
  configureStorage({});
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((done) => server.close(done));
});

async function rejection(promise: Promise<unknown>): Promise<WebHdfsError> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: WebHdfsError) => error,
  );
}

describe('WebHdfsClient', () => {
  it('spells parameters exactly and encodes each path segment', async () => {
    handler = (url, _req, res) => {
      if (url.searchParams.get('op') === 'RENAME') return void res.writeHead(200).end();
      json(res, 200, {
        DirectoryListing: {
          partialListing: { FileStatuses: { FileStatus: [] } },
          remainingEntries: 0,
        },
      });
    };
    const client = new WebHdfsClient(base, { user: 'alice' });
    await client.rename('/a b/c%d', '/a b/e+f');
    await client.listStatusBatch('/dir', 'x y');
    expect(seen[0]!.pathname).toBe('/webhdfs/v1/a%20b/c%25d');
    expect(Object.fromEntries(seen[0]!.searchParams)).toEqual({
      op: 'RENAME',
      destination: '/a b/e+f',
      renameoptions: 'NONE',
      'user.name': 'alice',
    });
    expect(seen[1]!.search).toContain('startafter=x+y');
  });

  it('refuses a RENAME whose renameoptions the server ignored', async () => {
    handler = (_url, _req, res) => json(res, 200, { boolean: true });
    const error = await rejection(new WebHdfsClient(base).rename('/a', '/b'));
    expect(error.exception).toBe('RenameOptionsIgnored');
  });

  it('stops a listing that does not advance', async () => {
    const page = [{ pathSuffix: 'a' }, { pathSuffix: 'b' }];
    handler = (_url, _req, res) =>
      json(res, 200, {
        DirectoryListing: {
          partialListing: { FileStatuses: { FileStatus: page } },
          remainingEntries: 5,
        },
      });
    const pages: unknown[] = [];
    const error = await rejection(
      (async () => {
        for await (const p of new WebHdfsClient(base).listPages('/d')) pages.push(p);
      })(),
    );
    expect(error.exception).toBe('ListingStuck');
    expect(pages).toHaveLength(2);
  });

  it('retries safe mode, but never FileAlreadyExists', async () => {
    let calls = 0;
    handler = (url, _req, res) => {
      if (url.searchParams.get('op') === 'MKDIRS' && ++calls < 3)
        return remote(res, 403, 'SafeModeException', 'Name node is in safe mode.\nIt was...');
      if (url.searchParams.get('op') === 'MKDIRS') return json(res, 200, { boolean: true });
      remote(res, 403, 'FileAlreadyExistsException', 'rename destination /b already exists');
    };
    const client = new WebHdfsClient(base);
    await client.mkdirs('/d');
    expect(client.requestCounts.MKDIRS).toBe(3);
    const error = await rejection(client.rename('/a', '/b'));
    expect(error.exception).toBe('FileAlreadyExistsException');
    expect(client.requestCounts.RENAME).toBe(1);
  });

  it('shows the first line of a DataNode error, after its unsolicited 100 Continue', async () => {
    handler = (url, _req, res) => {
      if (url.pathname.startsWith('/dn')) {
        res.writeContinue();
        return remote(res, 403, 'SafeModeException', 'Cannot create file.\n\tat org.x.Y(Y.java:1)');
      }
      json(res, 200, { Location: `${base}/dn${url.pathname}?op=CREATE&delegation=SECRET` });
    };
    const error = await rejection(new WebHdfsClient(base).create('/f', 'data'));
    expect(error.message).toBe(
      `HDFS PUT CREATE /f (${base}): SafeModeException: Cannot create file.`,
    );
  });

  it('times out a request that gets no answer', async () => {
    handler = () => undefined;
    const client = new WebHdfsClient(base, { requestTimeoutMs: 200 });
    const error = await rejection(client.getFileStatus('/slow'));
    expect(error.exception).toBe('Timeout');
    expect(error.message).toBe(
      `HDFS GET GETFILESTATUS /slow (${base}): no answer within 200 ms (hdfs.requestTimeoutMs)`,
    );
  });

  it('sends a delegation token instead of user.name, and never shows it', async () => {
    const token = 'SECRET-TOKEN-1234';
    process.env.HDFS_DELEGATION_TOKEN = token;
    configureStorage({ hdfs: { user: 'alice' } });
    handler = (url, _req, res) => {
      const op = url.searchParams.get('op');
      if (op === 'GETFILESTATUS') return void res.destroy();
      if (op === 'OPEN') return void res.writeHead(500).end(`<html>${url.href}</html>`);
      if (url.pathname.startsWith('/dn')) return void res.destroy();
      json(res, 200, { Location: `${base}/dn${url.pathname}?${url.searchParams}` });
    };
    const target = new HdfsTarget(`webhdfs://${base.slice('http://'.length)}/a/b`);
    const errors = [
      await rejection(target.exists()),
      await rejection(target.read()),
      await rejection(target.write('x')),
      await rejection(new HdfsTarget('webhdfs://127.0.0.1:59999/a').exists()),
    ];
    expect(seen[0]!.searchParams.get('delegation')).toBe(token);
    expect(seen[0]!.searchParams.has('user.name')).toBe(false);
    for (const error of errors) {
      expect(error).toBeInstanceOf(WebHdfsError);
      expect(error.message).not.toContain(token);
      expect(error.message).not.toContain('\n');
      expect(String(error.stack)).not.toContain(token);
    }
  });
});
