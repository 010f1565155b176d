import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Bot } from '../src/core/bot.ts';
import { defineCommand } from '../src/core/command.ts';
import { CommandRegistry } from '../src/core/registry.ts';
import { renderText } from '../src/core/render-text.ts';
import { captureLogger, testBot, TEST_CALLER } from './helpers/bot.ts';

const bot = await testBot();
const ask = (text: string) => bot.handleText(text, TEST_CALLER);

describe('commands', () => {
  it('troops: a dated, sourced figure; the newest one for "now"', async () => {
    const past = await ask('troops France 2023-09');
    expect(past.body).toMatch(/About 1,500/);
    expect(past.asOf).toBe('2023-09');
    expect(past.citations.map((c) => c.publisher)).toContain('AFP/dpa');
    expect(past.notes.join(' ')).toMatch(/not the current figure/);

    const now = await ask('troops');
    expect(now.body).toMatch(/no French troops/);
    expect(now.asOf).toBe('2023-12-22');
    expect(now.notes.join(' ')).toMatch(/newest source .* is from 23 December 2023/);
  });

  it('troops: just after a moment, the first figure within days after it, with its date and the distance', async () => {
    const after = await ask('troops Italy date:"after the coup"');
    expect(after.answered).toBe(true);
    expect(after.body).toMatch(
      /no Italian troop figure for just after the coup \(27 July 2023\) itself\. The first figure after that is about 300 Italian troops in Niger, dated 31 July 2023, 4 days later/,
    );
    // Before the moment, a later figure answers nothing.
    expect((await ask('troops Italy date:"before the coup"')).answered).toBe(false);
    // The structured answer is the figure as dated, not the day asked.
    expect((await ask('troops Italy date:"after the coup"')).facts).toEqual([expect.objectContaining({ asOf: '2023-07-31' })]);
  });

  it('troops: history lists every figure oldest first', async () => {
    const r = await ask('troops country:Germany show:history');
    expect(r.items[0]).toMatch(/July 2023/);
    expect(r.items.at(-1)).toMatch(/30 August 2024: none/);
  });

  it('troops: an unknown country is a friendly error listing the known ones', async () => {
    const r = await ask('troops Narnia');
    expect(r.kind).toBe('error');
    expect(r.visibility).toBe('ephemeral');
    expect(r.body).toMatch(/no troop figures for "Narnia"/);
    for (const known of ['France', 'United States', 'Germany', 'Italy']) expect(r.body).toContain(known);
  });

  it('ruler: at a date and now', async () => {
    expect((await ask('ruler 2023-06')).body).toMatch(/Mohamed Bazoum ruled Niger in June 2023/);
    const now = await ask('ruler');
    expect(now.body).toMatch(/Abdourahamane Tiani rules Niger now/);
    expect(now.asOf).toBe('2025-03-26');
  });

  it('a title inside a sentence keeps the capital of a name: "came before French embassy closed", "the office of Foreign Minister of France"', async () => {
    const compare = await bot.run('ask', { question: 'which came first, the embassy closure or the last French troops leaving?', lang: 'en' }, TEST_CALLER);
    expect(compare.body).toMatch(/came before French embassy closed/);
    const ordinary = await bot.run('ask', { question: 'which came first: the coup or the last French troops leaving?', lang: 'en' }, TEST_CALLER);
    expect(ordinary.body).toMatch(/came before last French troops leave Niger/);
    expect((await ask('office france-foreign-minister 2023-07-26')).body).toMatch(/office of Foreign Minister of France/);
  });

  it("ruler and office: a term that continues the holder's earlier ones says since when they hold it without a break", async () => {
    // Tiani: head of state as CNSP president from 28 July 2023, then President of the Republic from 26 March 2025.
    expect((await ask('ruler')).body).toMatch(/has held the office without a break since 28 July 2023 \(President of the CNSP/);
    expect((await bot.handleText('ruler', { ...TEST_CALLER, locale: () => 'fr' })).body).toMatch(/sans interruption depuis le 28 juillet 2023/);
    // Bazoum's one term continues nothing.
    expect((await ask('ruler 2023-06')).body).not.toMatch(/without a break/);
  });

  it('timeline: between dates, by topic and actor, in either order, with a limit', async () => {
    const r = await ask('timeline from:2023-07 to:2023-08 order:oldest limit:3');
    expect(r.items).toHaveLength(3);
    expect(r.items[0]).toMatch(/^26 July 2023/);
    const topic = await ask('timeline topic:withdrawal order:newest limit:50');
    expect(topic.items.every((i) => /20(22|23|24|25|26)/.test(i))).toBe(true);
    const actor = await ask('timeline actor:Colonna');
    expect(actor.items.join('\n')).toMatch(/Colonna/);
    expect((await ask('timeline topic:bananas')).kind).toBe('error');
  });

  it('places, who and sources', async () => {
    expect((await ask('places Ouallam')).fields.find((f) => f.name === 'Coordinates')?.value).toMatch(/14\.31\d+°N/);
    expect((await ask('places')).items.length).toBeGreaterThanOrEqual(5);
    const who = await ask('who Tchiani');
    expect(who.title).toBe('Abdourahamane Tiani');
    expect((await ask('who Napoleon')).answered).toBe(false);
    const sources = await ask('sources Reuters');
    expect(sources.items.length).toBeGreaterThan(0);
    expect(sources.items.every((i) => /Reuters/.test(i))).toBe(true);
  });

  it('help is generated from the definitions', async () => {
    const r = await ask('help');
    for (const name of ['troops', 'ruler', 'timeline', 'places', 'who', 'sources', 'ask']) {
      expect(r.items.join('\n')).toContain(name);
    }
    const troops = await ask('help troops');
    expect(troops.items.join('\n')).toMatch(/country: Whose forces/);
  });

  it('offers "did you mean" for unknown commands and options', async () => {
    expect((await ask('tropps')).body).toMatch(/Did you mean `troops`/);
    expect((await ask('troops contry:France')).body).toMatch(/Did you mean `country:`/);
    expect((await ask('timeline order:sideways')).body).toMatch(/must be one of: newest, oldest/);
    expect((await ask('timeline limit:500')).body).toMatch(/at most 50/);
  });

  it('a malformed date is a friendly error with examples', async () => {
    const r = await ask('troops France 2023-02-30');
    expect(r.kind).toBe('error');
    expect(r.body).toMatch(/not a real date.*Dates can be written like/s);
  });

  it('the text syntax: key:value, positional words in any order, /niger prefix, quotes', async () => {
    const a = await ask('/niger troops country:France date:2023-09-01');
    const b = await ask('troops 2023-09-01 France');
    const c = await ask('troops country:"United States" date:September 2023');
    expect(a.body).toBe(b.body);
    expect(c.body).toMatch(/1,100 US troops/);
  });

  it('an unexpected failure is logged with an id and the user sees only a short apology', async () => {
    const { log, lines } = captureLogger();
    const boom = defineCommand({
      name: 'boom',
      description: 'fails',
      options: z.object({}),
      examples: [],
      handler: () => {
        throw new Error('database exploded');
      },
    });
    const broken = new Bot({ kb: bot.kb, registry: new CommandRegistry([boom]), log });
    const r = await broken.handleText('boom', TEST_CALLER);
    expect(r.kind).toBe('error');
    expect(r.errorId).toMatch(/^[0-9a-f]{8}$/);
    expect(renderText(r)).not.toMatch(/exploded/);
    expect(lines().join('\n')).toContain(r.errorId);
    expect(lines().join('\n')).toMatch(/database exploded/);
  });
});
