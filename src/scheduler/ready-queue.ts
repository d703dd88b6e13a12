/** Ready tasks, highest priority first, then in the order they became ready. */

export class ReadyQueue {
  // Parallel arrays form a binary heap; no per-entry objects on the hot path.
  readonly #nodes: number[] = [];
  readonly #priorities: number[] = [];
  readonly #sequence: number[] = [];
  #counter = 0;

  get size(): number {
    return this.#nodes.length;
  }

  push(node: number, priority: number): void {
    this.#nodes.push(node);
    this.#priorities.push(priority);
    this.#sequence.push(this.#counter++);
    this.#up(this.#nodes.length - 1);
  }

  pop(): number | undefined {
    const nodes = this.#nodes;
    if (nodes.length === 0) return undefined;
    const top = nodes[0];
    const last = nodes.length - 1;
    this.#move(last, 0);
    nodes.pop();
    this.#priorities.pop();
    this.#sequence.pop();
    if (nodes.length > 1) this.#down(0);
    return top;
  }

  #before(a: number, b: number): boolean {
    const pa = this.#priorities[a]!;
    const pb = this.#priorities[b]!;
    return pa !== pb ? pa > pb : this.#sequence[a]! < this.#sequence[b]!;
  }

  #up(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.#before(i, parent)) return;
      this.#swap(i, parent);
      i = parent;
    }
  }

  #down(i: number): void {
    const n = this.#nodes.length;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) return;
      const right = left + 1;
      const child = right < n && this.#before(right, left) ? right : left;
      if (!this.#before(child, i)) return;
      this.#swap(i, child);
      i = child;
    }
  }

  #move(from: number, to: number): void {
    this.#nodes[to] = this.#nodes[from]!;
    this.#priorities[to] = this.#priorities[from]!;
    this.#sequence[to] = this.#sequence[from]!;
  }

  #swap(a: number, b: number): void {
    swap(this.#nodes, a, b);
    swap(this.#priorities, a, b);
    swap(this.#sequence, a, b);
  }
}

function swap(values: number[], a: number, b: number): void {
  const held = values[a]!;
  values[a] = values[b]!;
  values[b] = held;
}
