import { describe, expect, it } from 'vitest';
import { pickerChoices } from '../src/core/answer-actions.ts';
import type { FeedbackEntry, FeedbackService } from '../src/core/feedback-port.ts';
import { decodeAction, encodeAction, type Reply, type ReplyAction } from '../src/core/reply.ts';
import { TEST_CALLER, testBot } from './helpers/bot.ts';

// The buttons under answers (issue 14), in the core: which answers get which, and what a press does. The real bot
// and commands; the feedback store is an in-memory port (the SQL one is tested in tests/storage/feedback.test.ts).

const byLabel = (r: Reply, label: string): ReplyAction => {
  const found = r.actions?.find((a) => a.label === label);
  if (!found) throw new Error(`no ${label} on ${r.title}: ${r.actions?.map((a) => a.label).join(', ')}`);
  return found;
};

class MemoryFeedback implements FeedbackService {
  rows: FeedbackEntry[] = [];
  async record(e: FeedbackEntry): Promise<boolean> {
    if (this.rows.some((r) => r.platform === e.platform && r.userId === e.userId && r.question === e.question)) return false;
    this.rows.push(e);
    return true;
  }
  async notHelpful(): Promise<FeedbackEntry[]> {
    return this.rows.filter((r) => !r.helpful);
  }
}

