/** What every task subcommand starts from: the config and the loaded task modules. */
import { UsageError } from '../errors.js';
import type { DagConfig } from '../config.js';
import { loadConfig, type LoadedConfig } from './config.js';
import { loadModules, Registry } from './modules.js';
import type { Prescan } from './prescan.js';

export interface CliContext {
  readonly cwd: string;
  readonly loaded: LoadedConfig;
  readonly config: DagConfig;
  readonly registry: Registry;
}

/**
 * `--module` flags win over the config's `modules`. With `lenient` (help requested), a module
 * that fails to load gives an empty registry instead of an error.
 */
export async function loadContext(pre: Prescan, cwd: string, lenient = false): Promise<CliContext> {
  try {
    const loaded = await loadConfig(pre.config, cwd);
    const fromFlags = pre.modules.length > 0;
    const modules = fromFlags ? pre.modules : (loaded.config.modules ?? []);
    if (modules.length === 0) {
      throw new UsageError(
        'no task modules to load: pass --module <file> or list them under "modules" in dag.config.json',
      );
    }
    const registry = await loadModules(modules, fromFlags ? cwd : loaded.dir);
    return { cwd, loaded, config: loaded.config, registry };
  } catch (error) {
    if (!lenient) throw error;
    return {
      cwd,
      loaded: { path: undefined, dir: cwd, config: {} },
      config: {},
      registry: new Registry(),
    };
  }
}
