import { describe, expect, it } from 'vitest';
import type { Caller } from '../src/core/command.ts';
import { ConversationMemory } from '../src/core/conversations.ts';
import { testBot } from './helpers/bot.ts';

const inThread = (conversation: string): Caller => ({ platform: 'test', userId: 'u', channelId: 'c', canManageChannel: async () => false, conversation });

describe('conversation memory (LRU with a TTL)', () => {
  const turn = { path: 'troops', options: { country: 'France' }, lang: 'en', text: 'troops France' };
  it('forgets a conversation after its TTL, and the least recently used beyond its size', () => {
    const m = new ConversationMemory({ maxSize: 2, ttlMs: 1000 });
    m.set('a', turn, 0);
    m.set('b', turn, 0);
    expect(m.get('a', 10)).toBe(turn);
    m.set('c', turn, 20);
    // "a" was used after "b": "b" goes.
    expect(m.get('b', 20)).toBeUndefined();
    expect(m.get('a', 20)).toBe(turn);
    expect(m.get('c', 1020)).toBe(turn);
    expect(m.get('c', 1021)).toBeUndefined();
    expect(m.size).toBe(1);
  });
});

describe('follow-ups in a conversation (core)', () => {
  it('merges a new year or country into the last command, in the first question’s language', async () => {
    const bot = await testBot();
    const fr = inThread('fr-thread');
    const first = await bot.handleText('combien de soldats français au Niger en septembre 2023 ?', fr);
    expect(first.lang).toBe('fr');
    const next = await bot.handleText('et en 2024 ?', fr);
    expect(next.command).toBe('troops');
    expect(next.lang).toBe('fr');
    expect(next.facts).toEqual([expect.objectContaining({ type: 'troops', country: 'France', count: 0 })]);
    const germans = await bot.handleText('and the Germans?', fr);
    expect(germans.facts.length).toBeGreaterThan(0);
    expect(germans.facts.every((f) => f.type === 'troops' && f.country === 'Germany')).toBe(true);
  });

  it('answers a new question or command on its own, and keeps it as the context', async () => {
    const bot = await testBot();
    const c = inThread('new-question');
    await bot.handleText('troops France 2023-09', c);
    const ruler = await bot.handleText('who ruled Niger in June 2023?', c);
    expect(ruler.command).toBe('ruler');
    const next = await bot.handleText('and in 2024?', c);
    expect(next.command).toBe('ruler');
    expect(next.body).toContain('Tiani');
    // A command typed in full is that command, not a follow-up.
    const timeline = await bot.handleText('timeline 2024', c);
    expect(timeline.command).toBe('timeline');
  });

  it('leaves text that is more than a date or a country alone, and needs a conversation', async () => {
    const bot = await testBot();
    const c = inThread('chat');
    await bot.handleText('troops France 2023-09', c);
    expect(await bot.followUpIn('thanks, great', c)).toBeUndefined();
    // Long text is never a follow-up, even made of small words and a year.
    expect(await bot.followUpIn(`${'and then what about the '.repeat(10)}2024?`, c)).toBeUndefined();
    expect(await bot.followUpIn('what did Macron say in 2024?', c)).toBeUndefined();
    expect(await bot.followUpIn('and in 2024?', inThread('never-answered'))).toBeUndefined();
    const alone = await bot.handleText('and in 2024?', { ...c, conversation: undefined });
    expect(alone.command).toBe('timeline');
    // A follow-up to a refused date is refused, with the command's own error; the context stays.
    const future = await bot.handleText('and in 2031?', c);
    expect(future.kind).toBe('error');
    expect((await bot.handleText('what about Germany?', c)).facts[0]).toMatchObject({ country: 'Germany' });
  });
});
