/**
 * Group commit, the one batching mechanism of the digest scheduler: outcomes, post starts and the
 * re-checks before a post all want one store round trip for many deliveries without a timer that
 * would hold any of them back (a timer would widen the posted-but-not-recorded window a crash can hit).
 */

/**
 * Items are flushed as soon as they arrive; those that arrive while a flush is in progress go
 * together in the next one, at most `max` per flush. A flush that fails rejects every item in it,
 * and the items after it are still flushed.
 */
export class Batcher<I, O> {
  private queue: { item: I; resolve: (out: O) => void; reject: (err: unknown) => void }[] = [];
  private running = false;

  /** `flush` answers the items it is given in their order, one output per item. */
  constructor(
    private readonly max: number,
    private readonly flush: (items: I[]) => Promise<O[]>,
  ) {}

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (!this.running) void this.run();
    });
  }

  private async run(): Promise<void> {
    this.running = true;
    try {
      await Promise.resolve(); // let deliveries finishing in the same turn join this flush
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.max);
        try {
          const out = await this.flush(batch.map((b) => b.item));
          batch.forEach((b, i) => {
            b.resolve(out[i]!);
          });
        } catch (err) {
          for (const b of batch) b.reject(err);
        }
      }
    } finally {
      this.running = false;
    }
  }
}
