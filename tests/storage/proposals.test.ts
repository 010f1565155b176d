import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_DATA_DIR, loadKnowledgeData } from '../../src/knowledge/load.ts';
import { exportKnowledge } from '../../src/storage/export.ts';
import { ProposalRefused } from '../../src/core/proposals-port.ts';
import { StoreProposalService } from '../../src/storage/proposal-service.ts';
import { ProposalError, type ProposalInput } from '../../src/storage/proposals.ts';
import { importSeed, readSeed } from '../../src/storage/seed.ts';
import type { SqlDigestStore } from '../../src/storage/sql-store.ts';
import { backendMatrix, type TestDb } from './backends.ts';

const NOW = Date.parse('2026-12-02T07:00:00Z');
const LATER = Date.parse('2026-12-02T09:30:00Z');
const SEED = readSeed(DEFAULT_DATA_DIR);
const SOURCE = { url: 'https://example.org/italy-niger', publisher: 'Example Wire', title: 'Italy ends its mission', published: '2026-11-21' };

function newTroops(over: Record<string, unknown> = {}): ProposalInput {
  return {
    kind: 'deployments',
    entryId: null,
    entry: {
      id: 'italy-2026-11',
      country: 'Italy',
      host: 'Niger',
      count: 0,
      approximate: false,
      asOf: '2026-11-20',
      sources: ['air-cosmos-2022-01'],
      added: '2026-12-02',
      ...over,
    },
    source: SOURCE,
    author: 'slack:U1',
  };
}

function correction(count: number, author = 'slack:U1'): ProposalInput {
  const current = SEED.find((e) => e.kind === 'deployments' && e.id === 'france-2023-07')!;
  return { kind: 'deployments', entryId: 'france-2023-07', entry: { ...current.entry, count }, source: SOURCE, author };
}

async function proposalCount(db: TestDb): Promise<number> {
  return Number((await db.raw('SELECT COUNT(*) AS n FROM knowledge_proposals'))[0]!.n);
}

async function refusal(p: Promise<unknown>): Promise<ProposalError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ProposalError);
  return err as ProposalError;
}

const matrix = await backendMatrix();

