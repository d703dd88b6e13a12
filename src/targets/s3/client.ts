/**
 * The S3 client of this process. The AWS SDK costs ~100 ms to load, so it is imported on first
 * use only (the CLI must start fast for pipelines that never touch S3); only types are imported
 * statically. One client per settings generation: `configureStorage()` gives the next call a
 * fresh client that re-reads the settings and the environment.
 *
 * Configuration: `storageSettings().s3` over the AWS standard chain, so that the SDK's usual
 * environment (AWS_ENDPOINT_URL_S3, AWS_REGION, AWS_ACCESS_KEY_ID, AWS_PROFILE, ...) works with
 * no dagwright settings. Credentials come only from the SDK's chain, never from settings.
 */
import type {
  S3Client,
  S3ClientConfig,
  ServiceInputTypes,
  ServiceOutputTypes,
} from '@aws-sdk/client-s3';
import type { FinalizeRequestMiddleware } from '@smithy/types';
import { UsageError } from '../../errors.js';
import { settingsGeneration, storageSettings, type S3Settings } from '../settings.js';
import { ServerClock } from '../server-clock.js';

export type S3Sdk = typeof import('@aws-sdk/client-s3');
export type S3LibStorage = typeof import('@aws-sdk/lib-storage');

const DEFAULT_REGION = 'us-east-1';
const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
const CONNECTION_TIMEOUT_MS = 5_000;
const DEFAULT_MAX_ATTEMPTS = 3;

let sdk: Promise<S3Sdk> | undefined;
let libStorage: Promise<S3LibStorage> | undefined;

/** `@aws-sdk/client-s3`, loaded on first use. */
export function loadS3Sdk(): Promise<S3Sdk> {
  // Node 20 is supported by this SDK version; its "upgrade Node" notice is noise on stderr.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  return (sdk ??= import('@aws-sdk/client-s3'));
}

/** `@aws-sdk/lib-storage` (multipart uploads), loaded on first use. */
export function loadLibStorage(): Promise<S3LibStorage> {
  return (libStorage ??= loadS3Sdk().then(() => import('@aws-sdk/lib-storage')));
}

let cached: { readonly generation: number; readonly client: Promise<S3Client> } | undefined;

/** The client for the current settings; made (and the SDK loaded) on first call. */
export function s3Client(): Promise<S3Client> {
  const generation = settingsGeneration();
  if (cached?.generation !== generation) {
    // The previous client is not destroyed: requests of older targets may still be in flight.
    // Its idle keep-alive sockets do not hold the process open.
    clock = new ServerClock();
    const client = createClient();
    cached = { generation, client };
    // A failed creation (bad endpoint) is not cached: the next call reports it again.
    client.catch(() => {
      if (cached?.client === client) cached = undefined;
    });
  }
  return cached!.client;
}

async function createClient(): Promise<S3Client> {
  const settings: S3Settings = storageSettings().s3 ?? {};
  const endpoint = configuredEndpoint(settings);
  const { S3Client } = await loadS3Sdk();
  const config: S3ClientConfig = {
    region: settings.region ?? envRegion() ?? (await profileRegion(S3Client, settings.profile)),
    forcePathStyle: settings.forcePathStyle ?? (endpoint !== undefined && !isAwsHost(endpoint)),
    maxAttempts: settings.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    // The SDK has no request timeout by default (a stalled server hangs forever), and without
    // throwOnRequestTimeout a timeout only logs a warning (reference/services-s3.md 5e).
    requestHandler: {
      requestTimeout: settings.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
      throwOnRequestTimeout: true,
      connectionTimeout: CONNECTION_TIMEOUT_MS,
    },
  };
  if (endpoint !== undefined) config.endpoint = endpoint;
  // @aws-sdk/credential-providers is not a dependency; the client's own default chain honours
  // `profile` for both credentials and the shared config file.
  if (settings.profile !== undefined) config.profile = settings.profile;
  const client = new S3Client(config);
  client.middlewareStack.add(observeRequests, {
    step: 'finalizeRequest',
    name: 'dagwrightObserveRequests',
    // After the retry middleware, so that every attempt is seen.
    priority: 'low',
  });
  return client;
}

