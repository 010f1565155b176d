import { ProposalRefused, type NewProposal, type ProposalInfo, type ProposalService } from '../core/proposals-port.ts';
import { ProposalError, type ProposalRow } from './proposals.ts';
import type { ProposalStore, RevisionStore } from './types.ts';

function info(p: ProposalRow): ProposalInfo {
  return { ...p, createdAt: new Date(p.createdAt), decidedAt: p.decidedAt === null ? null : new Date(p.decidedAt) };
}

/** Store refusals become the port's; anything else (a database failure) is left as it is. */
async function refusing<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof ProposalError) throw new ProposalRefused(err.message, err.field);
    throw err;
  }
}

/** The proposals port over the store. */
export class StoreProposalService implements ProposalService {
  constructor(
    private readonly store: ProposalStore & RevisionStore,
    private readonly now: () => number = Date.now,
    /** Called after each approval, before the reply: the live knowledge base reloads, so the next answer has it. */
    private readonly onApproved?: () => Promise<void>,
  ) {}

  propose(p: NewProposal): Promise<ProposalInfo> {
    return refusing(async () => info(await this.store.propose(p, this.now())));
  }

  async pending(limit?: number): Promise<ProposalInfo[]> {
    return (await this.store.pendingProposals(limit)).map(info);
  }

  async currentEntry(kind: string, entryId: string): Promise<Record<string, unknown> | null> {
    const head = (await this.store.revisionsOf(kind, entryId)).find((r) => r.supersededBy === null);
    return head?.entry ?? null;
  }

  async approve(id: string, editor: string): Promise<ProposalInfo> {
    const approved = await refusing(async () => info(await this.store.approveProposal(id, editor, this.now())));
    await this.onApproved?.();
    return approved;
  }

  reject(id: string, editor: string, reason: string): Promise<ProposalInfo> {
    return refusing(async () => info(await this.store.rejectProposal(id, editor, reason, this.now())));
  }

  withdraw(id: string, author: string): Promise<ProposalInfo> {
    return refusing(async () => info(await this.store.withdrawProposal(id, author, this.now())));
  }
}
