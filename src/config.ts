/** The shape of `dag.config.*`; the CLI loads and validates it (src/cli/config.ts). */

export interface DagConfig {
  /** Task modules, relative to the config file. */
  modules?: string[];
  workers?: number;
  executor?: 'local';
  failFast?: boolean;
  /** `false` behaves like `--no-wait`. */
  wait?: boolean;
  retries?: number;
  retryDelayMs?: number;
  timeoutMs?: number;
  /** Capacities of named resources, e.g. `{ gpu: 1 }`. */
  resources?: Record<string, number>;
  lockDir?: string;
  logDir?: string;
  logFormat?: 'text' | 'json';
  /** Per-family parameter values: `{ TrainModel: { depth: 8 } }`. */
  params?: Record<string, Record<string, unknown>>;
}

/** Identity function that gives a `dag.config.ts` its types. */
export function defineConfig(config: DagConfig): DagConfig {
  return config;
}
