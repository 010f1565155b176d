import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Bot } from '../../src/core/bot.ts';
import type { Caller } from '../../src/core/command.ts';
import { DEFAULT_DATA_DIR } from '../../src/knowledge/load.ts';
import { StoreProposalService } from '../../src/storage/proposal-service.ts';
import { StoreRevisionService } from '../../src/storage/revision-service.ts';
import { importSeed, readSeed } from '../../src/storage/seed.ts';
import { TEST_CALLER, testBot } from '../helpers/bot.ts';
import { backendMatrix, type TestDb } from './backends.ts';

const matrix = await backendMatrix();
const NOW = Date.parse('2026-11-29T09:00:00Z');
const SEED = readSeed(DEFAULT_DATA_DIR);
const editor = (userId: string): Caller => ({ ...TEST_CALLER, userId, isEditor: async () => true });
const ALICE = editor('alice');
const BOB = editor('bob');
const READER: Caller = { ...TEST_CALLER, userId: 'reader' };
const TROOPS = 'propose troops country:Italy count:0 date:2026-11-20 source:https://example.org/italy publisher:ANSA title:Withdrawal published:2026-11-21';
const CORRECT = 'propose correct id:france-2023-07 count:1400 source:https://example.org/fr publisher:AFP title:Figures published:2026-11-21';

async function pendingCount(db: TestDb): Promise<number> {
  return Number((await db.raw("SELECT COUNT(*) AS n FROM knowledge_proposals WHERE status = 'pending'"))[0]!.n);
}

for (const { backend, skip } of matrix) {
  describe.skipIf(skip)(`proposal commands on ${backend.name}`, () => {
    let db: TestDb;
    let bot: Bot;
    beforeEach(async () => {
      db = await backend.open();
      await importSeed(db.store, SEED, { now: NOW - 86_400_000 });
      bot = await testBot({
        services: { revisions: new StoreRevisionService(db.store), proposals: new StoreProposalService(db.store, () => NOW) },
      });
    });
    afterEach(async () => {
      await db?.cleanup();
    });

    it('propose → review → approve by another editor → revisions shows author and approver', async () => {
      const proposed = await bot.handleText(CORRECT, ALICE);
      expect(proposed.title).toMatch(/^Proposal P-[A-Z2-9]{6}$/);
      const id = proposed.title.slice('Proposal '.length);
      expect(proposed.body).toBe(`Proposal ${id} (deployments france-2023-07) is pending: an editor other than you must approve it.`);
      const review = await bot.handleText('review', BOB);
      expect(review.body).toBe('1 proposal waiting, oldest first.');
      expect(review.items).toEqual([
        `${id} · correction of deployments france-2023-07 · count 1400 · by test:alice · source: AFP, “Figures” (2026-11-21) https://example.org/fr`,
      ]);
      const self = await bot.handleText(`approve ${id}`, ALICE);
      expect(self.kind).toBe('error');
      expect(self.body).toMatch(/is yours: another editor must approve it/);
      const approved = await bot.handleText(`approve ${id}`, BOB);
      expect(approved.body).toBe('Recorded as revision 2 of deployments france-2023-07: by test:alice, approved by test:bob.');
      expect(approved.notes).toEqual(['Answers use it from now on, on every instance within seconds.']);
      const revs = await bot.handleText('revisions france-2023-07', READER);
      expect(revs.items[1]).toMatch(/^deployments #2 \(current\) · recorded .* · by test:alice · approved by test:bob · sources: .*afp-2026-11-21$/);
      expect((await bot.handleText(`approve ${id}`, BOB)).body).toMatch(/already approved by test:bob/);
      expect((await bot.handleText('review', BOB)).body).toBe('No proposal is waiting.');
    });

    it('a new troop figure; a duplicate is linked and the reply says so', async () => {
      const first = await bot.handleText(TROOPS, ALICE);
      expect(first.body).toMatch(/\(deployments italy-2026-11-20\) is pending/);
      const again = await bot.handleText(TROOPS, READER);
      expect(again.notes).toEqual([`It has the same content as pending proposal ${first.title.slice(9)}, and is linked to it.`]);
      expect(await pendingCount(db)).toBe(2);
    });

    it('non-editors are refused review, approve and reject; anyone may propose and withdraw their own', async () => {
      const id = (await bot.handleText(TROOPS, READER)).title.slice(9);
      expect(id).toMatch(/^P-/);
      const hostile = (await bot.handleText(CORRECT.replace('1400', '1300'), ALICE)).title.slice(9);
      const shown = await bot.handleText(`reject ${hostile} reason:no\u202E <!channel> \u0007 @everyone`, BOB);
      // Control and bidi characters are cleaned by the core; mentions are left for each adapter to escape.
      expect(shown.body).toBe(`Proposal ${hostile} is rejected: no <!channel> @everyone`);
      for (const [text, message] of [
        ['review', 'Only editors may review proposals.'],
        [`approve ${id}`, 'Only editors may approve proposals. Nothing was changed.'],
        [`reject ${id} reason:no`, 'Only editors may reject proposals. Nothing was changed.'],
      ] as const) {
        const r = await bot.handleText(text, READER);
        expect(r.kind).toBe('error');
        expect(r.body).toBe(message);
      }
      expect((await bot.handleText(`withdraw ${id}`, ALICE)).body).toMatch(/Only its author can withdraw/);
      expect((await bot.handleText(`withdraw ${id}`, READER)).body).toBe(`Proposal ${id} is withdrawn.`);
      expect(await pendingCount(db)).toBe(0);
    });

    it('reject records the reason; invalid fields are named and store nothing', async () => {
      const id = (await bot.handleText(CORRECT, ALICE)).title.slice(9);
      expect(id).toMatch(/^P-/);
      expect((await bot.handleText(`reject ${id} reason:the article says 1500`, BOB)).body).toBe(`Proposal ${id} is rejected: the article says 1500`);
      for (const [text, message] of [
        [TROOPS.replace('https://example.org/italy', 'ftp://example.org/x'), /source: "ftp:\/\/example.org\/x" is not an http\(s\) URL/],
        [TROOPS.replace('published:2026-11-21', 'published:2026-12-25'), /published: 2026-12-25 is in the future/],
        [CORRECT.replace('france-2023-07', 'atlantis-2023'), /No troop figure has the id “atlantis-2023”/],
      ] as const) {
        const r = await bot.handleText(text, ALICE);
        expect(r.kind).toBe('error');
        expect(r.body).toMatch(message);
      }
      expect(await pendingCount(db)).toBe(0);
    });
  });
}
