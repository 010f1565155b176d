// Every answer that states knowledge as it stands names the entries ("kind/entry id") it states (issue 13): posted
// in a channel, a later correction of one of them is threaded under it. Answers about a past date of something
// that changes over time (who ruled, who held an office) name none: a new term does not make them wrong.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Bot } from '../src/core/bot.ts';
import type { Reply } from '../src/core/reply.ts';
import { TEST_CALLER, testBot } from './helpers/bot.ts';

let bot: Bot;
beforeAll(async () => {
  bot = await testBot();
});

const ask = (text: string): Promise<Reply> => bot.handleText(text, TEST_CALLER);

describe('the entries an answer carries', () => {
  it('ruler and office now: the office entry; about a past date: none', async () => {
    expect((await ask('ruler')).entries).toEqual(['offices/niger-head-of-state']);
    expect((await ask('ruler June 2023')).entries).toBeUndefined();
    expect((await ask('ruler show:history')).entries).toBeUndefined();
    const pm = await ask('office prime minister');
    expect(pm.entries).toEqual([`offices/${pm.facts[0]!.type === 'office' ? pm.facts[0]!.office : ''}`]);
    expect((await ask('office prime minister 2023-08')).entries).toBeUndefined();
  });

  it("a person's offices: each office once", async () => {
    const r = await ask('office person:Tiani');
    const offices = new Set(r.facts.map((f) => (f.type === 'office' ? `offices/${f.office}` : '')));
    expect(new Set(r.entries)).toEqual(offices);
    expect(r.entries).toHaveLength(offices.size);
    expect(r.entries).toContain('offices/niger-head-of-state');
  });

  it('said: the statements quoted, and nothing else', async () => {
    const r = await ask('said Colonna');
    const quoted = r.facts.map((f) => (f.type === 'statement' ? `statements/${f.statement}` : ''));
    expect(r.entries).toEqual(quoted);
    expect(r.entries).toContain('statements/colonna-le-monde-troops-at-request-2023-09-04');
  });

  it('when and timeline: the events stated, only those of the page shown', async () => {
    const when = await ask('when the French ambassador left');
    expect(when.entries).toEqual(when.facts.map((f) => (f.type === 'event' ? `events/${f.event}` : '')));
    expect(when.entries!.length).toBeGreaterThan(0);
    const page = await ask('timeline limit:3');
    expect(page.entries).toHaveLength(3);
    expect(page.entries).toEqual(page.facts.map((f) => (f.type === 'event' ? `events/${f.event}` : '')));
  });

  it('places: the place and the events listed there; the list: every place', async () => {
    const one = await ask('places Ouallam');
    expect(one.entries![0]).toBe('places/ouallam');
    expect(one.entries!.slice(1).every((e) => e.startsWith('events/'))).toBe(true);
    const all = await ask('places');
    expect(all.entries).toEqual(all.facts.map((f) => (f.type === 'place' ? `places/${f.place}` : '')));
  });

  it('who: a person with their offices, statements and events; an organisation with its events', async () => {
    const person = await ask('who Colonna');
    expect(person.entries![0]).toBe('people/catherine-colonna');
    expect(person.entries).toContain('statements/colonna-le-monde-troops-at-request-2023-09-04');
    const org = await ask('who ECOWAS');
    expect(org.entries![0]).toBe('organisations/ecowas');
    expect(org.entries!.slice(1).every((e) => e.startsWith('events/'))).toBe(true);
  });

  it('ask: the entries of the answer it gives, of every part, and none for a decline', async () => {
    expect((await ask('ask who rules Niger?')).entries).toEqual(['offices/niger-head-of-state']);
    expect((await ask('ask who ruled Niger in June 2023?')).entries).toBeUndefined();
    const both = await ask('ask who rules Niger and how many French soldiers are there?');
    expect(both.entries).toEqual(['offices/niger-head-of-state', 'deployments/france-2023-12-22']);
    const said = await ask('ask what did Colonna say?');
    expect(said.entries).toEqual(said.facts.map((f) => (f.type === 'statement' ? `statements/${f.statement}` : '')));
    const decline = await ask('ask what is the capital of Peru?');
    expect(decline.answered).toBe(false);
    expect(decline.entries).toBeUndefined();
  });

  it('ask comparing two events: both', async () => {
    const r = await bot.run('ask', { question: 'was the AES founded before the french ambassador left?' }, TEST_CALLER);
    const events = r.facts.flatMap((f) => (f.type === 'event' ? [`events/${f.event}`] : []));
    expect(events).toHaveLength(2);
    expect(r.entries).toEqual(events);
  });
});
