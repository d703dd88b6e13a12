/** Partition progress of a backfill or cron pass: done / missing / running, from the events. */
import type { RunEvent } from '../../scheduler/events.js';

export class PartitionProgress {
  #ids = new Set<string>();
  #present = 0;
  #toRun = 0;
  #missing = 0;
  #done = 0;
  #failed = 0;
  readonly #running = new Set<string>();

  /** Follows an event; true when the counts changed. */
  onEvent(event: RunEvent): boolean {
    if (event.type === 'partitions') {
      this.#ids = new Set(event.tasks.map((task) => task.id));
      this.#present = event.present;
      this.#missing = event.missing;
      this.#toRun = event.toRun;
      return true;
    }
    if (!('task' in event) || !this.#ids.has(event.task.id)) return false;
    switch (event.type) {
      case 'started':
        this.#running.add(event.task.id);
        return true;
      case 'retrying':
        this.#running.delete(event.task.id);
        return true;
      case 'succeeded':
      case 'skipped':
        this.#running.delete(event.task.id);
        this.#done++;
        return true;
      case 'failed':
      case 'upstream_failed':
        this.#running.delete(event.task.id);
        this.#done++;
        this.#failed++;
        return true;
      default:
        return false;
    }
  }

  /** E.g. `partitions: 12/365 done · 2 running · 1 failed · 3285 present`; undefined before any. */
  line(): string | undefined {
    if (this.#ids.size === 0 && this.#toRun === 0 && this.#present === 0) return undefined;
    const parts = [`${this.#done}/${this.#toRun} done`, `${this.#running.size} running`];
    if (this.#failed > 0) parts.push(`${this.#failed} failed`);
    parts.push(`${this.#present} present`);
    const beyond = this.#missing - this.#toRun;
    if (beyond > 0) parts.push(`${beyond} beyond the limit`);
    return `partitions: ${parts.join(' · ')}`;
  }

  /** Every chosen partition has finished. */
  get finished(): boolean {
    return this.#done === this.#toRun;
  }
}
