import { describe, expect, it } from 'vitest';
import { FirstSeen, type SeenIds } from '../src/core/seen.ts';
import { openStore } from '../src/storage/open.ts';

describe('FirstSeen', () => {
  it('answers true once per id within the TTL, and again once it expired', async () => {
    let t = 1_000_000;
    const seen = new FirstSeen({ ttlMs: 1000, now: () => t });
    expect(await seen.first('a')).toBe(true);
    expect(await seen.first('a')).toBe(false);
    expect(await seen.first('b')).toBe(true);
    t += 1000;
    expect(await seen.first('a')).toBe(true);
  });

  it('refuses a concurrent duplicate in the same process before the shared record answers', async () => {
    const store = await openStore('file::memory:');
    try {
      const seen = new FirstSeen({ ttlMs: 60_000, shared: store });
      expect(await Promise.all([seen.first('x'), seen.first('x'), seen.first('x')])).toEqual([true, false, false]);
      // Another process (another FirstSeen) learns it from the shared record.
      expect(await new FirstSeen({ ttlMs: 60_000, shared: store }).first('x')).toBe(false);
    } finally {
      await store.close();
    }
  });

  it('forgets its oldest ids beyond maxLocal (the shared record still knows them)', async () => {
    const store = await openStore('file::memory:');
    try {
      const local = new FirstSeen({ ttlMs: 60_000, maxLocal: 2 });
      const shared = new FirstSeen({ ttlMs: 60_000, maxLocal: 2, shared: store });
      for (const id of ['1', '2', '3']) {
        await local.first(id);
        await shared.first(id);
      }
      expect(await local.first('1')).toBe(true);
      expect(await shared.first('1')).toBe(false);
    } finally {
      await store.close();
    }
  });

  it('treats an id as new when the shared record fails, and reports the failure', async () => {
    const errors: unknown[] = [];
    const down: SeenIds = { recordSeen: () => Promise.reject(new Error('database is down')) };
    const seen = new FirstSeen({ ttlMs: 60_000, shared: down, onError: (err) => errors.push(err) });
    expect(await seen.first('y')).toBe(true);
    expect(errors).toHaveLength(1);
    // This process still remembers it.
    expect(await seen.first('y')).toBe(false);
  });
});
