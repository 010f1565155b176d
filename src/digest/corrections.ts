/**
 * Corrections follow what was said: when an approved proposal corrects an entry (or, for a troop figure, adds a
 * newer one for the same country), every post of the last 30 days that carried the old entry gets one threaded
 * reply. Any instance may notice the approval (its own, a notification, the poll): the work is derived from the
 * store each time, and one claim row per (post, proposal) makes the reply go out once. A claim whose post started
 * under an instance that then vanished is never posted again: at most once, as a duplicate correction in a thread
 * is worse than a missing one, and the delivery log says which.
 */
import { createHash } from 'node:crypto';
import { DeliveryError, type ChannelPoster } from '../core/delivery.ts';
import { t } from '../core/i18n.ts';
import { longDays, reply, type Reply } from '../core/reply.ts';
import { formatDay } from '../knowledge/dates.ts';
import type { KnowledgeBase } from '../knowledge/kb.ts';
import { deploymentSchema, type Deployment } from '../knowledge/schema.ts';
import type { Logger } from '../logger.ts';
import type { ApprovedChange, CorrectionClaim, CorrectionStore } from '../storage/corrections.ts';
import { describeTroops } from './content.ts';
import { describeChange } from './correction-words.ts';
import { describeDuration, errorText } from './report.ts';

/** Posts older than this when the correction is approved get no reply. */
export const CORRECTION_WINDOW_MS = 30 * 86_400_000;
/** Approvals looked at on each run: enough for an instance that was down a while to catch up. */
const APPROVALS_LOOKBACK_MS = 7 * 86_400_000;
const MAX_ATTEMPTS = 5;

export interface CorrectionsOptions {
  store: CorrectionStore;
  log: Logger;
  instanceId: string;
  posters: () => ReadonlyMap<string, ChannelPoster>;
  /** The current knowledge base (after the approval's reload): it words what changed. */
  kb: () => KnowledgeBase;
  now?: () => number;
  /** Lease of a claim being posted. */
  leaseMs?: number;
  batchSize?: number;
}

export interface CorrectionsReport {
  enqueued: number;
  sent: number;
  failed: number;
  retried: number;
  contended: number;
}

/**
 * The entries ("kind/entry id") an approved change corrects or supersedes. A new entry of any kind but a troop
 * figure supersedes nothing: a new event, statement, place, organisation or person adds to the record without
 * making an earlier answer wrong, and a new office term is recorded as a correction of its office's entry (whose
 * id answers about the holder carry), so it is the case above.
 */
export function supersededEntries(kb: KnowledgeBase, change: ApprovedChange): string[] {
  if (change.entryId !== null) return [`${change.kind}/${change.entryId}`];
  if (change.kind !== 'deployments') return [];
  // A new figure for a country supersedes that country's earlier ones (what a digest showed as the newest).
  const country = String(change.entry.country ?? '');
  const asOf = String(change.entry.asOf ?? '');
  return kb
    .troopHistory(country)
    .filter((d) => d.id !== change.proposedId && d.asOf.start < asOf)
    .map((d) => `deployments/${d.id}`);
}

function parsedFigure(entry: Record<string, unknown>): Deployment | undefined {
  const parsed = deploymentSchema.safeParse(entry);
  return parsed.success ? parsed.data : undefined;
}

/** What the correction says, in `lang`, every part from the catalogs (the renderers escape it). */
export function correctionReply(kb: KnowledgeBase, change: ApprovedChange, lang: string): Reply {
  // From the knowledge base when it has reloaded, else from the approved entry itself (the same fields, validated).
  const figure =
    change.kind === 'deployments'
      ? (kb.troopHistory(String(change.entry.country ?? '')).find((d) => d.id === change.proposedId) ?? parsedFigure(change.entry))
      : undefined;
  // Days in what the entry says are written as answers write them ("29 January 2025"); an id ("…-2023-09-27") and the
  // source's title, quoted as published, stay as they are.
  const described = figure ? t(lang, 'correction.troops', describeTroops(kb, figure, lang)) : describeChange(kb, change, lang);
  const what = described === undefined ? t(lang, 'correction.entry', { id: change.proposedId }) : longDays(described, lang);
  const published = /^\d{4}-\d{2}-\d{2}$/.test(change.source.published) ? formatDay(change.source.published, lang) : change.source.published;
  return {
    ...reply({ command: 'digest', lang, title: t(lang, 'correction.title') }),
    body: t(lang, 'correction.text', { change: what, publisher: change.source.publisher, title: change.source.title, date: published }),
  };
}

/** Stable per (post, proposal), within Discord's 25 characters: a retry with it cannot post twice there. */
function correctionNonce(c: CorrectionClaim): string {
  return `c${createHash('sha256').update(`${c.platform}\u0000${c.channelId}\u0000${c.messageId}\u0000${c.proposalId}`).digest('base64url').slice(0, 24)}`;
}

