/**
 * A small client for the Docker Engine API over its unix socket (API 1.41, engine 20.10+), with
 * `node:http` only: the endpoints one container per attempt needs, errors as one-line messages
 * with the HTTP status and the daemon's own `message`.
 */
import { Agent, request, type IncomingMessage } from 'node:http';
import { pipeline, type Readable } from 'node:stream';
import { UsageError } from '../../errors.js';
import { LogDemuxer, type LogFrame } from './demux.js';

const API = '/v1.41';
export const DEFAULT_SOCKET = '/var/run/docker.sock';

/** What `createContainer` sends; only the fields dagwright uses. */
export interface ContainerSpec {
  readonly Image: string;
  readonly Cmd: readonly string[];
  readonly Env: readonly string[];
  readonly Labels: Readonly<Record<string, string>>;
  readonly WorkingDir?: string;
  readonly User?: string;
  readonly HostConfig: {
    readonly Mounts?: readonly BindMount[];
    readonly NetworkMode?: string;
    readonly Init?: boolean;
    readonly AutoRemove?: boolean;
    readonly Memory?: number;
    readonly MemorySwap?: number;
    readonly NanoCpus?: number;
  };
}

export interface BindMount {
  readonly Type: 'bind';
  readonly Source: string;
  readonly Target: string;
  readonly ReadOnly: boolean;
}

export interface WaitResult {
  readonly StatusCode: number;
  readonly Error?: { readonly Message?: string } | null;
}

export interface ContainerInfo {
  readonly Id: string;
  readonly Name: string;
  readonly State: {
    readonly Status: string;
    readonly ExitCode: number;
    readonly OOMKilled: boolean;
    readonly Error?: string;
  };
}

export interface ContainerSummary {
  readonly Id: string;
  readonly Names: readonly string[];
  readonly Labels: Readonly<Record<string, string>>;
  readonly State: string;
}

/** A wait registered with the daemon; `exited` settles when the container next exits. */
export interface ContainerWait {
  readonly exited: Promise<WaitResult>;
}

/** A failed call: dockerd unreachable (`status` undefined) or an HTTP error status. */
export class DockerEngineError extends Error {
  readonly status: number | undefined;
  /** The daemon's `message`, as sent. */
  readonly daemonMessage: string | undefined;

  constructor(message: string, status?: number, daemonMessage?: string) {
    super(oneLine(message));
    this.name = 'DockerEngineError';
    this.status = status;
    this.daemonMessage = daemonMessage;
  }
}

/** The socket named by `DOCKER_HOST=unix://...`, else the default one. */
export function socketPathFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  const host = env.DOCKER_HOST;
  if (!host) return DEFAULT_SOCKET;
  if (host.startsWith('unix://')) return host.slice('unix://'.length);
  throw new UsageError(
    `DOCKER_HOST=${host} is not supported: dagwright talks to dockerd over a unix socket (set docker.socket)`,
  );
}

interface CallOptions {
  readonly body?: unknown;
  readonly signal?: AbortSignal;
  /** Statuses that are not errors (besides 2xx), e.g. 404 for "already gone". */
  readonly accept?: readonly number[];
}

export class DockerEngine {
  readonly socketPath: string;
  // Keep-alive: most calls of an attempt reuse one connection. Idle sockets do not hold the
  // process open.
  readonly #agent = new Agent({ keepAlive: true, maxFreeSockets: 4 });

  constructor(socketPath: string = socketPathFromEnv()) {
    this.socketPath = socketPath;
  }

  async ping(): Promise<void> {
    await this.#json('GET', '/_ping');
  }

  async imageExists(image: string): Promise<boolean> {
    const { status } = await this.#call('GET', `/images/${segment(image)}/json`, { accept: [404] });
    return status !== 404;
  }

