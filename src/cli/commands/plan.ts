/** `dag plan` (what would run, and why) and `dag check` (exit 0 only if all is complete). */
import type { Command } from 'commander';
import { plan, type Plan } from '../../graph/plan.js';
import type { Prescan } from '../prescan.js';
import { prepareTask } from '../task-command.js';
import type { Output } from '../main.js';

const addJson = (command: Command) => void command.option('--json', 'print the plan as JSON');
const addPlanOptions = (command: Command) =>
  void command
    .option('--json', 'print the plan as JSON')
    .option('--all', 'also expand complete tasks (the whole graph)');

export async function planCommand(
  argv: readonly string[],
  pre: Prescan,
  cwd: string,
  out: Output,
): Promise<number> {
  const { root, options, warnings } = await prepareTask(
    {
      name: 'plan',
      description: 'Show what would run, and why. Changes nothing.',
      addOptions: addPlanOptions,
    },
    argv,
    pre,
    cwd,
  );
  const thePlan = await plan([root], { expandComplete: Boolean(options.all) });
  for (const warning of warnings()) out.stderr(warning + '\n');
  out.stdout(options.json ? JSON.stringify(planDocument(thePlan)) + '\n' : planText(thePlan));
  return 0;
}

export async function checkCommand(
  argv: readonly string[],
  pre: Prescan,
  cwd: string,
  out: Output,
): Promise<number> {
  const { root, options } = await prepareTask(
    {
      name: 'check',
      description: 'Exit 0 if the task and everything it needs are complete, 1 otherwise.',
      addOptions: addJson,
    },
    argv,
    pre,
    cwd,
  );
  const thePlan = await plan([root]);
  const complete = thePlan.roots.every((i) => thePlan.nodes[i]!.status === 'complete');
  if (options.json) out.stdout(JSON.stringify({ complete, ...planDocument(thePlan) }) + '\n');
  else
    out.stdout(
      complete ? `complete: ${root.id}\n` : `incomplete: ${root.id}\n${planText(thePlan, true)}`,
    );
  return complete ? 0 : 1;
}

/** The `dag plan --json` document (DESIGN.md 6). */
export function planDocument(thePlan: Plan) {
  return {
    tasks: thePlan.order.map((i) => {
      const { task, status, reason, deps, outputs } = thePlan.nodes[i]!;
      return {
        id: task.id,
        hash: task.hash,
        family: task.family,
        params: task.canonicalParams,
        status,
        reason,
        deps: deps.map((d) => thePlan.nodes[d]!.task.id),
        outputs: outputs.map((target) => target.uri),
      };
    }),
  };
}

const MARK: Record<string, string> = {
  complete: '✓',
  pending: '○',
  missing_external: '✗',
  upstream_missing: '-',
};

function planText(thePlan: Plan, incompleteOnly = false): string {
  const counts: Record<string, number> = {};
  const lines: string[] = [];
  for (const i of thePlan.order) {
    const { task, status, reason } = thePlan.nodes[i]!;
    counts[status] = (counts[status] ?? 0) + 1;
    if (incompleteOnly && status === 'complete') continue;
    lines.push(`${MARK[status] ?? '?'} ${status.padEnd(16)} ${task.id}  (${reason})`);
  }
  const summary = Object.entries(counts)
    .map(([status, n]) => `${n} ${status}`)
    .join(', ');
  return `${lines.join('\n')}\n${thePlan.nodes.length} tasks: ${summary}\n`;
}
