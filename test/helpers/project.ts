/**
 * Real user projects for tests: a temp folder with a package.json and `node_modules/dagwright`
 * linked to this repository (as after `npm install dagwright`), plus helpers to run the real
 * `dag` executable in it as a child process.
 */
import { execa, type Result, type ResultPromise } from 'execa';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll } from 'vitest';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const dagBin = join(repoRoot, 'dist/cli/bin.js');

export interface Project {
  readonly dir: string;
  /** Writes a file relative to the project. */
  write(path: string, content: string): string;
  read(path: string): string;
  /** Copies test/fixtures/<name> into the project, under the same name. */
  fixture(name: string): string;
  path(...parts: string[]): string;
  /** Runs `dag ...args` in the project; never throws on a non-zero exit. */
  dag(
    args: readonly string[],
    options?: { env?: Record<string, string>; timeoutMs?: number },
  ): ResultPromise<{ reject: false; stdin: 'ignore' }>;
}

const created: string[] = [];
afterAll(() => {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
});

export function makeProject(options: { type?: 'module' | 'commonjs' } = {}): Project {
  const dir = mkdtempSync(join(tmpdir(), 'dagwright-test-'));
  created.push(dir);
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(repoRoot, join(dir, 'node_modules', 'dagwright'), 'dir');
  const pkg: Record<string, string> = { name: 'test-project', version: '1.0.0' };
  if ((options.type ?? 'module') === 'module') pkg.type = 'module';
  writeFileSync(join(dir, 'package.json'), JSON.stringify(pkg, null, 2));
  return {
    dir,
    write(path, content) {
      const full = join(dir, path);
      mkdirSync(dirname(full), { recursive: true });
      writeFileSync(full, content);
      return full;
    },
    read(path) {
      return readFileSync(join(dir, path), 'utf8');
    },
    fixture(name) {
      return this.write(name, readFileSync(join(repoRoot, 'test/fixtures', name), 'utf8'));
    },
    path: (...parts) => join(dir, ...parts),
    dag(args, runOptions = {}) {
      return execa(process.execPath, [dagBin, ...args], {
        stdin: 'ignore',
        cwd: dir,
        reject: false,
        env: { ...runOptions.env, CI: '1' },
        timeout: runOptions.timeoutMs ?? 60_000,
      });
    },
  };
}

/** A project with test/fixtures/pipeline.ts as its module, named in dag.config.json. */
export function pipelineProject(type: 'module' | 'commonjs' = 'module'): Project {
  const project = makeProject({ type });
  project.fixture('pipeline.ts');
  project.write('dag.config.json', JSON.stringify({ modules: ['pipeline.ts'] }));
  return project;
}

/** Parses the `--json` document a `dag` run printed on stdout. */
export function jsonOf(result: Result): Record<string, unknown> & {
  status: string;
  exitCode: number;
  counts: Record<string, number>;
  tasks: Array<
    Record<string, unknown> & { id: string; status: string; reason: string; attempts: number }
  >;
} {
  try {
    return JSON.parse(String(result.stdout));
  } catch {
    throw new Error(
      `stdout is not JSON (exit ${result.exitCode}):\n${result.stdout}\nstderr:\n${result.stderr}`,
    );
  }
}

/** Polls `condition` every 20 ms; throws after `timeoutMs`. */
export async function waitFor(condition: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