/** settings, else AWS_ENDPOINT_URL_S3, else AWS_ENDPOINT_URL; undefined: the SDK's default. */
function configuredEndpoint(settings: S3Settings): string | undefined {
  const endpoint =
    settings.endpoint || process.env.AWS_ENDPOINT_URL_S3 || process.env.AWS_ENDPOINT_URL;
  if (!endpoint) return undefined;
  try {
    new URL(endpoint);
  } catch {
    throw new UsageError(
      `S3 endpoint ${JSON.stringify(redactUrl(endpoint))} is not a URL: use e.g. http://127.0.0.1:9000`,
    );
  }
  return endpoint;
}

function envRegion(): string | undefined {
  // The JS SDK reads AWS_REGION only; the CLI and other SDKs also honour AWS_DEFAULT_REGION.
  return process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION || undefined;
}

/** The region of the profile in ~/.aws/config, through the SDK's own loader; else the default. */
async function profileRegion(
  Client: S3Sdk['S3Client'],
  profile: string | undefined,
): Promise<string> {
  const probe = new Client(profile === undefined ? {} : { profile });
  try {
    return (await probe.config.region()) || DEFAULT_REGION;
  } catch {
    return DEFAULT_REGION;
  } finally {
    probe.destroy();
  }
}

function isAwsHost(endpoint: string): boolean {
  const host = new URL(endpoint).hostname.toLowerCase();
  return /(^|\.)amazonaws\.com(\.cn)?$/.test(host);
}

/** The endpoint requests go to, for messages: no userinfo, no query. */
export function s3EndpointLabel(): string {
  let endpoint: string | undefined;
  try {
    endpoint = configuredEndpoint(storageSettings().s3 ?? {});
  } catch {
    endpoint = undefined;
  }
  return endpoint === undefined ? 'the AWS S3 endpoint' : redactUrl(endpoint);
}

export function s3RequestTimeoutMs(): number {
  return storageSettings().s3?.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
}

function redactUrl(text: string): string {
  try {
    const url = new URL(text);
    url.username = '';
    url.password = '';
    url.search = '';
    url.hash = '';
    return url.href.replace(/\/$/, '');
  } catch {
    return text.replace(/\/\/[^/\s@]*@/, '//');
  }
}

// ---- What the client observes: request counts (tests) and the server's clock (leases). ----

const requestCounts = new Map<string, number>();
let clock = new ServerClock();

/** HTTP requests sent per command name (retries included) since the last reset. */
export function s3RequestCounts(): Readonly<Record<string, number>> {
  return Object.fromEntries(requestCounts);
}

export function resetS3RequestCounts(): void {
  requestCounts.clear();
}

/** Total requests since the last reset, optionally of the named commands only. */
export function s3RequestTotal(...commandNames: string[]): number {
  let total = 0;
  for (const [name, count] of requestCounts) {
    if (commandNames.length === 0 || commandNames.includes(name)) total += count;
  }
  return total;
}

/**
 * Now, on the S3 server's clock (ms since the epoch), as far as this process can tell from the
 * `Date` headers of responses: within about a second of the server, and exactly the local clock
 * while that is consistent with what the server said. Leases written by machines with skewed
 * clocks expire at the right time this way.
 */
export function serverNow(): number {
  return clock.now();
}

const observeRequests: FinalizeRequestMiddleware<ServiceInputTypes, ServiceOutputTypes> =
  (next, context) => async (args) => {
    const name = context.commandName ?? 'unknown';
    requestCounts.set(name, (requestCounts.get(name) ?? 0) + 1);
    const sentAt = Date.now();
    try {
      const result = await next(args);
      observeDate(result.response, sentAt);
      return result;
    } catch (error) {
      observeDate((error as { $response?: unknown } | undefined)?.$response, sentAt);
      throw error;
    }
  };

function observeDate(response: unknown, sentAt: number): void {
  const headers = (response as { headers?: Record<string, string | undefined> } | undefined)
    ?.headers;
  clock.observe(headers?.date ?? headers?.Date ?? null, sentAt, Date.now());
}
