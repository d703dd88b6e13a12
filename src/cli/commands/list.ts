/** `dag list`: the task families of the loaded modules and their parameters. */
import { classMeta, flagName } from '../../task-class.js';
import { addLoadOptions, newCommand, parseArgs } from '../command.js';
import { loadContext } from '../context.js';
import type { Prescan } from '../prescan.js';
import type { Output } from '../main.js';

export async function listCommand(
  argv: readonly string[],
  pre: Prescan,
  cwd: string,
  out: Output,
): Promise<number> {
  const command = addLoadOptions(
    newCommand('list', 'List task families and their parameters.'),
  ).option('--json', 'print JSON');
  parseArgs(command, argv);
  const { registry } = await loadContext(pre, cwd);
  const families = registry.all().map((family) => {
    const meta = classMeta(family.cls);
    return {
      family: family.name,
      module: family.module,
      params: meta.names.map((name, i) => {
        const param = meta.params[i]!;
        return {
          name,
          flag: `--${flagName(name)}`,
          type: param.typeName,
          required: !param.hasDefault,
          ...(param.hasDefault ? { default: param.serialize(param.defaultValue) } : {}),
          significant: param.significant,
          ...(param.description ? { description: param.description } : {}),
        };
      }),
    };
  });
  if (command.opts().json) {
    out.stdout(JSON.stringify({ families }) + '\n');
    return 0;
  }
  const lines: string[] = [];
  for (const family of families) {
    lines.push(`${family.family}  (${family.module})`);
    for (const param of family.params) {
      const detail = [
        param.type,
        param.required ? 'required' : `default ${param.default}`,
        param.description,
      ].filter(Boolean);
      lines.push(`  ${param.flag.padEnd(22)} ${detail.join('; ')}`);
    }
  }
  out.stdout((lines.length > 0 ? lines.join('\n') : 'no task families found') + '\n');
  return 0;
}
