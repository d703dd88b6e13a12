/**
 * `dag.config.{ts,mjs,js,json}`: modules to load plus defaults for options and per-family
 * parameters. Validated strictly; every error names the file and the key.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { closest } from '../task-class.js';
import type { DagConfig } from '../config.js';
import { importModule } from './modules.js';

/** Executors the CLI knows by name. */
export const EXECUTORS = ['local', 'docker', 'nomad'] as const;

export const CONFIG_NAMES = [
  'dag.config.ts',
  'dag.config.mts',
  'dag.config.mjs',
  'dag.config.js',
  'dag.config.json',
];

export interface LoadedConfig {
  readonly path: string | undefined;
  /** Folder that relative paths in the config are relative to. */
  readonly dir: string;
  readonly config: DagConfig;
}

/** Loads `explicit`, or the one `dag.config.*` in `cwd`, or nothing. */
export async function loadConfig(explicit: string | undefined, cwd: string): Promise<LoadedConfig> {
  let path: string | undefined;
  if (explicit) {
    path = resolve(cwd, explicit);
    if (!existsSync(path)) throw new UsageError(`config file not found: ${explicit}`);
  } else {
    const found = CONFIG_NAMES.filter((name) => existsSync(resolve(cwd, name)));
    if (found.length > 1)
      throw new UsageError(`found ${found.join(' and ')} in ${cwd}; keep only one`);
    path = found[0] && resolve(cwd, found[0]);
  }
  if (!path) return { path: undefined, dir: cwd, config: {} };
  const raw = path.endsWith('.json') ? readJson(path) : await importConfig(path);
  return { path, dir: dirname(path), config: await validate(raw, path) };
}

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new UsageError(`${path}: not valid JSON: ${(error as Error).message}`);
  }
}

async function importConfig(path: string): Promise<unknown> {
  const loaded = (await importModule(path)) as { default?: unknown };
  if (loaded.default === undefined)
    throw new UsageError(
      `${path}: export the config as default (export default defineConfig({...}))`,
    );
  return loaded.default;
}

async function validate(raw: unknown, path: string): Promise<DagConfig> {
  const { z } = await import('zod');
  const count = z.number().int().nonnegative();
  const schema = z.strictObject({
    modules: z.array(z.string().min(1)).optional(),
    workers: z.number().int().positive().optional(),
    executor: z.enum(EXECUTORS).optional(),
    executors: z.record(z.string(), z.enum(EXECUTORS)).optional(),
    docker: z
      .strictObject({
        socket: z.string().min(1).optional(),
        network: z.string().min(1).optional(),
        env: z.record(z.string(), z.string()).optional(),
        passEnv: z.array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/)).optional(),
      })
      .optional(),
    nomad: z
      .strictObject({
        env: z.record(z.string(), z.string()).optional(),
        passEnv: z.array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/)).optional(),
        network: z.string().min(1).optional(),
        sharedPaths: z.array(z.string().min(1)).optional(),
        datacenters: z.array(z.string().min(1)).min(1).optional(),
        queueTimeoutMs: z.number().int().positive().optional(),
        mhzPerCpu: z.number().positive().optional(),
      })
      .optional(),
    pipeline: z
      .strictObject({
        image: z.string().min(1),
        command: z.array(z.string().min(1)).min(1).optional(),
        workdir: z.string().regex(/^\//, 'must be an absolute path in the image').optional(),
      })
      .optional(),
    failFast: z.boolean().optional(),
    wait: z.boolean().optional(),
    retries: count.optional(),
    retryDelayMs: count.optional(),
    timeoutMs: z.number().positive().optional(),
    resources: z.record(z.string(), z.number().nonnegative()).optional(),
    artifactRoot: z.string().min(1).optional(),
    s3: z
      .strictObject({
        endpoint: z.url().optional(),
        region: z.string().min(1).optional(),
        forcePathStyle: z.boolean().optional(),
        profile: z.string().min(1).optional(),
        requestTimeoutMs: z.number().int().positive().optional(),
        maxAttempts: z.number().int().positive().optional(),
      })
      .optional(),
    hdfs: z
      .strictObject({
        namenodes: z.record(z.string(), z.url()).optional(),
        user: z.string().min(1).optional(),
        requestTimeoutMs: z.number().int().positive().optional(),
      })
      .optional(),
    lockDir: z.string().min(1).optional(),
    lockStore: z.string().min(1).optional(),
    logDir: z.string().min(1).optional(),
    logFormat: z.enum(['text', 'json']).optional(),
    params: z.record(z.string(), z.record(z.string(), z.unknown())).optional(),
  });
  rejectSecrets(raw, path);
  const result = schema.safeParse(raw);
  if (result.success) return result.data as DagConfig;
  const issue = result.error.issues[0]!;
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0]!;
    // The schema's own keys, so this list never drifts from what is accepted.
    const known = Object.keys(keysAt(schema, issue.path));
    const hint = closest(key, known);
    const where = issue.path.length > 0 ? ` in ${issue.path.join('.')}` : '';
    throw new UsageError(
      `${path}: unknown key '${key}'${where}${hint ? ` (did you mean '${hint}'?)` : ''}; known keys: ${known.join(', ')}`,
    );
  }
  const key = issue.path.join('.') || '(root)';
  throw new UsageError(`${path}: invalid value for '${key}': ${issue.message}`);
}

/** The shape of the object schema at `path` (the root or a nested section such as `s3`). */
function keysAt(schema: { shape: Record<string, unknown> }, path: readonly PropertyKey[]) {
  let shape = schema.shape;
  for (const key of path) {
    let inner = shape[String(key)] as { unwrap?: () => unknown; shape?: Record<string, unknown> };
    while (inner && !inner.shape && inner.unwrap) inner = inner.unwrap() as typeof inner;
    if (!inner?.shape) break;
    shape = inner.shape;
  }
  return shape;
}

const SECRET_KEYS =
  /^(accessKeyId|secretAccessKey|sessionToken|credentials|password|token|delegation)$/i;

/** Secrets come from the environment; a config file is committed and shared. */
function rejectSecrets(raw: unknown, path: string): void {
  for (const section of ['s3', 'hdfs'] as const) {
    const value = (raw as Record<string, unknown> | null)?.[section];
    if (typeof value !== 'object' || value === null) continue;
    const key = Object.keys(value).find((name) => SECRET_KEYS.test(name));
    if (key === undefined) continue;
    const where =
      section === 's3'
        ? 'AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or a profile (s3.profile / AWS_PROFILE)'
        : 'the HDFS_DELEGATION_TOKEN environment variable';
    throw new UsageError(
      `${path}: '${section}.${key}' is a secret and does not belong in a config file; set it through ${where}`,
    );
  }
}
