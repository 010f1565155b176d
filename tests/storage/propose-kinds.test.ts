import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Bot } from '../../src/core/bot.ts';
import type { Caller } from '../../src/core/command.ts';
import { DEFAULT_DATA_DIR, type KnowledgeData, loadKnowledgeData } from '../../src/knowledge/load.ts';
import { LiveKnowledge } from '../../src/live-knowledge.ts';
import { exportKnowledge } from '../../src/storage/export.ts';
import { StoreProposalService } from '../../src/storage/proposal-service.ts';
import { StoreRevisionService } from '../../src/storage/revision-service.ts';
import { importSeed, readSeed, REVISIONED_KINDS } from '../../src/storage/seed.ts';
import { captureLogger, TEST_CALLER, TEST_NOW, testBot } from '../helpers/bot.ts';
import { backendMatrix, type TestDb } from './backends.ts';

// Proposals of kinds other than troop figures (issue 13), through the shell's text syntax and the real store: the
// entry is built and checked as data/ would have it, the review shows it, and an approval is answered at once.

const matrix = await backendMatrix();
const NOW = TEST_NOW.getTime();
const SEED = readSeed(DEFAULT_DATA_DIR);
const editor = (userId: string): Caller => ({ ...TEST_CALLER, userId, isEditor: async () => true });
const ALICE = editor('alice');
const BOB = editor('bob');
const READER: Caller = { ...TEST_CALLER, userId: 'reader' };
const SOURCE = 'source:https://example.org/italy publisher:ANSA title:Ritiro published:2026-11-21';
const EVENT = `propose event date:2026-11-20 headline:Italy withdraws its last soldiers from Niamey summary:Italy flew its last soldiers out of Niamey. tags:italy, withdrawal places:niamey ${SOURCE}`;

const STATEMENT = `propose statement person:Tiani date:2026-11-20 quote:Our soldiers alone will defend Niger. context:Tiani in a televised address on the last foreign troops leaving. ${SOURCE}`;

const seedEntries = (data: KnowledgeData) => REVISIONED_KINDS.reduce((n, kind) => n + data[kind].length, 0);

async function pendingCount(db: TestDb): Promise<number> {
  return Number((await db.raw("SELECT COUNT(*) AS n FROM knowledge_proposals WHERE status = 'pending'"))[0]!.n);
}

const idOf = (r: { title: string }) => r.title.slice('Proposal '.length);