export class Corrections {
  private readonly now: () => number;
  private readonly leaseMs: number;
  private readonly batchSize: number;
  private running: Promise<CorrectionsReport> | undefined;
  private again = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: CorrectionsOptions) {
    this.now = options.now ?? Date.now;
    this.leaseMs = options.leaseMs ?? 60_000;
    this.batchSize = options.batchSize ?? 100;
  }

  /** Runs every `intervalMs` (and whenever `run` is called): approvals of other instances arrive at least this way. */
  start(intervalMs = 15_000): void {
    this.timer = setInterval(() => void this.run().catch(() => undefined), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Finds new corrections and posts the due ones. Runs never overlap: a call during one asks for one more. */
  run(): Promise<CorrectionsReport> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      const total: CorrectionsReport = { enqueued: 0, sent: 0, failed: 0, retried: 0, contended: 0 };
      try {
        do {
          this.again = false;
          await this.once(total);
        } while (this.again);
      } catch (err) {
        this.options.log.warn({ detail: errorText(err), instance: this.options.instanceId }, 'corrections could not run; trying again later');
      } finally {
        this.running = undefined;
      }
      return total;
    })();
    return this.running;
  }

  private async once(report: CorrectionsReport): Promise<void> {
    const { store } = this.options;
    const kb = this.options.kb();
    const now = this.now();
    const changes = await store.approvedSince(now - APPROVALS_LOOKBACK_MS);
    const byId = new Map(changes.map((c) => [c.id, c]));
    for (const change of changes) {
      const posts = await store.postsCarrying(supersededEntries(kb, change), change.decidedAt - CORRECTION_WINDOW_MS, change.decidedAt);
      report.enqueued += await store.enqueueCorrections(
        posts.map((post) => ({ post, proposalId: change.id })),
        now,
      );
    }
    const posters = this.options.posters();
    for (;;) {
      const due = await store.dueCorrections(this.now(), [...posters.keys()], this.batchSize);
      if (due.length === 0) return;
      let progressed = false;
      for (const claim of due) progressed = (await this.deliver(claim, byId, posters, kb, report)) || progressed;
      if (!progressed) return;
    }
  }

  /**
   * A post that hangs must not hold the runs (they never overlap) nor outlive the lease, after which another
   * instance would give the claim up as failed: it fails as 'no answer', which is never posted again.
   */
  private withinLease<T>(work: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const ms = Math.floor(this.leaseMs / 2);
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new DeliveryError('transient', `no answer from the platform within ${describeDuration(ms)}`)), ms);
    });
    return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
  }

  /** False when nothing changed (another instance holds it): the caller stops rather than spin. */
  private async deliver(
    due: CorrectionClaim,
    byId: Map<string, ApprovedChange>,
    posters: ReadonlyMap<string, ChannelPoster>,
    kb: KnowledgeBase,
    report: CorrectionsReport,
  ): Promise<boolean> {
    const { store, log, instanceId } = this.options;
    if (due.status === 'claimed' && due.postStartedAt !== null) {
      const reason = `the instance posting it (${due.owner ?? 'unknown'}) stopped before recording it; not posted again, so the thread cannot get it twice`;
      if (await store.abandonCorrection(due, reason, this.now())) {
        report.failed++;
        log.warn(
          { channel: due.channelId, platform: due.platform, proposal: due.proposalId, instance: instanceId },
          'a correction whose sender stopped is not posted again',
        );
        return true;
      }
      return false;
    }
    const claim = await store.takeCorrection(due, instanceId, this.now() + this.leaseMs, this.now());
    if (!claim) {
      report.contended++;
      return false;
    }
    const change = byId.get(claim.proposalId);
    const poster = posters.get(claim.platform)!;
    if (!change) {
      await store.finishCorrection(
        claim,
        instanceId,
        { status: 'failed', reason: 'the approval is older than the corrections look back; not posted' },
        this.now(),
      );
      report.failed++;
      return true;
    }
    if (!(await store.startCorrection(claim, instanceId, this.now() + this.leaseMs, this.now()))) {
      report.contended++;
      return true;
    }
    try {
      const { messageId } = await this.withinLease(
        poster.post(claim.channelId, correctionReply(kb, change, claim.lang), correctionNonce(claim), {
          workspaceId: claim.workspaceId,
          threadOf: claim.threadOf ?? claim.messageId,
        }),
      );
      await store.finishCorrection(claim, instanceId, { status: 'sent', replyId: messageId, reason: null }, this.now());
      report.sent++;
    } catch (err) {
      const failure = err instanceof DeliveryError ? err.failure : 'transient';
      // Refused or rate limited: Slack and Discord posted nothing, so it may go again; anything else may have posted.
      if ((failure === 'rate_limited' || failure === 'not_in_channel') && claim.attempts < MAX_ATTEMPTS) {
        const wait = err instanceof DeliveryError && err.retryAfterMs !== undefined ? Math.max(1000, err.retryAfterMs) : 30_000 * 2 ** (claim.attempts - 1);
        const reason = `${errorText(err)}; next attempt in ${describeDuration(wait)}`;
        await store.finishCorrection(claim, instanceId, { status: 'pending', reason, retryAt: this.now() + wait }, this.now());
        report.retried++;
      } else {
        const reason =
          failure === 'transient' ? `${errorText(err)}; the platform may have posted it, so it is not posted again` : `${errorText(err)}; not posted`;
        await store.finishCorrection(claim, instanceId, { status: 'failed', reason }, this.now());
        report.failed++;
      }
      log.warn(
        { channel: claim.channelId, platform: claim.platform, proposal: claim.proposalId, detail: errorText(err), instance: instanceId },
        'correction post failed',
      );
    }
    return true;
  }
}
