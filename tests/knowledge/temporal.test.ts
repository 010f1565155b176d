import { describe, expect, it } from 'vitest';
import { DateParseError, findDate, parseDateOption } from '../../src/knowledge/dates.ts';
import { TEST_CALLER, testBot, TEST_NOW } from '../helpers/bot.ts';

const kb = (await testBot()).kb;
const at = (text: string) => parseDateOption(text, TEST_NOW, kb.anchorSpans);

describe('troop figures over time', () => {
  it('before the coup: about 1,500 French soldiers, reported with the disagreeing source', () => {
    const r = kb.troopsAt('France', at('before the coup'));
    expect(r.inForce?.count).toBe(1500);
    expect(r.inForce?.approximate).toBe(true);
    expect(r.inForce?.alternatives.map((a) => a.count)).toContain(1000);
    expect(r.superseded).toBe(true);
  });

  it('during the withdrawal: the October figure holds, then 157, then zero', () => {
    expect(kb.troopsAt('France', at('2023-11-15')).inForce?.count).toBe(1400);
    expect(kb.troopsAt('France', at('2023-12-15')).inForce?.count).toBe(157);
    const december = kb.troopsAt('France', at('December 2023'));
    expect(december.during.map((d) => d.count)).toEqual([157, 0]);
  });

  it('after the withdrawal ended on 2023-12-22 the French presence is zero, and stays the current figure', () => {
    const r = kb.troopsAt('France', at('after the withdrawal'));
    expect(r.inForce?.count).toBe(0);
    expect(r.inForce?.asOf.text).toBe('2023-12-22');
    expect(r.superseded).toBe(false);
    expect(kb.troopsAt('France', at('now')).inForce?.count).toBe(0);
  });

  it('has no figure before the first sourced one, and names the earliest instead of guessing', () => {
    const r = kb.troopsAt('France', at('2019'));
    expect(r.inForce).toBeNull();
    expect(r.during).toEqual([]);
    expect(r.next?.asOf.text).toBe('2022-01');
  });

  it('tracks the US and German withdrawals to zero', () => {
    expect(kb.troopsAt('United States', at('2023-09')).inForce?.count).toBe(1100);
    expect(kb.troopsAt('United States', at('now')).inForce?.count).toBe(0);
    expect(kb.troopsAt('Germany', at('2024-08-29')).inForce?.count).not.toBe(0);
    expect(kb.troopsAt('Germany', at('2024-08-30')).inForce?.count).toBe(0);
  });
});

describe('rulers over time', () => {
  const names = (text: string) => kb.rulersDuring(at(text)).map((t) => kb.rulerName(t));

  it('Bazoum before the coup, Tiani after, the CNSP in between', () => {
    expect(names('June 2023')).toEqual(['Mohamed Bazoum']);
    expect(names('2023-07-27')[0]).toMatch(/CNSP|National Council/);
    expect(names('2023-08-15')).toEqual(['Abdourahamane Tiani']);
  });

  it('the day power changed hands belongs to both terms', () => {
    expect(names('2023-07-26')).toHaveLength(2);
    expect(names('2023-07-26')[0]).toBe('Mohamed Bazoum');
  });

  it('now: Tiani as President under the transition charter since 2025-03-26', () => {
    const terms = kb.rulersDuring(at('now'));
    expect(terms).toHaveLength(1);
    expect(terms[0]!.start.text).toBe('2025-03-26');
    expect(terms[0]!.end).toBeUndefined();
  });
});

describe('dates users type', () => {
  it.each([
    ['2023-09-01', '2023-09-01', '2023-09-01'],
    ['2023-09', '2023-09-01', '2023-09-30'],
    ['September 2023', '2023-09-01', '2023-09-30'],
    ['sept 2023', '2023-09-01', '2023-09-30'],
    ['3 September 2023', '2023-09-03', '2023-09-03'],
    ['2023', '2023-01-01', '2023-12-31'],
    ['last year', '2025-01-01', '2025-12-31'],
    ['summer 2023', '2023-06-01', '2023-08-31'],
    ['before the coup', '2023-07-25', '2023-07-25'],
    ['after the withdrawal', '2023-12-23', '2023-12-23'],
    ['during the withdrawal', '2023-10-10', '2023-12-22'],
  ])('%s → %s … %s', (text, start, end) => {
    const q = at(text);
    expect([q.start, q.end]).toEqual([start, end]);
  });

  it('"now" is today, marked as the present', () => {
    const q = at('now');
    expect(q.now).toBe(true);
    expect(q.start).toBe('2026-11-29');
  });

  it.each(['2023-02-30', '2023-13', 'next year', 'tomorrow', 'banana'])('rejects %s with a reason', (text) => {
    expect(() => at(text)).toThrow(DateParseError);
  });

  it.each([
    ['26/07/2023', '2023-07-26'],
    ['7/26/2023', '2023-07-26'],
    ['13.12.23', '2023-12-13'],
    ['5.9.2023', '2023-09-05'],
    ['09/09/2023', '2023-09-09'],
  ])('a day in figures, %s, is read by which part can be a month (dots: day first)', (text, day) => {
    expect(at(text).start).toBe(day);
  });

  it('a day in figures either part of which could be the month is not guessed, but both readings are named', () => {
    const err = (() => {
      try {
        at('05/09/2023');
      } catch (e) {
        return e as DateParseError;
      }
    })();
    expect(err?.problem).toBe('ambiguous');
    expect(err?.readings).toEqual(['2023-05-09', '2023-09-05']);
    expect(() => at('31/02/2023')).toThrow(/not a real date/);
  });

  it('French and German questions write the day first', async () => {
    const bot = await testBot();
    for (const q of ['combien de soldats français au 05/09/2023 ?', 'wie viele französische Soldaten am 05/09/2023?']) {
      const r = await bot.run('ask', { question: q, lang: 'en' }, TEST_CALLER);
      expect(r.asOf, q).toBe('2023-09-05');
    }
  });

  it('finds a date inside a question, or none', () => {
    expect(findDate('how many in September 2023?', TEST_NOW, kb.anchorSpans)?.query.start).toBe('2023-09-01');
    expect(findDate('who is Tiani', TEST_NOW, kb.anchorSpans)).toBeNull();
  });
});

describe('years ago', () => {
  it('is today’s date that many years back (chrono is certain of the year alone)', () => {
    // TEST_NOW is 29 November 2026.
    expect(findDate('who ruled niger two years ago?', TEST_NOW, kb.anchorSpans)?.query).toMatchObject({ start: '2024-11-29', end: '2024-11-29' });
    expect(findDate('a year ago', TEST_NOW, kb.anchorSpans)?.query.start).toBe('2025-11-29');
  });
});