for (const { backend, skip } of matrix) {
  describe.skipIf(skip)(`propose kinds on ${backend.name}`, () => {
    let db: TestDb;
    let bot: Bot;
    let live: LiveKnowledge;
    beforeEach(async () => {
      db = await backend.open();
      await importSeed(db.store, SEED, { now: NOW - 86_400_000 });
      const { log } = captureLogger('info');
      const services = {
        revisions: new StoreRevisionService(db.store),
        proposals: new StoreProposalService(
          db.store,
          () => NOW,
          async () => live.refresh(),
        ),
      };
      bot = await testBot({ log, services });
      live = new LiveKnowledge({ store: db.store, target: bot, words: bot.kb.data, seedEntries: seedEntries(bot.kb.data), log, pollMs: 60_000 });
      await live.start();
    });
    afterEach(async () => {
      await live?.stop();
      await db?.cleanup();
    });

    it('an event: proposed, listed and shown for review, approved by another editor, then answered by when and timeline', async () => {
      const proposed = await bot.handleText(EVENT, ALICE);
      const id = idOf(proposed);
      expect(proposed.body).toBe(
        `Proposal ${id} (events italy-withdraws-its-last-soldiers-from-niamey-2026-11-20) is pending: an editor other than you must approve it.`,
      );
      const post = proposed.notify?.reply;
      expect(post?.title).toBe(`Proposal ${id}: new events italy-withdraws-its-last-soldiers-from-niamey-2026-11-20`);
      expect(post?.fields?.[0]?.value.split('\n')).toEqual([
        'id: italy-withdraws-its-last-soldiers-from-niamey-2026-11-20',
        'date: 2026-11-20',
        'title: Italy withdraws its last soldiers from Niamey',
        'summary: Italy flew its last soldiers out of Niamey.',
        'tags: ["italy","withdrawal"]',
        'places: ["niamey"]',
        'sources: ["ansa-2026-11-21"]',
      ]);
      const review = await bot.handleText('review', BOB);
      expect(review.items).toEqual([
        `${id} · new events italy-withdraws-its-last-soldiers-from-niamey-2026-11-20 · Italy withdraws its last soldiers from Niamey · by test:alice · source: ANSA, “Ritiro” (2026-11-21) https://example.org/italy`,
      ]);
      const before = await bot.handleText('when did Italy withdraw its last soldiers from Niamey', READER);
      expect(before.title).not.toBe('Italy withdraws its last soldiers from Niamey');
      expect((await bot.handleText(`approve ${id}`, BOB)).body).toBe(
        'Recorded as revision 1 of events italy-withdraws-its-last-soldiers-from-niamey-2026-11-20: by test:alice, approved by test:bob.',
      );
      const when = await bot.handleText('when did Italy withdraw its last soldiers from Niamey', READER);
      expect(when.title).toBe('Italy withdraws its last soldiers from Niamey');
      expect(when.body).toMatch(/^20 November 2026: Italy withdraws its last soldiers from Niamey\./);
      expect(when.citations.map((c) => c.publisher)).toContain('ANSA');
      const timeline = await bot.handleText('timeline from:2026-11', READER);
      expect(timeline.items.join('\n')).toContain('Italy withdraws its last soldiers from Niamey');
      const revs = await bot.handleText('revisions italy-withdraws-its-last-soldiers-from-niamey-2026-11-20', READER);
      expect(revs.items[0]).toMatch(/^events #1 \(current\) .* by test:alice · approved by test:bob/);
    });

    it('names and ids both resolve; without tags, the topics the headline names are taken', async () => {
      const r = await bot.handleText(
        `propose event date:2026-11 headline:Tiani receives the ECOWAS envoy summary:Tiani received an ECOWAS envoy in Niamey. actors:Tiani, ECOWAS places:Niamey ${SOURCE}`,
        ALICE,
      );
      expect(r.kind).toBe('admin');
      const entry = r.notify!.reply.fields![0]!.value;
      expect(entry).toContain('actors: ["abdourahamane-tiani","ecowas"]');
      expect(entry).toContain('places: ["niamey"]');
      expect(entry).toMatch(/tags: \[.*"ecowas".*\]/);
      expect(entry).toContain('date: 2026-11');
    });

    it('bad input: each refusal names its field, and nothing is stored', async () => {
      for (const [text, message, field] of [
        [EVENT.replace('places:niamey', 'places:atlantis'), /^places: the knowledge base knows nothing called “atlantis”/, 'places'],
        [EVENT.replace('tags:italy, withdrawal ', 'actors:nobody-at-all '), /^actors: the knowledge base knows nothing called “nobody-at-all”/, 'actors'],
        [EVENT.replace('date:2026-11-20', 'date:2026-12-25'), /date: 2026-12-25 is in the future/, 'date'],
        [EVENT.replace('date:2026-11-20', 'date:2026-02-30'), /date: impossible date "2026-02-30"/, 'date'],
        [EVENT.replace('date:2026-11-20', 'date:soon'), /date: impossible date "soon"/, 'date'],
        [EVENT.replace('tags:italy, withdrawal ', '').replace('headline:Italy withdraws', 'headline:Someone leaves'), /^tags: give at least one topic/, 'tags'],
        [EVENT.replace('https://example.org/italy', 'javascript:alert(1)'), /source: "javascript:alert\(1\)" is not an http\(s\) URL/, 'source'],
        [EVENT.replace('published:2026-11-21', 'published:2026-12-01'), /published: 2026-12-01 is in the future/, 'published'],
      ] as const) {
        const r = await bot.handleText(text, ALICE);
        expect(r.kind, text).toBe('error');
        expect(r.body, text).toMatch(message);
        expect(r.errorField, text).toBe(field);
      }
      const long = await bot.handleText(EVENT.replace('summary:Italy flew', `summary:${'x'.repeat(10_000)} Italy flew`), ALICE);
      expect(long.kind).toBe('error');
      expect(long.body).toMatch(/summary/);
      expect(await pendingCount(db)).toBe(0);
    });

    it('an event corrected: only the fields given change, the review shows before → after, the approval is revision 2', async () => {
      const proposed = await bot.handleText(
        `propose correct-event id:ouallam-camp-set-up-2022-07 summary:In July 2022 French troops set up a camp at Ouallam for about 400 soldiers. places:Ouallam, Niamey ${SOURCE}`,
        ALICE,
      );
      const id = idOf(proposed);
      expect(proposed.body).toBe(`Proposal ${id} (events ouallam-camp-set-up-2022-07) is pending: an editor other than you must approve it.`);
      const post = proposed.notify!.reply;
      expect(post.title).toBe(`Proposal ${id}: correction of events ouallam-camp-set-up-2022-07`);
      expect(post.fields![0]!.value.split('\n')).toEqual([
        'summary: In early July 2022 French troops set up a tent camp at Ouallam for about 300 Foreign Legion soldiers. → In July 2022 French troops set up a camp at Ouallam for about 400 soldiers.',
        'places: ["ouallam"] → ["ouallam","niamey"]',
        'sources: ["tf1-2022-08"] → ["tf1-2022-08","ansa-2026-11-21"]',
      ]);
      expect((await bot.handleText(`approve ${id}`, BOB)).body).toBe(
        'Recorded as revision 2 of events ouallam-camp-set-up-2022-07: by test:alice, approved by test:bob.',
      );
      expect(bot.kb.eventsById.get('ouallam-camp-set-up-2022-07')?.summary).toBe('In July 2022 French troops set up a camp at Ouallam for about 400 soldiers.');
      expect(bot.kb.eventsById.get('ouallam-camp-set-up-2022-07')?.title).toBe('French tent camp set up at Ouallam');
      for (const [text, message, field] of [
        [`propose correct-event id:atlantis-2022 summary:x ${SOURCE}`, /^No event has the id “atlantis-2022”/, 'id'],
        [`propose correct-event id:ouallam-camp-set-up-2022-07 ${SOURCE}`, /^Give at least one field to change/, undefined],
        [`propose correct-event id:ouallam-camp-set-up-2022-07 date:2027-01 ${SOURCE}`, /date: 2027-01-01 is in the future/, 'date'],
        [`propose correct-event id:ouallam-camp-set-up-2022-07 actors:nobody-at-all ${SOURCE}`, /^actors: the knowledge base knows nothing/, 'actors'],
      ] as const) {
        const r = await bot.handleText(text, ALICE);
        expect(r.kind, text).toBe('error');
        expect(r.body, text).toMatch(message);
        expect(r.errorField, text).toBe(field);
      }
      expect(await pendingCount(db)).toBe(0);
    });

    it('a statement: the person by name, the id from who, words and day; approved, said answers it', async () => {
      const proposed = await bot.handleText(STATEMENT, ALICE);
      const id = idOf(proposed);
      expect(proposed.body).toMatch(/\(statements abdourahamane-tiani-our-soldiers-alone-will-defend-niger-2026-11-20\) is pending/);
      expect(proposed.notify?.reply.fields?.[0]?.value.split('\n')).toEqual([
        'id: abdourahamane-tiani-our-soldiers-alone-will-defend-niger-2026-11-20',
        'person: abdourahamane-tiani',
        'date: 2026-11-20',
        'quote: Our soldiers alone will defend Niger.',
        'context: Tiani in a televised address on the last foreign troops leaving.',
        'sources: ["ansa-2026-11-21"]',
      ]);
      expect((await bot.handleText('review', BOB)).items[0]).toContain(
        ' · new statements abdourahamane-tiani-our-soldiers-alone-will-defend-niger-2026-11-20 · Our soldiers alone will defend Niger. · by test:alice',
      );
      expect((await bot.handleText('said Tiani', READER)).body).not.toContain('Our soldiers alone will defend Niger.');
      expect((await bot.handleText(`approve ${id}`, BOB)).kind).toBe('admin');
      const said = await bot.handleText('said Tiani', READER);
      expect(said.body).toContain('Our soldiers alone will defend Niger.');
      expect(said.citations.map((c) => c.publisher)).toContain('ANSA');
    });

    it('a statement: an unknown person, a bad day, a missing quote are refused naming the field; nothing is stored', async () => {
      for (const [text, message, field] of [
        [STATEMENT.replace('person:Tiani', 'person:Nobody Known'), /^person: the knowledge base knows nothing called “Nobody Known”/, 'person'],
        [STATEMENT.replace('date:2026-11-20', 'date:2027-01-01'), /date: 2027-01-01 is in the future/, 'date'],
        [STATEMENT.replace('date:2026-11-20', 'date:20/11/2026'), /date: impossible date "20\/11\/2026"/, 'date'],
        [STATEMENT.replace('quote:Our soldiers alone will defend Niger. ', ''), /quote/, 'quote'],
      ] as const) {
        const r = await bot.handleText(text, ALICE);
        expect(r.kind, text).toBe('error');
        expect(r.body, text).toMatch(message);
        if (field !== 'quote') expect(r.errorField, text).toBe(field);
      }
      expect(await pendingCount(db)).toBe(0);
    });

    it('a place: id from its name, the country checked; once approved, events and places can name it', async () => {
      const text = `propose place name:Dirkou air base country:Niger kind:air base summary:A military air base at Dirkou in the north. aliases:Dirkou base, BA Dirkou ${SOURCE}`;
      const proposed = await bot.handleText(text, ALICE);
      expect(proposed.body).toMatch(/\(places dirkou-air-base\) is pending/);
      expect(proposed.notify!.reply.fields![0]!.value).toContain('aliases: ["Dirkou base","BA Dirkou"]');
      const refused = await bot.handleText(text.replace('country:Niger', 'country:Atlantis'), ALICE);
      expect(refused.body).toMatch(/^country: the knowledge base knows nothing called “Atlantis”/);
      expect(refused.errorField).toBe('country');
      const early = await bot.handleText(EVENT.replace('places:niamey', 'places:dirkou-air-base'), ALICE);
      expect(early.errorField).toBe('places');
      expect((await bot.handleText(`approve ${idOf(proposed)}`, BOB)).kind).toBe('admin');
      const answer = await bot.handleText('places Dirkou', READER);
      expect(answer.title).toContain('Dirkou air base');
      expect(answer.body).toBe('A military air base at Dirkou in the north.');
      const later = await bot.handleText(EVENT.replace('places:niamey', 'places:BA Dirkou'), ALICE);
      expect(later.notify!.reply.fields![0]!.value).toContain('places: ["dirkou-air-base"]');
      expect(await bot.handleText(text, ALICE)).toMatchObject({ kind: 'error', errorField: 'id' });
    });

    it('an organisation: id from its acronym, names in every language; once approved, events name it as an actor', async () => {
      const text = `propose organisation name:Sahel Monitoring Mission acronym:SMM kind:observer mission description:An observer mission in the Sahel. french:Mission de surveillance du Sahel ${SOURCE}`;
      const proposed = await bot.handleText(text, ALICE);
      expect(proposed.body).toMatch(/\(organisations smm\) is pending/);
      expect(proposed.notify!.reply.fields![0]!.value).toContain(
        'names: {"en":["SMM","Sahel Monitoring Mission"],"fr":["SMM","Mission de surveillance du Sahel"],"de":["SMM","Sahel Monitoring Mission"]}',
      );
      const early = await bot.handleText(EVENT.replace('places:niamey', 'actors:SMM'), ALICE);
      expect(early.errorField).toBe('actors');
      expect((await bot.handleText(`approve ${idOf(proposed)}`, BOB)).kind).toBe('admin');
      expect(bot.kb.organisationsById.get('smm')?.kind).toBe('observer mission');
      const later = await bot.handleText(EVENT.replace('places:niamey', 'actors:Mission de surveillance du Sahel'), ALICE);
      expect(later.notify!.reply.fields![0]!.value).toContain('actors: ["smm"]');
      const empty = await bot.handleText(text.replace('kind:observer mission ', ''), ALICE);
      expect(empty.kind).toBe('error');
      expect(empty.body).toMatch(/kind/);
    });

    it('approved events, an event correction and a statement export to data/ files the loader accepts with its cross checks', async () => {
      for (const text of [
        EVENT,
        STATEMENT,
        `propose correct-event id:ouallam-camp-set-up-2022-07 actors:Tiani places:ouallam, niamey ${SOURCE.replace('ANSA', 'AFP')}`,
      ]) {
        const proposed = await bot.handleText(text, ALICE);
        expect(proposed.kind, text).toBe('admin');
        expect((await bot.handleText(`approve ${idOf(proposed)}`, BOB)).kind, text).toBe('admin');
      }
      const out = mkdtempSync(join(tmpdir(), 'niger-watch-propose-kinds-'));
      try {
        await exportKnowledge(db.store, out);
        const loaded = loadKnowledgeData(out);
        expect(loaded.events.find((e) => e.id === 'italy-withdraws-its-last-soldiers-from-niamey-2026-11-20')?.places).toEqual(['niamey']);
        expect(loaded.events.find((e) => e.id === 'ouallam-camp-set-up-2022-07')?.actors).toEqual(['abdourahamane-tiani']);
        expect(loaded.statements.some((x) => x.id === 'abdourahamane-tiani-our-soldiers-alone-will-defend-niger-2026-11-20')).toBe(true);
        expect(loaded.sources.map((x) => x.id)).toEqual(expect.arrayContaining(['ansa-2026-11-21', 'afp-2026-11-21']));
      } finally {
        rmSync(out, { recursive: true, force: true });
      }
    });

    it('what an editor typed is cleaned and quoted in the review; mentions are left for each adapter to escape', async () => {
      const r = await bot.handleText(EVENT.replace('headline:Italy', 'headline:<!channel> \u202E*Italy*\u0007 @everyone'), ALICE);
      expect(r.kind).toBe('admin');
      const shown = r.notify!.reply.fields![0]!.value;
      expect(shown).toContain('title: <!channel> *Italy* @everyone withdraws its last soldiers from Niamey');
      expect(shown).not.toMatch(/[\u202E\u0007]/);
      // The id is the headline's words, cut at a word to stay readable.
      expect(r.body).toMatch(/\(events channel-italy-everyone-withdraws-its-last-soldiers-from-2026-11-20\)/);
    });
  });
}
