/**
 * A small client for Nomad's HTTP API with `node:http`/`node:https` (custom CAs and client
 * certificates need them; fetch cannot take either). Settings come from Nomad's own variables
 * (NOMAD_ADDR, NOMAD_TOKEN, NOMAD_NAMESPACE, NOMAD_REGION, NOMAD_CACERT, NOMAD_CLIENT_CERT,
 * NOMAD_CLIENT_KEY, NOMAD_SKIP_VERIFY, NOMAD_TLS_SERVER_NAME). The token is sent as a header and
 * never appears in an error message.
 */
import { readFileSync } from 'node:fs';
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { UsageError } from '../../errors.js';

export interface NomadSettings {
  /** Default `http://127.0.0.1:4646`. */
  readonly address: string;
  readonly token?: string;
  readonly namespace?: string;
  readonly region?: string;
  readonly caCert?: string;
  readonly clientCert?: string;
  readonly clientKey?: string;
  readonly skipVerify?: boolean;
  readonly tlsServerName?: string;
}

/** The settings the `nomad` CLI would use, from the environment. */
export function nomadSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): NomadSettings {
  const value = (name: string) => (env[name] ? env[name] : undefined);
  return {
    address: value('NOMAD_ADDR') ?? 'http://127.0.0.1:4646',
    token: value('NOMAD_TOKEN'),
    namespace: value('NOMAD_NAMESPACE'),
    region: value('NOMAD_REGION'),
    caCert: value('NOMAD_CACERT'),
    clientCert: value('NOMAD_CLIENT_CERT'),
    clientKey: value('NOMAD_CLIENT_KEY'),
    skipVerify: /^(1|true)$/i.test(env.NOMAD_SKIP_VERIFY ?? ''),
    tlsServerName: value('NOMAD_TLS_SERVER_NAME'),
  };
}

/** A failed call: Nomad unreachable (`status` undefined) or an HTTP error with Nomad's text. */
export class NomadApiError extends Error {
  readonly status: number | undefined;
  readonly body: string;

  constructor(message: string, status?: number, body = '') {
    super(message.replace(/\s+/g, ' ').trim());
    this.name = 'NomadApiError';
    this.status = status;
    this.body = body;
  }
}

export interface Response<T> {
  readonly body: T;
  /** `X-Nomad-Index`: pass it back as `index` for a blocking query. */
  readonly index: number;
}

export interface RequestOptions {
  readonly query?: Readonly<Record<string, string | number | boolean | undefined>>;
  readonly body?: unknown;
  readonly signal?: AbortSignal;
  /** A blocking query: answers once the index passes `index`, or after `waitMs`. */
  readonly block?: { readonly index: number; readonly waitMs: number };
}

/** Longest a request without a blocking wait may take. */
const REQUEST_TIMEOUT_MS = 30_000;

export class NomadClient {
  readonly settings: NomadSettings;
  readonly #url: URL;
  readonly #agent: HttpAgent;
  readonly #request: typeof httpRequest;

  constructor(settings: NomadSettings) {
    this.settings = settings;
    try {
      this.#url = new URL(settings.address);
    } catch {
      throw new UsageError(
        `NOMAD_ADDR is not a URL: ${JSON.stringify(settings.address)} (e.g. http://127.0.0.1:4646)`,
      );
    }
    if (this.#url.protocol === 'https:') {
      this.#agent = new HttpsAgent({
        keepAlive: true,
        ca: settings.caCert ? readPem(settings.caCert, 'NOMAD_CACERT') : undefined,
        cert: settings.clientCert ? readPem(settings.clientCert, 'NOMAD_CLIENT_CERT') : undefined,
        key: settings.clientKey ? readPem(settings.clientKey, 'NOMAD_CLIENT_KEY') : undefined,
        rejectUnauthorized: !settings.skipVerify,
        servername: settings.tlsServerName,
      });
      this.#request = httpsRequest as typeof httpRequest;
    } else if (this.#url.protocol === 'http:') {
      this.#agent = new HttpAgent({ keepAlive: true });
      this.#request = httpRequest;
    } else {
      throw new UsageError(`NOMAD_ADDR must be http:// or https://, got ${this.#url.protocol}`);
    }
  }

  get<T>(path: string, options: RequestOptions = {}): Promise<Response<T>> {
    return this.call('GET', path, options);
  }

  async call<T>(method: string, path: string, options: RequestOptions = {}): Promise<Response<T>> {
    const { text, index, what } = await this.#send(method, path, options);
    try {
      return { body: (text === '' ? undefined : JSON.parse(text)) as T, index };
    } catch {
      throw new NomadApiError(`${what}: Nomad's answer is not JSON`, 200, text);
    }
  }

  /** Plain text (logs); `undefined` when Nomad answers 404. */
  async text(path: string, query: Record<string, string>): Promise<string | undefined> {
    try {
      return (await this.#send('GET', path, { query })).text;
    } catch (error) {
      if (error instanceof NomadApiError && error.status === 404) return undefined;
      throw error;
    }
  }

  /** One request; an HTTP error status or no answer rejects with a NomadApiError. */
  #send(
    method: string,
    path: string,
    options: RequestOptions,
  ): Promise<{ text: string; index: number; what: string }> {
    const url = new URL(`/v1${path}`, this.#url);
    const { namespace, region, token } = this.settings;
    const query: Record<string, string | number | boolean | undefined> = {
      namespace,
      region,
      ...options.query,
    };
    if (options.block) {
      query.index = options.block.index;
      query.wait = `${Math.max(1, Math.round(options.block.waitMs / 1000))}s`;
    }
    for (const [name, value] of Object.entries(query))
      if (value !== undefined) url.searchParams.set(name, String(value));
    const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
    // Nomad adds up to wait/16 of jitter to a blocking query.
    const timeoutMs = options.block ? options.block.waitMs * 1.1 + 10_000 : REQUEST_TIMEOUT_MS;
    const what = `${method} ${url.pathname}`;
    return new Promise((resolve, reject) => {
      const req = this.#request(url, {
        method,
        agent: this.#agent,
        signal: options.signal,
        timeout: timeoutMs,
        headers: {
          ...(token ? { 'X-Nomad-Token': token } : {}),
          ...(payload !== undefined
            ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) }
            : {}),
        },
      });
      req.on('timeout', () =>
        req.destroy(new NomadApiError(`${what}: no answer from Nomad in ${timeoutMs} ms`)),
      );
      req.on('error', (error: NodeJS.ErrnoException) => {
        if (error instanceof NomadApiError || error.name === 'AbortError') return reject(error);
        reject(
          new NomadApiError(
            `cannot reach Nomad at ${this.#url.origin} (${error.code ?? error.message}); set NOMAD_ADDR`,
          ),
        );
      });
      req.on('response', (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const status = res.statusCode ?? 0;
          if (status >= 400) {
            const hint = status === 403 ? ' (check NOMAD_TOKEN and its policy)' : '';
            return reject(
              new NomadApiError(`${what}: Nomad answered ${status}: ${text}${hint}`, status, text),
            );
          }
          resolve({ text, index: Number(res.headers['x-nomad-index'] ?? 0), what });
        });
      });
      req.end(payload);
    });
  }

  close(): void {
    this.#agent.destroy();
  }
}

function readPem(path: string, variable: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new UsageError(`${variable}: cannot read ${path} (${(error as Error).message})`);
  }
}
