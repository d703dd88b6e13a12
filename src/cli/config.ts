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
    executor: z.enum(['local']).optional(),
    failFast: z.boolean().optional(),
    wait: z.boolean().optional(),
    retries: count.optional(),
    retryDelayMs: count.optional(),
    timeoutMs: z.number().positive().optional(),
    resources: z.record(z.string(), z.number().nonnegative()).optional(),
    lockDir: z.string().min(1).optional(),
    logDir: z.string().min(1).optional(),
    logFormat: z.enum(['text', 'json']).optional(),
    params: z.record(z.string(), z.record(z.string(), z.unknown())).optional(),
  });
  const result = schema.safeParse(raw);
  if (result.success) return result.data as DagConfig;
  const issue = result.error.issues[0]!;
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0]!;
    // The schema's own keys, so this list never drifts from what is accepted.
    const known = Object.keys(schema.shape);
    const hint = closest(key, known);
    const where = issue.path.length > 0 ? ` in ${issue.path.join('.')}` : '';
    throw new UsageError(
      `${path}: unknown key '${key}'${where}${hint ? ` (did you mean '${hint}'?)` : ''}; known keys: ${known.join(', ')}`,
    );
  }
  const key = issue.path.join('.') || '(root)';
  throw new UsageError(`${path}: invalid value for '${key}': ${issue.message}`);
}