describe('answer actions', () => {
  it('an office answer offers History too: every holder of that office, oldest first', async () => {
    const bot = await testBot();
    const now = await bot.handleText('office prime minister', TEST_CALLER);
    const pressed = await bot.press(encodeAction(byLabel(now, 'History')), TEST_CALLER);
    expect(pressed.replaces).toBe(true);
    expect(pressed.reply.title).toBe('Prime minister of Niger — every holder on record');
    expect(pressed.reply.items.map((i) => i.split(' — ')[0])).toEqual(['Ouhoumoudou Mahamadou', 'Ali Mahaman Lamine Zeine']);
  });

  it('the ruler answer offers History: every term on record, oldest first, replacing the message', async () => {
    const bot = await testBot();
    const now = await bot.handleText('ruler', TEST_CALLER);
    const history = byLabel(now, 'History');
    expect(history.options).toMatchObject({ show: 'history' });
    const pressed = await bot.press(encodeAction(history), TEST_CALLER);
    expect(pressed.replaces).toBe(true);
    expect(pressed.reply.title).toBe('Rulers of Niger — every term on record');
    expect(pressed.reply.items[0]).toMatch(/^Salou Djibo/);
    expect(pressed.reply.items.at(-1)).toMatch(/^Abdourahamane Tiani — President of the Republic/);
    expect(pressed.reply.actions?.some((a) => a.label === 'History')).toBe(false);
  });

  it('a long timeline comes a page at a time: Next and Previous turn its page in place', async () => {
    const bot = await testBot();
    const first = await bot.handleText('timeline order:oldest limit:20', TEST_CALLER);
    expect(first.pages).toEqual({ page: 1, count: 3 });
    expect(first.body).toMatch(/^Page 1 of 3: 20 of 59 events/);
    expect(first.actions?.some((a) => a.label === '◀ Previous')).toBe(false);
    const next = byLabel(first, 'Next ▶');
    expect(next.replaces).toBe(true);
    expect(encodeAction(next).length).toBeLessThanOrEqual(100);
    const second = await bot.press(encodeAction(next), TEST_CALLER);
    expect(second.replaces).toBe(true);
    expect(second.reply.body).toMatch(/^Page 2 of 3/);
    // The second page starts where the first ended.
    expect(second.reply.items[0]).not.toBe(first.items[0]);
    expect(first.items).not.toContain(second.reply.items[0]);
    const last = await bot.press(encodeAction(byLabel(second.reply, 'Next ▶')), TEST_CALLER);
    expect(last.reply.pages).toEqual({ page: 3, count: 3 });
    expect(last.reply.actions?.some((a) => a.label === 'Next ▶')).toBe(false);
    const back = await bot.press(encodeAction(byLabel(last.reply, '◀ Previous')), TEST_CALLER);
    expect(back.reply.items).toEqual(second.reply.items);
    // A page past the end is the last one; a short timeline has no pages.
    expect((await bot.handleText('timeline limit:20 page:99', TEST_CALLER)).pages).toEqual({ page: 3, count: 3 });
    expect((await bot.handleText('timeline limit:50 2023-09', TEST_CALLER)).pages).toBeUndefined();
  });

  it('an answer records what produced it and offers As of…, History, Sources, the main source and feedback', async () => {
    const bot = await testBot();
    const r = await bot.handleText('troops France', TEST_CALLER);
    expect(r.body).toContain('no French troops');
    expect(r.rerun).toEqual({ command: 'troops', options: { country: 'France', lang: 'en' } });
    expect(r.actions?.map((a) => a.label)).toEqual(['As of…', 'History', 'Sources', 'Main source', 'Helpful', 'Not helpful']);
    const asOf = byLabel(r, 'As of…');
    expect(asOf.picker).toEqual({ option: 'date', initial: '2023-12-22', choices: ['2022-01-31', '2023-09-30', '2023-10-31', '2023-12-22'] });
    expect(byLabel(r, 'History').options).toEqual({ country: 'France', lang: 'en', show: 'history' });
    expect(byLabel(r, 'Main source').url).toMatch(/^https?:\/\//);
    // Each fits a Discord custom_id.
    for (const a of r.actions ?? []) expect(encodeAction(a).length).toBeLessThanOrEqual(100);
  });

  it('As of… 5 Sept 2023 under "no French troops now" re-runs troops for that day: about 1,500, replacing the message', async () => {
    const bot = await testBot();
    const now = await bot.handleText('troops France', TEST_CALLER);
    const pressed = await bot.press(encodeAction(byLabel(now, 'As of…')), TEST_CALLER, '2023-09-05');
    expect(pressed.replaces).toBe(true);
    expect(pressed.reply.body).toContain('About 1,500 French troops were in Niger on 5 September 2023');
    expect(pressed.reply.asOf).toBe('2023-09-05');
    // The new answer carries its own picker, starting at the day picked.
    expect(byLabel(pressed.reply, 'As of…').picker?.initial).toBe('2023-09-05');
  });

  it('a picked value that is not a day runs nothing and says so', async () => {
    const bot = await testBot();
    const now = await bot.handleText('troops France', TEST_CALLER);
    const pressed = await bot.press(encodeAction(byLabel(now, 'As of…')), TEST_CALLER, 'yesterday; drop table');
    expect(pressed.reply.kind).toBe('error');
    expect(pressed.reply.body).toContain('Pick a day');
    expect(pressed.replaces).toBe(false);
  });

  it('a question routed to troops reruns troops with its options, in the answer’s language', async () => {
    const bot = await testBot();
    const r = await bot.handleText('combien de soldats français au Niger en septembre 2023 ?', TEST_CALLER);
    expect(r.rerun?.command).toBe('troops');
    expect(r.rerun?.options.lang).toBe('fr');
    expect(r.actions?.[0]?.label).toBe('À la date du…');
  });

  it('errors, declines and help get no actions', async () => {
    const bot = await testBot();
    for (const text of ['help', 'troops Narnia', 'how many casualties were there in the coup?', 'troops date:2090']) {
      const r = await bot.handleText(text, TEST_CALLER);
      expect(r.actions ?? [], text).toEqual([]);
    }
  });

  it('Sources lists every citation of the answer, to the presser alone; History shows every figure', async () => {
    const bot = await testBot();
    const r = await bot.handleText('troops France 2023-09-05', TEST_CALLER);
    const sources = await bot.press(encodeAction(byLabel(r, 'Sources')), TEST_CALLER);
    expect(sources.reply.visibility).toBe('ephemeral');
    expect(sources.reply.items).toHaveLength(r.citations.length);
    expect(sources.reply.items.join('\n')).toContain('AFP');
    expect(sources.reply.actions).toBeUndefined();
    const history = await bot.press(encodeAction(byLabel(r, 'History')), TEST_CALLER);
    expect(history.replaces).toBe(true);
    expect(history.reply.items.length).toBeGreaterThan(3);
    // Showing history already: no History button and no picker.
    expect(history.reply.actions?.map((a) => a.label)).not.toContain('History');
    expect(history.reply.actions?.map((a) => a.label)).not.toContain('As of…');
  });

  it('Not helpful is stored once per person and question; a second press changes nothing', async () => {
    const feedback = new MemoryFeedback();
    const bot = await testBot({ services: { feedback } });
    const r = await bot.handleText('troops France 2023-09-05', TEST_CALLER);
    const first = await bot.press(encodeAction(byLabel(r, 'Not helpful')), TEST_CALLER);
    expect(first.reply.body).toBe('Thanks — noted.');
    expect(first.reply.visibility).toBe('ephemeral');
    const again = await bot.press(encodeAction(byLabel(r, 'Not helpful')), TEST_CALLER);
    expect(again.reply.body).toContain('already noted');
    expect(feedback.rows).toHaveLength(1);
    expect(feedback.rows[0]).toMatchObject({
      platform: 'test',
      userId: 'tester',
      question: 'troops country:France date:2023-09-05',
      command: 'troops',
      helpful: false,
    });
    expect(feedback.rows[0]!.answer).toContain('About 1,500');
  });

  it('without a store, feedback is refused clearly', async () => {
    const bot = await testBot();
    const r = await bot.handleText('troops France 2023-09-05', TEST_CALLER);
    const pressed = await bot.press(encodeAction(byLabel(r, 'Helpful')), TEST_CALLER);
    expect(pressed.reply.kind).toBe('error');
  });

  it('encodings round-trip; older four-element ones still decode; unknown kinds do not', () => {
    const a = { command: 'troops', options: { country: 'France' }, kind: 'sources' as const };
    expect(decodeAction(encodeAction(a))).toEqual({ ...a, form: false, replaces: false });
    expect(decodeAction('a["troops",{},0,1]')).toEqual({ command: 'troops', options: {}, form: false, replaces: true });
    expect(decodeAction('a["troops",{},0,1,"delete"]')).toBeUndefined();
    expect(decodeAction('a["troops",{},0,1,"run","date"]')).toEqual({ command: 'troops', options: {}, form: false, replaces: true, pick: 'date' });
  });

  it('picker choices: the last day of each month, newest 25, oldest first', () => {
    const days = Array.from({ length: 40 }, (_, i) => `${2020 + Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}-01`);
    const choices = pickerChoices([...days, '2020-01-15', '2023-09']);
    expect(choices).toHaveLength(25);
    expect(choices[0]).toBe('2021-04-01');
    expect(choices.at(-1)).toBe('2023-04-01');
    expect(pickerChoices(['2020-01-01', '2020-01-15'])).toEqual(['2020-01-15']);
  });
});

describe('answer actions with known:', () => {
  it('an answer asked of the knowledge base as known on a day keeps that day in its rerun and buttons', async () => {
    const base = await testBot();
    // The knowledge base as known then: here today's, through the same port the store provides.
    const bot = await testBot({ services: { knowledgeAt: async () => base.kb } });
    const r = await bot.handleText('troops France known:2026-11-01', TEST_CALLER);
    expect(r.rerun?.options.known).toBe('2026-11-01');
    const asOf = byLabel(r, 'As of…');
    expect(asOf.options.known).toBe('2026-11-01');
    expect(byLabel(r, 'Main source').options.known).toBeUndefined();
    const pressed = await bot.press(encodeAction(asOf), TEST_CALLER, '2023-09-05');
    expect(pressed.reply.body).toContain('About 1,500');
    expect(pressed.reply.notes.join(' ')).toContain('2026-11-01');
  });
});