  /** Creates a container; returns its id. */
  async createContainer(name: string, spec: ContainerSpec): Promise<string> {
    const created = await this.#json('POST', `/containers/create?name=${segment(name)}`, {
      body: spec,
    });
    return (created as { Id: string }).Id;
  }

  async startContainer(id: string): Promise<void> {
    await this.#call('POST', `/containers/${segment(id)}/start`);
  }

  /**
   * Registers a wait for the container's next exit. Resolves once the daemon has registered it
   * (it answers the headers then), so calling this before `startContainer` misses no exit.
   */
  async waitContainer(id: string): Promise<ContainerWait> {
    const path = `/containers/${segment(id)}/wait?condition=next-exit`;
    const response = await this.#send('POST', path, {});
    if (response.statusCode !== 200) await this.#fail('POST', path, response);
    const exited = readBody(response).then((body) => JSON.parse(body.toString()) as WaitResult);
    // The caller may stop listening (the attempt was cancelled); that is not an unhandled error.
    exited.catch(() => undefined);
    return { exited };
  }

  /** The container's output from its start, followed until it exits, as frames. */
  async logs(id: string, signal?: AbortSignal): Promise<Readable> {
    const path = `/containers/${segment(id)}/logs?stdout=1&stderr=1&follow=1`;
    const response = await this.#send('GET', path, { signal });
    if (response.statusCode !== 200) await this.#fail('GET', path, response);
    const frames = new LogDemuxer();
    pipeline(response, frames, () => undefined);
    return frames;
  }

  async inspect(id: string): Promise<ContainerInfo> {
    return (await this.#json('GET', `/containers/${segment(id)}/json`)) as ContainerInfo;
  }

  /** Sends a signal; a container that is gone or not running is not an error. */
  async kill(id: string, signal = 'SIGKILL'): Promise<void> {
    await this.#call('POST', `/containers/${segment(id)}/kill?signal=${signal}`, {
      accept: [404, 409],
    });
  }

  /** Removes a container and its anonymous volumes, killing it if it runs; gone is fine. */
  async remove(id: string): Promise<void> {
    await this.#call('DELETE', `/containers/${segment(id)}?force=1&v=1`, { accept: [404, 409] });
  }

  /** All containers, running or not, that carry every label (`key` or `key=value`). */
  async listContainers(labels: readonly string[]): Promise<ContainerSummary[]> {
    const filters = encodeURIComponent(JSON.stringify({ label: labels }));
    return (await this.#json(
      'GET',
      `/containers/json?all=1&filters=${filters}`,
    )) as ContainerSummary[];
  }

  /** Closes idle connections. */
  close(): void {
    this.#agent.destroy();
  }

  async #json(method: string, path: string, options: CallOptions = {}): Promise<unknown> {
    const { body } = await this.#call(method, path, options);
    const text = body.toString();
    return text.length === 0 || text === 'OK' ? undefined : JSON.parse(text);
  }

  async #call(
    method: string,
    path: string,
    options: CallOptions = {},
  ): Promise<{ status: number; body: Buffer }> {
    const response = await this.#send(method, path, options);
    const status = response.statusCode ?? 0;
    if ((status < 200 || status >= 300) && !options.accept?.includes(status))
      await this.#fail(method, path, response);
    return { status, body: await readBody(response) };
  }

  #send(method: string, path: string, options: CallOptions): Promise<IncomingMessage> {
    const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
    return new Promise((resolve, reject) => {
      const req = request(
        {
          socketPath: this.socketPath,
          agent: this.#agent,
          method,
          path: API + path,
          headers: payload
            ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }
            : {},
          signal: options.signal,
        },
        resolve,
      );
      req.on('error', (error) => reject(this.#connectionError(error)));
      req.end(payload);
    });
  }

  /** Throws the daemon's message for a response with an error status. */
  async #fail(method: string, path: string, response: IncomingMessage): Promise<never> {
    const status = response.statusCode ?? 0;
    const text = (await readBody(response).catch(() => Buffer.alloc(0))).toString();
    let message: string | undefined;
    try {
      message = (JSON.parse(text) as { message?: string }).message;
    } catch {
      message = text.trim() || undefined;
    }
    const what = path.replace(/\?.*$/, '');
    throw new DockerEngineError(
      `dockerd: ${method} ${what} failed with HTTP ${status}${message ? `: ${message}` : ''}`,
      status,
      message,
    );
  }

  #connectionError(error: NodeJS.ErrnoException): Error {
    if (error.name === 'AbortError') return error;
    const where = this.socketPath;
    if (error.code === 'ENOENT' || error.code === 'ECONNREFUSED')
      return new DockerEngineError(
        `cannot reach dockerd at ${where}: is it running? (set docker.socket)`,
      );
    if (error.code === 'EACCES')
      return new DockerEngineError(
        `no permission to use dockerd at ${where}: add this user to the docker group (set docker.socket)`,
      );
    return new DockerEngineError(`dockerd at ${where}: ${error.message}`);
  }
}

function readBody(response: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    response.on('data', (chunk: Buffer) => chunks.push(chunk));
    response.on('end', () => resolve(Buffer.concat(chunks)));
    response.on('error', reject);
    response.on('aborted', () => reject(new DockerEngineError('dockerd closed the connection')));
  });
}

/** A name or id as one path segment; image names keep their `/` and `:`. */
function segment(value: string): string {
  return encodeURIComponent(value).replace(/%2F/gi, '/').replace(/%3A/gi, ':');
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

export type { LogFrame };
