import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodeAction } from '../../src/core/reply.ts';
import { StoreFeedbackService } from '../../src/storage/feedback-service.ts';
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
  });
}
