import type { EntryRevisionInfo, RevisionService } from '../core/revisions-port.ts';
import type { RevisionStore } from './types.ts';

/** The revisions port over the store. */
export class StoreRevisionService implements RevisionService {
  constructor(private readonly store: RevisionStore) {}

  async revisionsOf(entryId: string): Promise<EntryRevisionInfo[]> {
    return (await this.store.revisionsById(entryId)).map((r) => ({
      kind: r.kind,
      entryId: r.entryId,
      revision: r.revision,
      author: r.author,
      approver: r.approver,
      recordedAt: new Date(r.recordedAt),
      sources: r.sources,
      validFrom: r.validFrom,
      current: r.supersededBy === null,
    }));
  }

  async officeOfTerm(termId: string): Promise<string | null> {
    const offices = await this.store.currentRevisions('offices');
    const office = offices.find((r) => Array.isArray(r.entry.terms) && (r.entry.terms as { id?: unknown }[]).some((t) => t.id === termId));
    return office?.entryId ?? null;
  }
}
