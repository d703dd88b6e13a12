/** A project running test/fixtures/time-pipeline.ts, for the backfill and cron tests. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { makeProject, type Project } from './project.js';

export function timeProject(): Project {
  const project = makeProject();
  project.fixture('time-pipeline.ts');
  project.write('dag.config.json', JSON.stringify({ modules: ['time-pipeline.ts'] }));
  return project;
}

/** The ids of the tasks that ran, in order, across every process in the project. */
export function executions(project: Project): string[] {
  const path = project.path('executions.log');
  return existsSync(path) ? readFileSync(path, 'utf8').trim().split('\n') : [];
}

/** The names in a folder of the project, sorted; none when it does not exist. */
export function files(project: Project, folder: string): string[] {
  const path = project.path(folder);
  return existsSync(path) ? readdirSync(path).sort() : [];
}
