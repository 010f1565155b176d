import { describe, expect, it } from 'vitest';
import { BoundedMemo } from '../../src/knowledge/memo.ts';

describe('BoundedMemo', () => {
  it('computes a key once, null and undefined results included', () => {
    const memo = new BoundedMemo<string, string | null | undefined>(10);
    const computed: string[] = [];
    const compute = (k: string) => {
      computed.push(k);
      return k === 'none' ? null : k === 'nothing' ? undefined : k.toUpperCase();
    };
    for (let i = 0; i < 3; i++) {
      expect(memo.get('a', compute)).toBe('A');
      expect(memo.get('none', compute)).toBeNull();
      expect(memo.get('nothing', compute)).toBeUndefined();
    }
    expect(computed).toEqual(['a', 'none', 'nothing']);
  });

  it('never holds more than its size: when full it starts over', () => {
    const memo = new BoundedMemo<number, number>(3);
    let calls = 0;
    const square = (n: number) => {
      calls++;
      return n * n;
    };
    for (const n of [1, 2, 3]) memo.get(n, square);
    expect(calls).toBe(3);
    memo.get(1, square);
    expect(calls).toBe(3);
    memo.get(4, square); // full: forgets 1, 2 and 3
    memo.get(4, square);
    expect(calls).toBe(4);
    expect(memo.get(1, square)).toBe(1);
    expect(calls).toBe(5);
  });

  it('does not remember a computation that threw', () => {
    const memo = new BoundedMemo<string, number>(10);
    let fail = true;
    const compute = () => {
      if (fail) throw new Error('boom');
      return 42;
    };
    expect(() => memo.get('k', compute)).toThrow('boom');
    fail = false;
    expect(memo.get('k', compute)).toBe(42);
  });
});
