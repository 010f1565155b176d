import type { CommandContext } from '../src/core/command.ts';
import { PermissionError, UserError } from '../src/core/errors.ts';
import { ProposalRefused, type ProposalService } from '../src/core/proposals-port.ts';
import { quote } from '../src/core/sanitize.ts';

/** The proposals port, or the refusal a bot without a database gives. */
export function proposals(ctx: CommandContext): ProposalService {
  const service = ctx.services.proposals;
  if (!service) throw new UserError({ key: 'proposals.unavailable' }, { key: 'proposals.unavailable.hint' });
  return service;
}

/** Who the caller is in proposals: "platform:user". */
export function who(ctx: CommandContext): string {
  return `${ctx.caller.platform}:${ctx.caller.userId}`;
}

/** Editors only: review, approve, reject. */
export async function requireEditor(ctx: CommandContext, action: 'review' | 'approve' | 'reject'): Promise<void> {
  if (!(await ctx.caller.isEditor?.())) throw new PermissionError({ key: `proposals.permission.${action}` });
}

/** Runs a port call; a refusal becomes a user error quoting the store's message (it may hold what was typed). */
export async function refused<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof ProposalRefused) throw new UserError({ key: 'proposals.refused', params: { message: quote(err.message, 300) } });
    throw err;
  }
}
