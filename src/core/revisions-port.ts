/**
 * The port through which commands read the history of knowledge entries. The implementation lives in
 * src/storage/ (revisions are stored rows); the core only knows this interface.
 */

/** One revision of one entry, as a reader is shown it. */
export interface EntryRevisionInfo {
  /** The data/ collection the entry belongs to: "deployments", "events", … */
  kind: string;
  entryId: string;
  revision: number;
  author: string;
  /** Null for the reviewed seed (data/) and anything recorded without a second editor. */
  approver: string | null;
  /** Transaction time: when the knowledge base took the revision in. */
  recordedAt: Date;
  /** The source ids the revision cites. */
  sources: string[];
  /** First day the fact holds for, where its kind has one. */
  validFrom: string | null;
  /** Whether this revision is what the knowledge base holds now. */
  current: boolean;
}

export interface RevisionService {
  /** Every revision of every entry with this id (any kind), by kind then revision; empty for an unknown id. */
  revisionsOf(entryId: string): Promise<EntryRevisionInfo[]>;
  /** The office whose current revision holds a term with this id (terms are revised with their office), or null. */
  officeOfTerm(termId: string): Promise<string | null>;
}
