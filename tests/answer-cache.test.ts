import { describe, expect, it } from 'vitest';
import type { Caller } from '../src/core/command.ts';
import { renderText } from '../src/core/render-text.ts';
import { StoreDigestService } from '../src/digest/service.ts';
import { testKb } from './digest/helpers.ts';
import { TEST_CALLER, testBot } from './helpers/bot.ts';
import { backendMatrix } from './storage/backends.ts';

const OTHER_CALLER: Caller = { platform: 'other', userId: 'someone-else', channelId: 'elsewhere', canManageChannel: async () => false };

describe('answer cache', () => {
  it('the same question on the same day is answered once and shared, frozen, by every caller', async () => {
    const bot = await testBot({ answerCacheSize: 100 });
    const first = await bot.handleText('troops France 2023-09', TEST_CALLER);
    const again = await bot.handleText('troops France 2023-09', OTHER_CALLER);
    expect(again).toBe(first);
    expect(first.body).toMatch(/1,500/);
    expect(Object.isFrozen(first)).toBe(true);
    expect(Object.isFrozen(first.citations)).toBe(true);
    expect(() => (first.items as string[]).push('tampered')).toThrow(TypeError);

    expect(bot.knownAnswer('troops France 2023-09')).toBe(first);
    expect(bot.knownAnswer('troops France 2023-10')).toBeUndefined();

    const structured = await bot.run('troops', { country: 'France', date: '2023-09' }, TEST_CALLER);
    expect(await bot.run('troops', { country: 'France', date: '2023-09' }, OTHER_CALLER)).toBe(structured);
    expect(renderText(structured)).toBe(renderText(first));
  });

  it('a new day computes again: relative dates move with the clock', async () => {
    let now = new Date('2024-06-01T12:00:00Z');
    const bot = await testBot({ now: () => now, answerCacheSize: 100 });
    const in2024 = await bot.handleText('ruler last year', TEST_CALLER);
    expect(in2024.title).toBe('Ruler of Niger — 2023');
    now = new Date('2024-06-01T23:59:00Z');
    expect(await bot.handleText('ruler last year', TEST_CALLER)).toBe(in2024);
    now = new Date('2026-06-02T00:01:00Z');
    const in2026 = await bot.handleText('ruler last year', TEST_CALLER);
    expect(in2026).not.toBe(in2024);
    expect(in2026.title).toBe('Ruler of Niger — 2025');
  });

  it('commands that read stored state or the caller are never cached', async () => {
    const sqlite = (await backendMatrix()).find((m) => m.backend.name === 'sqlite')!;
    const db = await sqlite.backend.open();
    try {
      const bot = await testBot({ answerCacheSize: 100, services: { digest: new StoreDigestService(db.store, testKb()) } });
      expect((await bot.handleText('digest status', TEST_CALLER)).title).toBe('Daily digest — off');
      await bot.handleText('digest subscribe 07:00', TEST_CALLER);
      expect((await bot.handleText('digest status', TEST_CALLER)).title).toBe('Daily digest — on');
    } finally {
      await db.cleanup();
    }
  });

  it('ask is cached like the command it routes to; errors never are', async () => {
    const bot = await testBot({ answerCacheSize: 100 });
    const ask = await bot.handleText('ask who rules Niger?', TEST_CALLER);
    expect(await bot.handleText('ask who rules Niger?', TEST_CALLER)).toBe(ask);
    const err = await bot.handleText('troops Narnia', TEST_CALLER);
    expect(err.kind).toBe('error');
    expect(await bot.handleText('troops Narnia', TEST_CALLER)).not.toBe(err);
  });

  it('size 0 turns the cache off', async () => {
    const bot = await testBot({ answerCacheSize: 0 });
    const a = await bot.handleText('ruler', TEST_CALLER);
    const b = await bot.handleText('ruler', TEST_CALLER);
    expect(b).not.toBe(a);
    expect(bot.knownAnswer('ruler')).toBeUndefined();
    expect(b).toEqual(a);
    expect(Object.isFrozen(a)).toBe(false);
  });

  it('keeps at most its size, dropping the least recently used answer', async () => {
    const bot = await testBot({ answerCacheSize: 2 });
    const one = await bot.handleText('who Tiani', TEST_CALLER);
    await bot.handleText('who Bazoum', TEST_CALLER);
    expect(await bot.handleText('who Tiani', TEST_CALLER)).toBe(one);
    await bot.handleText('places Ouallam', TEST_CALLER);
    // Tiani was used last, so Bazoum went out; a third entry pushes Tiani out too.
    await bot.handleText('places Niamey', TEST_CALLER);
    expect(await bot.handleText('who Tiani', TEST_CALLER)).not.toBe(one);
  });
});
