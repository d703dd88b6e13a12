/** A fresh temp folder per test, made the working directory so relative artifact paths land in it. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { MemoryTarget } from '../../src/index.js';
import { clearFamilyDefaults } from '../../src/params/family-defaults.js';

export function useWorkdir(): { readonly dir: string } {
  const state = { dir: '' };
  let previous = '';
  beforeEach(() => {
    previous = process.cwd();
    state.dir = mkdtempSync(join(tmpdir(), 'dagwright-run-'));
    process.chdir(state.dir);
    MemoryTarget.clear();
    clearFamilyDefaults();
  });
  afterEach(() => {
    process.chdir(previous);
    rmSync(state.dir, { recursive: true, force: true });
  });
  return state;
}
