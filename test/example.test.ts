/** examples/ml-pipeline, copied into a fresh project and run with the real `dag` executable. */
import { cpSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jsonOf, makeProject, repoRoot } from './helpers/project.js';

describe('examples/ml-pipeline', () => {
  it('runs end to end from a clean folder, then has nothing to do, then redoes only what is missing', async () => {
    const project = makeProject();
    const source = join(repoRoot, 'examples/ml-pipeline');
    for (const name of readdirSync(source).filter(
      (name) => !['data', '.dagwright'].includes(name),
    )) {
      cpSync(join(source, name), project.path(name), { recursive: true });
    }

    const first = await project.dag(['run', 'Report', '--date', '2024-01-01', '--json']);
    expect(first.exitCode, String(first.stderr)).toBe(0);
    expect(jsonOf(first).counts).toMatchObject({ total: 22, succeeded: 22 });

    const report = readFileSync(
      project.path('data/reports/date=2024-01-01/countries=de,fr,nl/l2=1/report.md'),
      'utf8',
    );
    for (const country of ['de', 'fr', 'nl']) {
      const row = report.split('\n').find((line) => line.startsWith(`| ${country} |`))!;
      const [mae, , baselineMae, predictions] = row
        .split('|')
        .slice(2)
        .map((cell) => Number(cell.trim()));
      expect(mae).toBeLessThan(baselineMae!);
      expect(predictions).toBe(500);
    }
    const metrics = JSON.parse(
      readFileSync(
        project.path('data/metrics/date=2024-01-01/country=de/l2=1/holdoutPercent=20/metrics.json'),
        'utf8',
      ),
    ) as { model: { mae: number; rmse: number } };
    expect(metrics.model.mae).toBeGreaterThan(0);
    expect(metrics.model.rmse).toBeGreaterThanOrEqual(metrics.model.mae);

    const second = await project.dag(['run', 'Report', '--date', '2024-01-01', '--json']);
    expect(jsonOf(second)).toMatchObject({ status: 'nothing_to_do', counts: { succeeded: 0 } });

    // Only what is missing below the root runs again.
    rmSync(project.path('data/predictions/date=2024-01-01/country=fr'), { recursive: true });
    rmSync(project.path('data/reports'), { recursive: true });
    const third = await project.dag(['run', 'Report', '--date', '2024-01-01', '--json']);
    expect(succeededFamilies(jsonOf(third).tasks)).toEqual(['BatchPredict', 'Report']);

    // A new hyperparameter gets new model artifacts; orders and features are reused.
    const fourth = await project.dag([
      'run',
      'Report',
      '--date',
      '2024-01-01',
      '--l2',
      '0.5',
      '--json',
    ]);
    expect(succeededFamilies(jsonOf(fourth).tasks)).toEqual(
      ['BatchPredict', 'Evaluate', 'TrainModel']
        .flatMap((family) => [family, family, family])
        .concat('Report')
        .sort(),
    );
  });
});

function succeededFamilies(tasks: ReadonlyArray<{ status: string; id: string }>): string[] {
  return tasks
    .filter((task) => task.status === 'succeeded')
    .map((task) => task.id.split('(')[0]!)
    .sort();
}
