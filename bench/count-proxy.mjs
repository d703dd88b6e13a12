/**
 * A counting reverse proxy for shape F: `node bench/count-proxy.mjs http://127.0.0.1:9000`.
 * Listens on a free loopback port, prints its base URL as the first line on stdout, forwards
 * every request unchanged (the Host header too, so S3 signatures stay valid) over kept-alive
 * connections, and counts them. Both sides of a comparison go through it, so they are counted
 * the same way. The hop costs each request about the same (1.5 to 2.5 ms with Luigi's clients on
 * this 2-core machine), so it would slow the side that sends more requests more: run.mjs times
 * shape F without it and counts in a separate run.
 *
 *   GET /_count-proxy   {"requests": n, "kinds": {"HEAD": n, "LIST": n, "GETFILESTATUS": n, ...}}
 *
 * (`_count-proxy` can be neither an S3 bucket name nor a WebHDFS path, which all start with
 * /webhdfs/v1.) It exits when its standard input closes, so it never outlives the benchmark.
 */
import { Agent, createServer, request } from 'node:http';
import { URLSearchParams } from 'node:url';

const upstream = new URL(process.argv[2]);
const agent = new Agent({ keepAlive: true, maxSockets: 64 });
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'upgrade']);
let requests = 0;
const kinds = {};

/** WebHDFS: the `op` parameter; S3: the method, LIST for a listing (ListObjects v1 or v2). */
function kindOf(method, url) {
  const mark = url.indexOf('?');
  const path = mark === -1 ? url : url.slice(0, mark);
  const query = new URLSearchParams(mark === -1 ? '' : url.slice(mark + 1));
  if (query.has('op')) return query.get('op').toUpperCase();
  const bucketOnly = path.replace(/^\/+|\/+$/g, '').split('/').length === 1;
  if (method === 'GET' && bucketOnly && (query.has('list-type') || query.has('prefix')))
    return 'LIST';
  return method;
}

const withoutHopByHop = (headers) =>
  Object.fromEntries(Object.entries(headers).filter(([name]) => !HOP_BY_HOP.has(name)));

const server = createServer((req, res) => {
  if (req.url === '/_count-proxy') {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ requests, kinds }));
    return;
  }
  requests++;
  const kind = kindOf(req.method, req.url);
  kinds[kind] = (kinds[kind] ?? 0) + 1;
  const forward = request(
    {
      host: upstream.hostname,
      port: upstream.port,
      method: req.method,
      path: req.url,
      headers: withoutHopByHop(req.headers),
      agent,
    },
    (answer) => {
      res.writeHead(answer.statusCode, answer.statusMessage, withoutHopByHop(answer.headers));
      answer.pipe(res);
    },
  );
  forward.on('error', (error) => {
    if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
    res.end(`count-proxy: ${error.message}`);
  });
  req.pipe(forward);
});
server.keepAliveTimeout = 30_000;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`http://127.0.0.1:${server.address().port}\n`);
});
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
