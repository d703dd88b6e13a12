/**
 * Loads task modules (`.ts` directly, through tsx) and collects the task families they export.
 */
import { existsSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import Module, { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { UsageError, messageOf } from '../errors.js';
import type { ParamShape } from '../params/param.js';
import { Task, isTaskFamily } from '../task.js';
import { classMeta, closest } from '../task-class.js';

const TYPESCRIPT = new Set(['.ts', '.mts', '.cts', '.tsx']);
let commonjsHook: Promise<void> | undefined;
let esmHook: Promise<void> | undefined;

/**
 * Imports one module file. TypeScript goes through tsx, by its CommonJS hook first: it compiles
 * `.ts` in ESM and CommonJS projects alike (`import.meta.url` included) and costs about 5 ms to
 * register, where the ESM hook starts a loader thread (about 100 ms). A module that only works
 * as ESM (top-level await, `.mts`) is loaded through the ESM hook instead.
 */
export async function importModule(path: string): Promise<Record<string, unknown>> {
  if (!existsSync(path)) throw new UsageError(`module not found: ${path}`);
  try {
    const extension = extname(path);
    if (!TYPESCRIPT.has(extension)) return await importEsm(path);
    if (extension !== '.mts') {
      try {
        return await requireTypeScript(path);
      } catch (error) {
        if (!/top-level await|ERR_REQUIRE_ESM|ERR_REQUIRE_ASYNC_MODULE/i.test(String(error)))
          throw error;
      }
    }
    esmHook ??= import('tsx/esm/api').then((tsx) => void tsx.register());
    await esmHook;
    return await importEsm(path);
  } catch (error) {
    throw new UsageError(`module ${path} failed to load: ${firstLine(messageOf(error))}`, {
      cause: error,
    });
  }
}

async function requireTypeScript(path: string): Promise<Record<string, unknown>> {
  commonjsHook ??= Promise.all([import('tsx/cjs/api'), shareOwnInstance()]).then(
    ([tsx]) => void tsx.register(),
  );
  await commonjsHook;
  return createRequire(import.meta.url)(path) as Record<string, unknown>;
}

/** `import()`; a CommonJS module's exports arrive as `default` and are merged in. */
async function importEsm(path: string): Promise<Record<string, unknown>> {
  const namespace = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  const commonjs = namespace.default;
  if (typeof commonjs === 'object' && commonjs !== null && !Array.isArray(commonjs)) {
    return { ...(commonjs as Record<string, unknown>), ...namespace };
  }
  return namespace;
}

/**
 * tsx's CommonJS hook would compile this package's ESM files afresh for a `require('dagwright')`
 * in a CommonJS `.ts` module, giving a second `Task` class that the planner does not recognise.
 * Seeding the require cache with the instance already loaded keeps one copy.
 */
async function shareOwnInstance(): Promise<void> {
  const path = fileURLToPath(import.meta.resolve('dagwright'));
  const cache = createRequire(import.meta.url).cache;
  if (cache[path]) return;
  const api: Record<string, unknown> = await import(pathToFileURL(path).href);
  const entry = new Module(path);
  entry.filename = path;
  entry.loaded = true;
  entry.exports = { __esModule: true, ...api };
  cache[path] = entry;
}

function firstLine(text: string): string {
  return text.split('\n')[0]!.trim();
}

/** A task class as the CLI sees it. */
export type TaskClass = (new (args?: object) => Task) & {
  readonly name: string;
  readonly params: ParamShape;
};

export interface Family {
  readonly name: string;
  readonly cls: TaskClass;
  readonly module: string;
}

/** The task families exported by the loaded modules. */
export class Registry {
  readonly #families = new Map<string, Family[]>();

  add(cls: TaskClass, module: string): void {
    const name = classMeta(cls).family;
    const list = this.#families.get(name) ?? [];
    if (list.some((family) => family.cls === cls)) return;
    list.push({ name, cls, module });
    this.#families.set(name, list);
  }

  /** The family, or a usage error with the closest names. */
  get(name: string): Family {
    const list = this.#families.get(name);
    if (!list) {
      const hint = closest(name, this.#families.keys());
      const known = [...this.#families.keys()].sort();
      const listed =
        known.length === 0
          ? 'no task classes are exported by the loaded modules'
          : `known: ${known.join(', ')}`;
      throw new UsageError(
        `unknown task family '${name}'${hint ? ` (did you mean '${hint}'?)` : ''}; ${listed}`,
      );
    }
    if (list.length > 1) {
      throw new UsageError(
        `task family '${name}' is defined twice (${list.map((family) => family.module).join(' and ')}); set "static family" on one of them`,
      );
    }
    return list[0]!;
  }

  has(name: string): boolean {
    return this.#families.has(name);
  }

  all(): Family[] {
    return [...this.#families.values()].flat().sort((a, b) => a.name.localeCompare(b.name));
  }
}

/** Loads each module (paths relative to `baseDir`) and registers the task classes it exports. */
export async function loadModules(paths: readonly string[], baseDir: string): Promise<Registry> {
  const registry = new Registry();
  for (const path of paths) {
    const absolute = resolve(baseDir, path);
    const exports = await importModule(absolute);
    for (const value of Object.values(exports)) {
      if (isTaskClass(value)) registry.add(value, path);
      else if (looksLikeForeignTaskClass(value)) {
        throw new UsageError(
          `module ${path} uses a different copy of dagwright than this dag command (${fileURLToPath(import.meta.resolve('dagwright'))}); run the project's own: npx dag`,
        );
      }
    }
  }
  return registry;
}

function isTaskClass(value: unknown): value is TaskClass {
  return isTaskFamily(value);
}

/** A task class built on another copy of this package: same shape, different base class. */
function looksLikeForeignTaskClass(value: unknown): boolean {
  return (
    typeof value === 'function' &&
    value !== Task &&
    typeof (value as { with?: unknown }).with === 'function' &&
    typeof (value.prototype as { paramPath?: unknown } | undefined)?.paramPath === 'function' &&
    !(value.prototype instanceof Task)
  );
}
