/**
 * How a task runs in a pipeline image (Docker, Nomad): `dag exec-task <Family> --<param>=<value>...`.
 * Every parameter is passed, significant or not, so the task built there is this one; then every
 * per-family value this process was given (`--Family.param`, config `params`), so the upstream
 * tasks its `requires()` builds there are the ones built here. Each flag is one `--name=value`
 * argument: a value that starts with a dash, is empty, or looks like one of dag's own options
 * (`--config`, `-m`) is read back as a value, never as a flag.
 */
import { allFamilyDefaults } from '../params/family-defaults.js';
import type { Task } from '../task.js';
import { classMeta, flagName } from '../task-class.js';

export function execTaskArgv(task: Task, command: readonly string[] = ['dag']): string[] {
  const meta = classMeta(task.constructor as Parameters<typeof classMeta>[0]);
  const values = task as unknown as Readonly<Record<string, unknown>>;
  const flags = meta.names.map(
    (name, i) => `--${flagName(name)}=${meta.params[i]!.argument(values[name])}`,
  );
  const upstream = allFamilyDefaults().map(
    ({ family, name, param, value }) => `--${family}.${name}=${param.argument(value)}`,
  );
  return [...command, 'exec-task', task.family, ...flags, ...upstream];
}
