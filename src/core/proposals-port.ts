/**
 * The port through which commands propose knowledge changes and editors decide on them (issue 13). The
 * implementation lives in src/storage/ (proposals are stored rows); the core only knows this interface.
 * Refusals (invalid field, self-approval, already decided) are thrown as ProposalRefused with a message naming
 * the field or the state; commands show it escaped.
 */

export type ProposalState = 'pending' | 'approved' | 'rejected' | 'withdrawn';

export interface ProposalSourceInfo {
  url: string;
  publisher: string;
  title: string;
  /** ISO day. */
  published: string;
}

export interface ProposalInfo {
  id: string;
  kind: string;
  /** The entry corrected; null for a new entry. */
  entryId: string | null;
  /** The id of the entry proposed. */
  proposedId: string;
  entry: Record<string, unknown>;
  source: ProposalSourceInfo;
  /** "platform:user". */
  author: string;
  createdAt: Date;
  status: ProposalState;
  decidedBy: string | null;
  decidedAt: Date | null;
  reason: string | null;
  /** An earlier pending proposal with the same kind, entry id and content. */
  duplicateOf: string | null;
  /** The revision an approval recorded. */
  revision: number | null;
}

export interface NewProposal {
  kind: string;
  entryId: string | null;
  entry: Record<string, unknown>;
  source: ProposalSourceInfo;
  author: string;
}

/** A proposal or decision the store refused; `field` names what was wrong where it is one field. */
export class ProposalRefused extends Error {
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'ProposalRefused';
  }
}

export interface ProposalService {
  propose(p: NewProposal): Promise<ProposalInfo>;
  pending(limit?: number): Promise<ProposalInfo[]>;
  /** The current entry of a kind (what a correction starts from), or null. */
  currentEntry(kind: string, entryId: string): Promise<Record<string, unknown> | null>;
  approve(id: string, editor: string): Promise<ProposalInfo>;
  reject(id: string, editor: string, reason: string): Promise<ProposalInfo>;
  withdraw(id: string, author: string): Promise<ProposalInfo>;
}
