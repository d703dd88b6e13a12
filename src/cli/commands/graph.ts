/** `dag graph <Family> --format dot|mermaid|json`: the planned graph, coloured by status. */
import { Graph, json } from '@dagrejs/graphlib';
import { Option } from 'commander';
import { plan, type Plan } from '../../graph/plan.js';
import type { Prescan } from '../prescan.js';
import { prepareTask } from '../task-command.js';
import type { Output } from '../main.js';

const FILL: Record<string, string> = {
  complete: '#d4edda',
  pending: '#fff3cd',
  missing_external: '#f8d7da',
  upstream_missing: '#e2e3e5',
};

export async function graphCommand(
  argv: readonly string[],
  pre: Prescan,
  cwd: string,
  out: Output,
): Promise<number> {
  const { root, options } = await prepareTask(
    {
      name: 'graph',
      description: 'Print the task graph (edges point from a dependency to its dependent).',
      addOptions: (command) =>
        void command
          .addOption(
            new Option('--format <format>', 'output format')
              .choices(['dot', 'mermaid', 'json'])
              .default('dot'),
          )
          .option('--all', 'also expand complete tasks (the whole graph, not only what is left)'),
    },
    argv,
    pre,
    cwd,
  );
  const graph = toGraph(await plan([root], { expandComplete: Boolean(options.all) }));
  const format = options.format as 'dot' | 'mermaid' | 'json';
  out.stdout(
    format === 'json'
      ? JSON.stringify(json.write(graph)) + '\n'
      : format === 'dot'
        ? toDot(graph)
        : toMermaid(graph),
  );
  return 0;
}

interface NodeLabel {
  id: string;
  family: string;
  status: string;
  reason: string;
}

/** A graphlib graph keyed by task hash: the JSON format is graphlib's, readable by json.read. */
function toGraph(thePlan: Plan): Graph<object, NodeLabel> {
  const graph = new Graph<object, NodeLabel>({ directed: true });
  for (const i of thePlan.order) {
    const { task, status, reason } = thePlan.nodes[i]!;
    graph.setNode(task.hash, { id: task.id, family: task.family, status, reason });
  }
  for (const node of thePlan.nodes) {
    for (const dep of node.deps) graph.setEdge(thePlan.nodes[dep]!.task.hash, node.task.hash);
  }
  return graph;
}

function toDot(graph: Graph<object, NodeLabel>): string {
  const quote = (text: string) => `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
  const lines = [
    'digraph dag {',
    '  rankdir=LR;',
    '  node [shape=box, style="rounded,filled", fontname="Helvetica"];',
  ];
  for (const v of graph.nodes()) {
    const label = graph.node(v);
    lines.push(
      `  ${quote(v)} [label=${quote(label.id)}, fillcolor=${quote(FILL[label.status] ?? '#ffffff')}, tooltip=${quote(`${label.status}: ${label.reason}`)}];`,
    );
  }
  for (const edge of graph.edges()) lines.push(`  ${quote(edge.v)} -> ${quote(edge.w)};`);
  lines.push('}');
  return lines.join('\n') + '\n';
}

function toMermaid(graph: Graph<object, NodeLabel>): string {
  const escape = (text: string) => text.replace(/"/g, '#quot;');
  const lines = ['flowchart LR'];
  for (const v of graph.nodes()) {
    const label = graph.node(v);
    lines.push(`  n${v}["${escape(label.id)}"]:::${label.status}`);
  }
  for (const edge of graph.edges()) lines.push(`  n${edge.v} --> n${edge.w}`);
  for (const [status, fill] of Object.entries(FILL))
    lines.push(`  classDef ${status} fill:${fill}`);
  return lines.join('\n') + '\n';
}
