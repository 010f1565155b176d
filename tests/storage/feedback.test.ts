import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { renderMessage } from '../../src/adapters/slack/render.ts';
import type { Caller } from '../../src/core/command.ts';
import { encodeAction } from '../../src/core/reply.ts';
import { StoreFeedbackService } from '../../src/storage/feedback-service.ts';
import { StoreProposalService } from '../../src/storage/proposal-service.ts';
import { feedbackCandidates } from '../eval/ask-eval.ts';
import { TEST_CALLER, testBot } from '../helpers/bot.ts';
import { backendMatrix, type TestDb } from './backends.ts';

// Helpful / Not helpful under answers (issue 14), stored (migration 8) on SQLite and PostgreSQL alike: one verdict per
// person and question, a second press changes nothing, and `npm run eval -- --feedback` lists the "not helpful" ones
// as candidate test cases. The real bot presses the real buttons.

const NOW = new Date('2026-12-02T07:00:00Z');
const matrix = await backendMatrix();

for (const { backend, skip } of matrix) {
  describe.skipIf(skip)(`feedback on answers on ${backend.name}`, () => {
    let db: TestDb;
    beforeEach(async () => {
      db = await backend.open();
    });
    afterEach(async () => {
      await db?.cleanup();
    });

    it('one verdict per person and question; the first stands', async () => {
      const service = new StoreFeedbackService(db.store);
      const entry = { platform: 'slack', userId: 'U1', question: 'who rules Niger?', command: 'ruler', lang: 'en', answer: 'Tiani', helpful: false, at: NOW };
      expect(await service.record(entry)).toBe(true);
      expect(await service.record({ ...entry, helpful: true, answer: 'changed', at: new Date(NOW.getTime() + 1000) })).toBe(false);
      expect(await service.record({ ...entry, userId: 'U2' })).toBe(true);
      expect(await service.record({ ...entry, platform: 'discord' })).toBe(true);
      const rows = await db.raw('SELECT platform, user_id, helpful, answer FROM answer_feedback ORDER BY platform, user_id');
      expect(rows.map((r) => [r.platform, r.user_id, Number(r.helpful), r.answer])).toEqual([
        ['discord', 'U1', 0, 'Tiani'],
        ['slack', 'U1', 0, 'Tiani'],
        ['slack', 'U2', 0, 'Tiani'],
      ]);
    });

    it('"Not helpful" pressed under an answer is stored with question, answer, user, platform and time, and listed for the eval', async () => {
      const bot = await testBot({ services: { feedback: new StoreFeedbackService(db.store) }, now: () => NOW });
      const answer = await bot.handleText('who rules Niger?', TEST_CALLER);
      const notHelpful = answer.actions!.find((a) => a.kind === 'notHelpful')!;
      const helpful = answer.actions!.find((a) => a.kind === 'helpful')!;
      expect((await bot.press(encodeAction(notHelpful), TEST_CALLER)).reply.body).toBe('Thanks — noted.');
      // A second press, of either button, by the same person changes nothing.
      expect((await bot.press(encodeAction(helpful), TEST_CALLER)).reply.body).toContain('already noted');
      const rows = await new StoreFeedbackService(db.store).notHelpful();
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ platform: 'test', userId: 'tester', question: 'who rules Niger?', lang: 'en', helpful: false, at: NOW });
      expect(rows[0]!.answer).toContain('Tiani');
      const listed = await feedbackCandidates(new StoreFeedbackService(db.store));
      expect(listed).toContain('- q: who rules Niger?');
      expect(listed).toContain('category: feedback');
      expect(listed).toContain('2026-12-02T07:00:00.000Z test tester');
    });

    it('`review` lists the newest "Not helpful" presses after the pending proposals, escaped; editors only', async () => {
      const feedback = new StoreFeedbackService(db.store);
      const bot = await testBot({ services: { feedback, proposals: new StoreProposalService(db.store, () => NOW.getTime()) }, now: () => NOW });
      const editor: Caller = { ...TEST_CALLER, userId: 'editor', isEditor: async () => true };
      // Nothing pressed yet: the review is the proposals alone, as before.
      const empty = await bot.handleText('review', editor);
      expect(empty.body).toBe('No proposal is waiting.');
      expect(empty.items).toEqual([]);

      const proposed = await bot.handleText(
        'propose troops country:Italy count:0 date:2026-11-20 source:https://example.org/italy publisher:ANSA title:Withdrawal published:2026-11-21',
        TEST_CALLER,
      );
      const answer = await bot.handleText('who rules Niger?', TEST_CALLER);
      await bot.press(encodeAction(answer.actions!.find((a) => a.kind === 'notHelpful')!), TEST_CALLER);
      // A hostile question, pressed later: mentions and bidi/control characters in what was asked.
      await feedback.record({
        platform: 'slack',
        userId: 'U0HOSTILE',
        question: 'who rules <!channel> Niger?\u202E\u0007',
        command: 'ask',
        lang: 'en',
        answer: 'Ruler of Niger — now\n\nAbdourahamane Tiani is in charge\nSecond line not shown',
        helpful: false,
        at: new Date(NOW.getTime() + 86_400_000),
      });
      // A helpful press is not for review.
      await feedback.record({
        platform: 'slack',
        userId: 'U2',
        question: 'who rules Niger?',
        command: 'ask',
        lang: 'en',
        answer: 'Tiani',
        helpful: true,
        at: NOW,
      });

      const review = await bot.handleText('review', editor);
      expect(review.body).toBe('1 proposal waiting, oldest first.\n\nThen the 2 newest answers marked “Not helpful”, newest first.');
      expect(review.items).toHaveLength(3);
      expect(review.items[0]).toMatch(new RegExp(`^${proposed.title.slice('Proposal '.length)} · new deployments italy-2026-11-20`));
      expect(review.items[1]).toBe(
        'Not helpful · “who rules <!channel> Niger?” → “Abdourahamane Tiani is in charge” · ask · by slack:U0HOSTILE · 3 December 2026',
      );
      expect(review.items[2]).toMatch(
        /^Not helpful · “who rules Niger\?” → “Abdourahamane Tiani rules Niger now: .*…” · ruler · by test:tester · 2 December 2026$/,
      );
      // Slack shows the mention as text, never as a ping.
      expect(JSON.stringify(renderMessage(review))).not.toContain('<!channel>');

      const french = await bot.handleText('review lang:fr', editor);
      expect(french.items[1]).toMatch(
        /^Pas utile · « who rules <!channel> Niger\? » → « Abdourahamane Tiani is in charge » · ask · par slack:U0HOSTILE · 3 décembre 2026$/,
      );

      const refused = await bot.handleText('review', TEST_CALLER);
      expect(refused.kind).toBe('error');
      expect(refused.body).toBe('Only editors may review proposals.');
      expect(JSON.stringify(refused)).not.toContain('U0HOSTILE');
    });

    it('`review` still lists the proposals when the feedback cannot be read, and says the feedback is missing', async () => {
      const failing = { record: async () => true, notHelpful: async () => Promise.reject(new Error('database away')) };
      const bot = await testBot({ services: { feedback: failing, proposals: new StoreProposalService(db.store, () => NOW.getTime()) }, now: () => NOW });
      const review = await bot.handleText('review', { ...TEST_CALLER, userId: 'editor', isEditor: async () => true });
      expect(review.kind).toBe('admin');
      expect(review.body).toBe('No proposal is waiting.');
      expect(review.notes).toEqual(['The “Not helpful” feedback could not be read just now; the proposals above are complete.']);
    });
  });
}
