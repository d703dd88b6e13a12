/**
 * Named resources with capacities (`--resources gpu=1,db=2`). A task holds what its `resources`
 * asks for while it runs. As in Luigi, a resource without a configured capacity has capacity 1,
 * except `cpu` and `memoryMB`, which size containers and are unlimited unless configured.
 */

const UNLIMITED_BY_DEFAULT = new Set(['cpu', 'memoryMB']);

export type ResourceRequest = Readonly<Record<string, number>>;

export class ResourcePool {
  readonly #capacity: ReadonlyMap<string, number>;
  readonly #used = new Map<string, number>();

  constructor(capacity: Readonly<Record<string, number>> = {}) {
    this.#capacity = new Map(Object.entries(capacity));
  }

  capacityOf(name: string): number {
    return this.#capacity.get(name) ?? (UNLIMITED_BY_DEFAULT.has(name) ? Infinity : 1);
  }

  /** Why the request can never be met, or undefined when it can. */
  impossible(request: ResourceRequest | undefined): string | undefined {
    if (!request) return undefined;
    for (const [name, amount] of Object.entries(request)) {
      if (!(amount >= 0)) return `resource ${name} must be a non-negative number, got ${amount}`;
      const capacity = this.capacityOf(name);
      if (amount > capacity) {
        return `needs ${name}=${amount} but the capacity is ${capacity} (set it with --resources ${name}=${amount})`;
      }
    }
    return undefined;
  }

  fits(request: ResourceRequest | undefined): boolean {
    if (!request) return true;
    for (const name in request) {
      if ((this.#used.get(name) ?? 0) + request[name]! > this.capacityOf(name)) return false;
    }
    return true;
  }

  take(request: ResourceRequest | undefined): void {
    if (!request) return;
    for (const name in request) this.#used.set(name, (this.#used.get(name) ?? 0) + request[name]!);
  }

  give(request: ResourceRequest | undefined): void {
    if (!request) return;
    for (const name in request) this.#used.set(name, this.#used.get(name)! - request[name]!);
  }
}
