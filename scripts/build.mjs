/**
 * Builds dist/: type declarations from tsc, code from esbuild. The library (dist/index.js) and
 * the CLI (dist/cli/bin.js) are bundled with code splitting, so they share one copy of the
 * engine (one `Task` class for user modules and the CLI alike) and `dag` starts by loading a
 * few files instead of dozens (about 100 ms less start-up on this machine).
 */
import { build } from 'esbuild';
import { chmodSync, readFileSync } from 'node:fs';

/** Used only inside the engine: bundled, so they cost no module loading at start-up. */
const BUNDLED = new Set([
  'commander',
  '@dagrejs/graphlib',
  'fastest-levenshtein',
  'safe-stable-stringify',
]);

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

await build({
  entryPoints: ['src/index.ts', 'src/cli/bin.ts'],
  outdir: 'dist',
  outbase: 'src',
  entryNames: '[dir]/[name]',
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  // Dependencies stay dependencies: users share them (Temporal, zod), or they load only when
  // needed (tsx for .ts modules, execa for programs, log-update on a terminal).
  external: Object.keys(pkg.dependencies).filter((name) => !BUNDLED.has(name)),
  // Bundled CommonJS dependencies call require(); give ESM chunks one.
  banner: {
    js: "import { createRequire as __dagwrightRequire } from 'node:module'; const require = __dagwrightRequire(import.meta.url);",
  },
  logLevel: 'warning',
});
chmodSync('dist/cli/bin.js', 0o755);
