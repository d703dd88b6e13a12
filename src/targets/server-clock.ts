/**
 * A storage server's clock (the HDFS NameNode's, the S3 server's), as seen from here. Leases
 * expire by the server's clock, so skew between the machines that share them does not matter.
 * Every answer's `Date` header (whole seconds) bounds the offset between its clock and ours: the answer was made between sending and receiving, so
 * `date <= sent + offset` and `received + offset < date + 1000`. The bounds tighten as answers
 * arrive at different sub-second phases.
 */
export class ServerClock {
  /** Bounds of (server time - local time), in ms; undefined before the first answer. */
  #low: number | undefined;
  #high: number | undefined;

  /** Records an answer's `Date` header, sent at `sentAt` and received at `receivedAt`. */
  observe(dateHeader: string | null, sentAt: number, receivedAt: number): void {
    if (!dateHeader) return;
    const date = Date.parse(dateHeader);
    if (Number.isNaN(date)) return;
    const low = date - receivedAt;
    const high = date + 1000 - sentAt;
    if (this.#low === undefined || this.#high === undefined) {
      this.#low = low;
      this.#high = high;
      return;
    }
    const newLow = Math.max(this.#low, low);
    const newHigh = Math.min(this.#high, high);
    // Disjoint bounds: a clock was stepped. Start over from this answer.
    if (newLow > newHigh) {
      this.#low = low;
      this.#high = high;
    } else {
      this.#low = newLow;
      this.#high = newHigh;
    }
  }

  /** The earliest the server's clock can read now: for "is it stale?" (never too early). */
  earliest(): number {
    return Date.now() + (this.#low ?? 0);
  }

  /** The latest the server's clock can read now: for renewals (never older than the truth). */
  latest(): number {
    return Date.now() + (this.#high ?? 0);
  }

  /** The best guess: the local clock, moved just enough to agree with every answer seen. */
  now(): number {
    const low = this.#low ?? 0;
    const high = this.#high ?? 0;
    return Date.now() + (low > 0 ? low : high < 0 ? high : 0);
  }

  /** `true` once an answer has been seen. */
  get known(): boolean {
    return this.#low !== undefined;
  }
}