for (const { backend, skip } of matrix) {
  describe.skipIf(skip)(`knowledge proposals on ${backend.name}`, () => {
    let db: TestDb;
    let store: SqlDigestStore;
    beforeEach(async () => {
      db = await backend.open();
      store = db.store;
      await importSeed(store, SEED, { now: NOW });
    });
    afterEach(async () => {
      await db?.cleanup();
    });

    it('propose, list pending, approve by another editor: the revision has the proposer as author and the editor as approver', async () => {
      const p = await store.propose(correction(1400), NOW);
      expect(p).toMatchObject({ status: 'pending', entryId: 'france-2023-07', author: 'slack:U1', duplicateOf: null, source: SOURCE });
      expect(p.id).toMatch(/^P-[A-Z2-9]{6}$/);
      expect((await store.pendingProposals()).map((x) => x.id)).toEqual([p.id]);
      const approved = await store.approveProposal(p.id, 'slack:U2', LATER);
      expect(approved).toMatchObject({ status: 'approved', decidedBy: 'slack:U2', decidedAt: LATER, revision: 2 });
      const revs = await store.revisionsOf('deployments', 'france-2023-07');
      expect(revs.map((r) => [r.revision, r.author, r.approver, r.supersededBy])).toEqual([
        [1, 'data/', null, 2],
        [2, 'slack:U1', 'slack:U2', null],
      ]);
      expect(revs[1]).toMatchObject({ recordedAt: LATER, validFrom: '2023-07-01', position: revs[0]!.position });
      expect(revs[1]!.entry.count).toBe(1400);
      expect(await store.pendingProposals()).toEqual([]);
    });

    it('a new entry becomes revision 1 on approval', async () => {
      const p = await store.propose(newTroops(), NOW);
      expect(p.entryId).toBeNull();
      await store.approveProposal(p.id, 'discord:9', LATER);
      const [rev] = await store.revisionsOf('deployments', 'italy-2026-11');
      expect(rev).toMatchObject({ revision: 1, author: 'slack:U1', approver: 'discord:9', validFrom: '2026-11-20', position: null, supersededBy: null });
    });

    it('the source a proposal cites becomes a sources entry on approval, so an export passes data:check', async () => {
      const p = await store.propose(newTroops({ sources: ['example-wire-2026-11-21'] }), NOW);
      await store.approveProposal(p.id, 'discord:9', LATER);
      const [src] = await store.revisionsOf('sources', 'example-wire-2026-11-21');
      expect(src).toMatchObject({ revision: 1, author: 'slack:U1', approver: 'discord:9', supersededBy: null });
      expect(src!.entry).toMatchObject({ id: 'example-wire-2026-11-21', publisher: 'Example Wire', url: SOURCE.url, published: '2026-11-21' });
      const dir = mkdtempSync(join(tmpdir(), 'nw-export-'));
      try {
        await exportKnowledge(store, dir);
        expect(() => loadKnowledgeData(dir)).not.toThrow();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
      // A source already known is not written again.
      const q = await store.propose(correction(1400, 'slack:U5'), NOW);
      await store.approveProposal(q.id, 'slack:U2', LATER);
      expect(await store.revisionsOf('sources', 'example-wire-2026-11-21')).toHaveLength(1);
    });

    it('the author cannot approve; a decided proposal cannot be approved again', async () => {
      const p = await store.propose(correction(1400), NOW);
      expect((await refusal(store.approveProposal(p.id, 'slack:U1', LATER))).message).toMatch(/another editor/);
      expect(await store.revisionsOf('deployments', 'france-2023-07')).toHaveLength(1);
      await store.approveProposal(p.id, 'slack:U2', LATER);
      expect((await refusal(store.approveProposal(p.id, 'slack:U3', LATER))).message).toBe(`Proposal ${p.id} is already approved by slack:U2.`);
      expect(await store.revisionsOf('deployments', 'france-2023-07')).toHaveLength(2);
      expect((await refusal(store.approveProposal('P-NOSUCH', 'slack:U3', LATER))).message).toMatch(/No proposal has the id P-NOSUCH/);
    });

    it.each([
      ['count', { count: -3 }, /^count: /],
      ['country', { country: '' }, /^country: /],
      ['asOf', { asOf: '2026-13-40' }, /^asOf: /],
      ['date', { asOf: '2027-01-05' }, /^date: 2027-01-05 is in the future/],
      ['note', { note: 'x'.repeat(2001) }, /^note: 2001 characters, more than 2000/],
      ['unknown field', { colour: 'red' }, /colour/],
    ])('an invalid entry (%s) names the field and stores nothing', async (_name, over, message) => {
      const err = await refusal(store.propose(newTroops(over), NOW));
      expect(err.message).toMatch(message);
      expect(await proposalCount(db)).toBe(0);
    });

    it.each([
      ['not a URL', { url: 'javascript:alert(1)' }, /^source: "javascript:alert\(1\)" is not an http\(s\) URL/],
      ['future published', { published: '2026-12-03' }, /^published: 2026-12-03 is in the future/],
      ['bad published', { published: 'yesterday' }, /^published: "yesterday" is not a date/],
      ['long title', { title: 't'.repeat(2001) }, /^source\.title: 2001 characters/],
      ['no publisher', { publisher: ' ' }, /^publisher: missing/],
    ])('an invalid source (%s) is refused and stores nothing', async (_name, over, message) => {
      const err = await refusal(store.propose({ ...newTroops(), source: { ...SOURCE, ...over } }, NOW));
      expect(err.message).toMatch(message);
      expect(await proposalCount(db)).toBe(0);
    });

    it('a correction of an unknown entry, or a new entry with a taken id, is refused', async () => {
      const unknown = { ...correction(1), entryId: 'atlantis-2023', entry: { ...correction(1).entry, id: 'atlantis-2023' } };
      expect((await refusal(store.propose(unknown, NOW))).message).toBe('id: no deployments entry has the id atlantis-2023.');
      expect((await refusal(store.propose(newTroops({ id: 'france-2023-07' }), NOW))).message).toMatch(/france-2023-07 is taken/);
      expect(await proposalCount(db)).toBe(0);
    });

    it('a pending proposal with the same content is linked as a duplicate; other content is not', async () => {
      const first = await store.propose(correction(1400), NOW);
      const again = await store.propose(correction(1400, 'discord:7'), NOW + 1);
      const other = await store.propose(correction(1300, 'discord:7'), NOW + 2);
      expect(again.duplicateOf).toBe(first.id);
      expect(other.duplicateOf).toBeNull();
      await store.rejectProposal(first.id, 'slack:U2', 'duplicate of an earlier figure', LATER);
      expect((await store.propose(correction(1400, 'discord:8'), LATER)).duplicateOf).toBe(again.id);
    });

    it('reject records who and why; withdraw is the author’s only; neither writes a revision', async () => {
      const a = await store.propose(correction(1400), NOW);
      const b = await store.propose(correction(1300), NOW);
      expect(await store.rejectProposal(a.id, 'slack:U2', 'the article says 1,500', LATER)).toMatchObject({
        status: 'rejected',
        decidedBy: 'slack:U2',
        reason: 'the article says 1,500',
      });
      expect((await refusal(store.withdrawProposal(b.id, 'slack:U9', LATER))).message).toMatch(/Only its author/);
      expect(await store.withdrawProposal(b.id, 'slack:U1', LATER)).toMatchObject({ status: 'withdrawn', decidedBy: 'slack:U1' });
      expect((await refusal(store.approveProposal(b.id, 'slack:U2', LATER))).message).toMatch(/already withdrawn/);
      expect((await refusal(store.rejectProposal(a.id, 'slack:U3', 'again', LATER))).message).toMatch(/already rejected by slack:U2/);
      expect(await store.revisionsOf('deployments', 'france-2023-07')).toHaveLength(1);
      expect(await store.pendingProposals()).toEqual([]);
    });

    it('the port turns store refusals into ProposalRefused naming the field, and reads the entry a correction starts from', async () => {
      let clock = NOW;
      const port = new StoreProposalService(store, () => clock);
      expect(await port.currentEntry('deployments', 'france-2023-07')).toMatchObject({ count: 1500 });
      expect(await port.currentEntry('deployments', 'atlantis')).toBeNull();
      const err = await port.propose(newTroops({ count: 'many' })).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ProposalRefused);
      expect((err as ProposalRefused).field).toBe('count');
      const p = await port.propose(correction(1400));
      expect(p.createdAt).toEqual(new Date(NOW));
      expect((await port.pending()).map((x) => x.id)).toEqual([p.id]);
      clock = LATER;
      expect(await port.approve(p.id, 'slack:U2')).toMatchObject({ status: 'approved', revision: 2, decidedAt: new Date(LATER) });
      await expect(port.withdraw(p.id, 'slack:U1')).rejects.toThrow(/already approved by slack:U2/);
    });

    it('two instances approving the same proposal at once: exactly one wins', async () => {
      const other = await db.reopen();
      for (let round = 0; round < 5; round++) {
        // Each round's correction is proposed after the previous round's approval: one made before it is refused.
        const p = await store.propose(correction(1000 + round), LATER + 2 * round);
        const results = await Promise.allSettled([
          store.approveProposal(p.id, 'slack:A', LATER + 2 * round + 1),
          other.approveProposal(p.id, 'slack:B', LATER + 2 * round + 1),
        ]);
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        const lost = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
        expect(lost.reason).toBeInstanceOf(ProposalError);
        const revs = await store.revisionsOf('deployments', 'france-2023-07');
        expect(revs).toHaveLength(round + 2);
        expect(revs.filter((r) => r.supersededBy === null)).toHaveLength(1);
        const winner = (await store.getProposal(p.id))!;
        expect(revs.at(-1)!.approver).toBe(winner.decidedBy);
      }
    });
  });
}
