/**
 * Remembered results of a pure function. Keys often come from user text, so the table is bounded: when it
 * is full it starts over, which is cheaper than LRU bookkeeping for results this cheap to recompute, and
 * keeps hostile input from growing it.
 */
export class BoundedMemo<K, V> {
  private readonly table = new Map<K, V>();

  constructor(private readonly max: number) {}

  /** The remembered value for `key`; the first time, `compute(key)`, remembered. */
  get(key: K, compute: (key: K) => V): V {
    const hit = this.table.get(key);
    if (hit !== undefined || this.table.has(key)) return hit as V;
    const value = compute(key);
    if (this.table.size >= this.max) this.table.clear();
    this.table.set(key, value);
    return value;
  }
}
