/** Several `dag` processes over the same DAG: leases make every task run exactly once. */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { jsonOf, makeProject } from '../helpers/project.js';

describe('concurrent dag processes', () => {
  it('four concurrent `dag run` over the same DAG execute every task exactly once', async () => {
    const project = makeProject();
    project.fixture('pipeline.ts');
    project.write('dag.config.json', JSON.stringify({ modules: ['pipeline.ts'] }));
    // 8 reports x 3 countries x (extract, transform) + 8 reports = 56 tasks, 30 ms each.
    const args = ['run', 'Backfill', '--workers', '3', '--json'];
    const results = await Promise.all(
      [1, 2, 3, 4].map(() =>
        project.dag(args, { env: { TASK_DELAY_MS: '30' }, timeoutMs: 120_000 }),
      ),
    );
    for (const result of results) {
      expect(result.exitCode, String(result.stderr)).toBe(0);
    }

    const executed = readFileSync(project.path('executions.log'), 'utf8').trim().split('\n');
    expect(executed).toHaveLength(56);
    expect(new Set(executed).size).toBe(56);

    // Between them the processes ran each task once; the others found it complete (or made
    // by another process while they waited). Backfill is a wrapper without outputs.
    let ran = 0;
    for (const result of results) {
      for (const task of jsonOf(result).tasks) {
        if (task.family === 'Backfill') continue;
        expect(['succeeded', 'complete']).toContain(task.status);
        if (task.status === 'succeeded') ran++;
      }
    }
    expect(ran).toBe(56);
    for (let day = 1; day <= 8; day++) {
      expect(
        existsSync(project.path(`data/report/date=2024-02-0${day}/countries=de,fr,nl/report.txt`)),
      ).toBe(true);
    }
  });
});
