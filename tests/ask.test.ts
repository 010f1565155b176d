import { describe, expect, it } from 'vitest';
import { renderText } from '../src/core/render-text.ts';
import { judge, loadAskCases } from './eval/ask-eval.ts';
import { testBot, TEST_CALLER } from './helpers/bot.ts';

const cases = loadAskCases();

describe('ask: routing free-text questions', () => {
  it('has a question set of at least 80 phrasings, some of which must be declined', () => {
    expect(cases.length).toBeGreaterThanOrEqual(80);
    expect(cases.filter((c) => c.answered === false).length).toBeGreaterThanOrEqual(10);
  });

  it.each(cases)('$q', async (c) => {
    const bot = await testBot();
    const r = await bot.run('ask', { question: c.q }, TEST_CALLER);
    expect(judge(c, { command: r.command, answered: r.answered, text: renderText(r) })).toBeNull();
    // An answer always carries its sources and date; a refusal never pretends to have them.
    if (r.answered && ['troops', 'ruler', 'timeline', 'who'].includes(r.command)) {
      expect(r.citations.length).toBeGreaterThan(0);
      expect(r.asOf).not.toBeNull();
    }
  });

  it('declines with what it can answer instead of guessing', async () => {
    const bot = await testBot();
    const r = await bot.run('ask', { question: 'how many Russian soldiers are in Niger?' }, TEST_CALLER);
    expect(r.answered).toBe(false);
    expect(r.citations).toEqual([]);
    expect(renderText(r)).toMatch(/Russia/);
    expect(r.items.join(' ')).toMatch(/who ruled Niger/);
  });
});
