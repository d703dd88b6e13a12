/**
 * Graph arithmetic over plan nodes held as index arrays: reverse edges in CSR form, a
 * dependencies-first order (Kahn), and the path of a cycle when there is one. All linear.
 */

export interface Edges {
  /** `deps[i]`: indexes that node i requires. */
  readonly deps: readonly (readonly number[])[];
}

/** Reverse adjacency: the dependents of node i are `targets[offsets[i] .. offsets[i+1])`. */
export interface Dependents {
  readonly offsets: Uint32Array;
  readonly targets: Uint32Array;
}

export function dependentsOf(graph: Edges): Dependents {
  const n = graph.deps.length;
  const offsets = new Uint32Array(n + 1);
  let edges = 0;
  for (let i = 0; i < n; i++) {
    for (const dep of graph.deps[i]!) offsets[dep + 1]!++;
    edges += graph.deps[i]!.length;
  }
  for (let i = 0; i < n; i++) offsets[i + 1]! += offsets[i]!;
  const fill = offsets.slice(0, n);
  const targets = new Uint32Array(edges);
  for (let i = 0; i < n; i++) for (const dep of graph.deps[i]!) targets[fill[dep]!++] = i;
  return { offsets, targets };
}

/**
 * Node indexes with every node after all of its dependencies. When the graph has a cycle the
 * order is shorter than the node count; `findCycle` then names it.
 */
export function dependencyOrder(graph: Edges, dependents: Dependents): number[] {
  const n = graph.deps.length;
  const waiting = new Uint32Array(n);
  const order: number[] = [];
  for (let i = 0; i < n; i++) {
    waiting[i] = graph.deps[i]!.length;
    if (waiting[i] === 0) order.push(i);
  }
  for (let head = 0; head < order.length; head++) {
    const node = order[head]!;
    for (let e = dependents.offsets[node]!; e < dependents.offsets[node + 1]!; e++) {
      const next = dependents.targets[e]!;
      if (--waiting[next]! === 0) order.push(next);
    }
  }
  return order;
}

/** A cycle among the nodes not in `ordered`, as a path that starts and ends at the same node. */
export function findCycle(graph: Edges, ordered: readonly number[]): number[] {
  const n = graph.deps.length;
  // 0: unvisited, 1: on the current path, 2: done. Ordered nodes cannot be on a cycle.
  const state = new Uint8Array(n);
  for (const i of ordered) state[i] = 2;
  for (let start = 0; start < n; start++) {
    if (state[start] !== 0) continue;
    const path: number[] = [start];
    const next: number[] = [0];
    state[start] = 1;
    while (path.length > 0) {
      const node = path[path.length - 1]!;
      const deps = graph.deps[node]!;
      const k = next[next.length - 1]!;
      if (k === deps.length) {
        state[node] = 2;
        path.pop();
        next.pop();
        continue;
      }
      next[next.length - 1] = k + 1;
      const dep = deps[k]!;
      if (state[dep] === 1) return [...path.slice(path.indexOf(dep)), dep];
      if (state[dep] === 0) {
        state[dep] = 1;
        path.push(dep);
        next.push(0);
      }
    }
  }
  return [];
}
