/**
 * Ready tasks, highest priority first, then in the order they became ready. One FIFO per
 * distinct priority: pipelines use few priorities, so push and pop are O(1) in practice
 * (O(P) for P distinct priorities, only when a priority appears or runs out).
 */

interface Bucket {
  items: number[];
  head: number;
}

export class ReadyQueue {
  readonly #buckets = new Map<number, Bucket>();
  /** Distinct priorities with waiting tasks, highest first. */
  readonly #priorities: number[] = [];
  #size = 0;

  get size(): number {
    return this.#size;
  }

  push(node: number, priority: number): void {
    let bucket = this.#buckets.get(priority);
    if (!bucket) {
      this.#buckets.set(priority, (bucket = { items: [], head: 0 }));
      let at = 0;
      while (at < this.#priorities.length && this.#priorities[at]! > priority) at++;
      this.#priorities.splice(at, 0, priority);
    }
    bucket.items.push(node);
    this.#size++;
  }

  pop(): number | undefined {
    if (this.#size === 0) return undefined;
    const priority = this.#priorities[0]!;
    const bucket = this.#buckets.get(priority)!;
    const node = bucket.items[bucket.head++]!;
    this.#size--;
    if (bucket.head === bucket.items.length) {
      this.#buckets.delete(priority);
      this.#priorities.shift();
    }
    return node;
  }
}
