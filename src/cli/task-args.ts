/**
 * Task parameters on the command line: `--<param> value` for the named family (kebab-case),
 * `--<Family>.<param> value` for every instance of an upstream family, and per-family values
 * from the config. Values are parsed by the parameter's kind; errors name the flag.
 */
import { Option, type Command } from 'commander';
import { MissingParameterError, ParameterError } from '../errors.js';
import { setFamilyDefault, wasFamilyDefaultUsed } from '../params/family-defaults.js';
import { ParamValueError, type AnyParam } from '../params/param.js';
import type { Task } from '../task.js';
import { classMeta, flagName } from '../task-class.js';
import type { Family, Registry } from './modules.js';

interface ParamFlag {
  readonly family: Family;
  readonly name: string;
  readonly param: AnyParam;
  readonly option: Option;
  /** `true` for `--Family.param` overrides. */
  readonly upstream: boolean;
}

export interface TaskFlags {
  readonly root: Family | undefined;
  readonly flags: readonly ParamFlag[];
}

/** Adds the parameter flags of `root` (shown in help) and the hidden upstream overrides. */
export function addTaskFlags(
  command: Command,
  registry: Registry,
  root: Family | undefined,
): TaskFlags {
  const flags: ParamFlag[] = [];
  if (root) {
    const meta = classMeta(root.cls);
    const taken = new Set(command.options.map((option) => option.long));
    meta.names.forEach((name, i) => {
      const param = meta.params[i]!;
      const flag = flagName(name);
      // A parameter named like one of the command's options (`--limit`) keeps its
      // `--Family.param` form only.
      if (taken.has(`--${flag}`)) return;
      const isBool = param.typeName === 'bool';
      const option = new Option(
        `--${flag} ${isBool ? '[true|false]' : '<value>'}`,
        describe(param),
      );
      command.addOption(option);
      if (isBool) command.addOption(new Option(`--no-${flag}`).hideHelp());
      flags.push({ family: root, name, param, option, upstream: false });
    });
  }
  for (const family of registry.all()) {
    const meta = classMeta(family.cls);
    meta.names.forEach((name, i) => {
      const option = new Option(`--${family.name}.${name} <value>`).hideHelp();
      command.addOption(option);
      flags.push({ family, name, param: meta.params[i]!, option, upstream: true });
    });
  }
  return { root, flags };
}

function describe(param: AnyParam): string {
  const parts = [param.typeName];
  if (param.description) parts.push(param.description);
  if (param.hasDefault) parts.push(`default: ${param.serialize(param.defaultValue)}`);
  else parts.push('required');
  if (!param.significant) parts.push('not significant');
  return parts.join('; ');
}

/** Accepts `--Family.kebab-name` as well as `--Family.camelName`. */
export function normalizeUpstreamFlags(argv: readonly string[], registry: Registry): string[] {
  return argv.map((arg) => {
    const match = /^--([A-Za-z_][\w.]*)\.([a-z0-9-]+)(=.*)?$/.exec(arg);
    if (!match || !registry.has(match[1]!)) return arg;
    const meta = classMeta(registry.get(match[1]!).cls);
    const name = meta.names.find((candidate) => flagName(candidate) === match[2]);
    return name ? `--${match[1]}.${name}${match[3] ?? ''}` : arg;
  });
}

/** An upstream override given on the command line. */
export interface UpstreamFlag {
  readonly family: string;
  readonly name: string;
}

/** Warnings for `--Family.param` flags that no constructed task took. Call after planning. */
export function unusedOverrides(upstream: readonly UpstreamFlag[]): string[] {
  return upstream
    .filter((flag) => !wasFamilyDefaultUsed(flag.family, flag.name))
    .map(
      (flag) =>
        `warning: --${flag.family}.${flag.name} set no task: no ${flag.family} was planned without an explicit ${flag.name} (the task that requires it passes one)`,
    );
}

/**
 * Applies config `params` then `--Family.param` flags as family defaults, and returns the
 * constructor arguments given for the root family and the upstream flags that were set.
 */
export function resolveTaskArgs(
  command: Command,
  taskFlags: TaskFlags,
  registry: Registry,
  configParams: Readonly<Record<string, Readonly<Record<string, unknown>>>> | undefined,
  configPath: string | undefined,
): { args: Record<string, unknown>; upstream: UpstreamFlag[] } {
  for (const [familyName, values] of Object.entries(configParams ?? {})) {
    const where = `${configPath ?? 'config'}: params.${familyName}`;
    if (!registry.has(familyName))
      throw new ParameterError(`${where}: unknown task family '${familyName}'`);
    const family = registry.get(familyName);
    const meta = classMeta(family.cls);
    for (const [name, raw] of Object.entries(values)) {
      const index = meta.names.indexOf(name);
      if (index === -1)
        throw new ParameterError(
          `${where}: unknown parameter '${name}'; known: ${meta.names.join(', ')}`,
        );
      const param = meta.params[index]!;
      setFamilyDefault(family.name, name, convert(param, raw, `${where}.${name}`), param);
    }
  }

  const args: Record<string, unknown> = {};
  const upstream: UpstreamFlag[] = [];
  for (const flag of taskFlags.flags) {
    const raw = command.getOptionValue(flag.option.attributeName()) as unknown;
    if (raw === undefined) continue;
    if (flag.upstream) {
      upstream.push({ family: flag.family.name, name: flag.name });
      setFamilyDefault(
        flag.family.name,
        flag.name,
        convert(flag.param, raw, `${flag.family.name}: --${flag.family.name}.${flag.name}`),
        flag.param,
      );
    } else {
      args[flag.name] = convert(flag.param, raw, `${flag.family.name}: --${flagName(flag.name)}`);
    }
  }
  return { args, upstream };
}

function convert(param: AnyParam, raw: unknown, where: string): unknown {
  try {
    if (typeof raw === 'boolean') return param.coerce(raw);
    if (typeof raw === 'string') return param.parse(raw);
    return param.coerce(raw);
  } catch (error) {
    if (error instanceof ParamValueError) throw new ParameterError(`${where}: ${error.message}`);
    throw error;
  }
}

/** Constructs the root task; a missing parameter error also says which flag to pass. */
export function constructTask(family: Family, args: Record<string, unknown>): Task {
  try {
    return new family.cls(args);
  } catch (error) {
    if (error instanceof MissingParameterError) {
      throw new MissingParameterError(
        `${error.message}; pass --${flagName(error.parameter)} <value>`,
        error.parameter,
      );
    }
    throw error;
  }
}
