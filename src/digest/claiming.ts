/**
 * The claim protocol, the part of the scheduler that makes delivery exactly-once across instances:
 * due subscriptions become claim rows (only the instance whose insert won sends), claims of a sender
 * that died or whose retry time came are taken over by a conditional update, and the leases of
 * claims not yet posted are kept alive while this instance lives and handed back when it stops.
 * What is due comes from the due-time policy; what happens to a won claim is the delivery's business.
 */
import { createHash } from 'node:crypto';
import type { Logger } from '../logger.ts';
import type { Advance, ChannelKey, ClaimKey, ClaimRow, DigestStore, NewClaim, ResultRecord, SubscriptionRow } from '../storage/types.ts';
import type { Batcher } from './batcher.ts';
import type { DuePolicy } from './due.ts';
import { errorText, logEntry, type TickReport } from './report.ts';

/**
 * Deterministic idempotency key of one delivery (≤ 25 characters, Discord's nonce limit): the
 * same for every attempt and every instance, so Discord's enforce_nonce turns a repeat into a no-op.
 */
export function nonceFor(key: ClaimKey): string {
  const hash = createHash('sha256').update(`${key.platform}\u0000${key.channelId}\u0000${key.localDate}`).digest('base64url');
  return `${key.localDate.replaceAll('-', '')}${hash.slice(0, 16)}`;
}

export const keyOf = (k: ChannelKey) => `${k.platform}\u0000${k.channelId}`;
export const claimKeyOf = (k: ClaimKey) => `${keyOf(k)}\u0000${k.localDate}`;

/** The same total order the store uses (plain code-unit comparison, as in the databases' C collation). */
function byClaimKey(a: ChannelKey & { localDate?: string }, b: ChannelKey & { localDate?: string }): number {
  const x = [a.platform, a.channelId, a.localDate ?? ''];
  const y = [b.platform, b.channelId, b.localDate ?? ''];
  for (let i = 0; i < 3; i++) if (x[i]! !== y[i]!) return x[i]! < y[i]! ? -1 : 1;
  return 0;
}

/** Starts at a random place so instances working through the same due list meet less often. */
export function rotate<T>(items: T[]): T[] {
  if (items.length < 2) return items;
  const at = Math.floor(Math.random() * items.length);
  return [...items.slice(at), ...items.slice(0, at)];
}

export interface Claimed {
  toDeliver: ClaimRow[];
  /** The subscription each won claim came from, by claimKeyOf: its workspace paces the post before the re-check. */
  byKey: Map<string, SubscriptionRow>;
}

export interface ClaimsOptions {
  store: DigestStore;
  log: Logger;
  instanceId: string;
  /** Lease of a claim whose post has not started. */
  claimLeaseMs: number;
  /** Subscriptions read and claimed per store round trip. */
  batchSize: number;
  due: DuePolicy;
  /** The scheduler's one writer of outcomes and log rows (shared with the delivery: one group commit). */
  writer: Batcher<ResultRecord, boolean>;
}

export class Claims {
  private readonly store: DigestStore;
  private readonly log: Logger;
  private readonly instanceId: string;
  private readonly claimLeaseMs: number;
  private readonly batchSize: number;
  private readonly due: DuePolicy;
  private readonly writer: Batcher<ResultRecord, boolean>;

  constructor(options: ClaimsOptions) {
    this.store = options.store;
    this.log = options.log;
    this.instanceId = options.instanceId;
    this.claimLeaseMs = options.claimLeaseMs;
    this.batchSize = options.batchSize;
    this.due = options.due;
    this.writer = options.writer;
  }

  /**
   * The next batch of due subscriptions, claimed, on each call; null when there is none (or when
   * `stopping`). Claiming a batch moves every row in it past `now`, so the next query returns new
   * rows; a row that comes straight back (it did not move) ends the batches rather than spinning.
   * Only the previous batch's keys are kept: memory does not grow with the count.
   */
  dueBatches(clock: () => number, platforms: string[], report: TickReport, stopping: () => boolean): () => Promise<Claimed | null> {
    let previous = new Set<string>();
    return async () => {
      if (stopping()) return null;
      const batch = await this.store.listDue(clock(), platforms, this.batchSize);
      if (batch.length === 0 || batch.some((s) => previous.has(keyOf(s)))) return null;
      previous = new Set(batch.map(keyOf));
      report.due += batch.length;
      return this.claimDue(batch, clock, report);
    };
  }

  /**
   * The next batch of claims whose sender died or whose retry time has come, on each call; empty
   * when there is none. A claim that comes straight back (a takeover that did not move it) is not
   * offered twice in a row, so the batches end rather than spin.
   */
  expiredBatches(clock: () => number, platforms: string[]): () => Promise<ClaimRow[]> {
    let previous = new Set<string>();
    return async () => {
      const claims = await this.store.listExpiredClaims(clock(), platforms, this.batchSize);
      const fresh = claims.filter((c) => !previous.has(claimKeyOf(c)));
      if (fresh.length > 0) previous = new Set(claims.map(claimKeyOf));
      return fresh;
    };
  }

  /**
   * One batch of due subscriptions: missed occurrences beyond the catch-up window become skipped
   * claims, due ones become claims — all inserted in one statement (INSERT … ON CONFLICT DO NOTHING
   * RETURNING: the rows returned are the ones this instance won) — and the schedules move on, in
   * one transaction. Returns the won claims to deliver.
   */
  private async claimDue(subs: SubscriptionRow[], clock: () => number, report: TickReport): Promise<Claimed> {
    const now = clock();
    const claims: NewClaim[] = [];
    const advances: Advance[] = [];
    const byKey = new Map<string, SubscriptionRow>();
    let wanted = 0;
    for (const sub of subs) {
      if (sub.nextDueAt === null || sub.nextLocalDate === null) continue;
      const { missed, due, next } = this.due.occurrences({ localDate: sub.nextLocalDate, dueAt: sub.nextDueAt }, sub, now);
      for (const m of missed) {
        claims.push({
          platform: sub.platform,
          channelId: sub.channelId,
          localDate: m.localDate,
          dueAt: m.dueAt,
          status: 'skipped',
          owner: this.instanceId,
          leaseUntil: now,
          nonce: nonceFor({ ...sub, localDate: m.localDate }),
          reason: m.reason,
        });
      }
      const advance = { platform: sub.platform, channelId: sub.channelId, fromDueAt: sub.nextDueAt, nextDueAt: next.dueAt, nextLocalDate: next.localDate };
      if (!due) {
        advances.push(advance);
        continue;
      }
      const { localDate, dueAt } = due;
      wanted++;
      claims.push({
        platform: sub.platform,
        channelId: sub.channelId,
        localDate,
        dueAt,
        status: 'claimed',
        owner: this.instanceId,
        leaseUntil: now + this.claimLeaseMs,
        nonce: nonceFor({ ...sub, localDate }),
        reason: null,
      });
      byKey.set(claimKeyOf({ ...sub, localDate }), sub);
      advances.push(advance);
    }
    // Claims and schedule moves commit together (a crash loses neither one without the other).
    // Every instance inserts in the same key order, so a second instance on the same batch waits
    // for the first to commit, then finds those claims taken and those schedules already moved.
    const won = await this.store.claimBatch(claims.sort(byClaimKey), advances.sort(byClaimKey), now);
    const toDeliver: ClaimRow[] = [];
    const logs: Promise<boolean>[] = [];
    for (const c of won) {
      if (c.status === 'claimed') {
        toDeliver.push(c);
        continue;
      }
      report.skipped++;
      logs.push(this.writer.submit({ log: logEntry(this.instanceId, c, c.localDate, 'skipped', c.reason, null, now) }));
    }
    await Promise.all(logs);
    report.claimed += toDeliver.length;
    report.contended += wanted - toDeliver.length;
    return { toDeliver, byKey };
  }

  /** The claim, now this instance's, to deliver; null when another instance took it first. */
  async takeOver(claim: ClaimRow, clock: () => number, report: TickReport): Promise<ClaimRow | null> {
    const now = clock();
    const taken = await this.store.takeOverClaim(claim, this.instanceId, now + this.claimLeaseMs, now);
    if (!taken) {
      report.contended++;
      return null;
    }
    report.takenOver++;
    // A claim still 'claimed' had a holder that stopped; a 'retrying' one was only waiting for its time.
    if (claim.status === 'claimed') {
      const previous = claim.owner ?? 'unknown';
      const reason =
        claim.postStartedAt === null
          ? `the instance holding it (${previous}) stopped before posting; ${this.instanceId} took it over`
          : `the instance sending it (${previous}) stopped before recording the result; its lease ran out and ${this.instanceId} took it over`;
      if (claim.postStartedAt !== null) {
        this.log.warn(
          { channel: claim.channelId, platform: claim.platform, localDate: claim.localDate, previous: claim.owner, instance: this.instanceId },
          'taking over a digest whose sender stopped',
        );
      }
      report.retried++;
      await this.writer.submit({ log: logEntry(this.instanceId, claim, claim.localDate, 'retried', reason, null, now) });
    }
    return taken;
  }

  /**
   * Claims waiting for their post (pacing, a long fan-out) keep their short lease alive while this
   * instance ticks; returns the stop. A renewal that fails is only logged: the lease then runs out
   * and another instance may take the unstarted claim over, which is safe.
   */
  keepAlive(clock: () => number): () => void {
    const heartbeat = setInterval(
      () => {
        this.store.renewUnstartedLeases(this.instanceId, clock() + this.claimLeaseMs, clock()).catch((err: unknown) => {
          this.log.warn({ detail: errorText(err), instance: this.instanceId }, 'could not renew digest claim leases');
        });
      },
      Math.max(50, Math.floor(this.claimLeaseMs / 3)),
    );
    heartbeat.unref();
    return () => clearInterval(heartbeat);
  }

  /** At shutdown, claims whose post never started are due again at once for any instance; returns how many. */
  async handBackUnstarted(now: number): Promise<number> {
    const reason = `${this.instanceId} shut down before posting it; handed back, due again at once`;
    const released = await this.store.releaseUnstarted(this.instanceId, reason, now);
    if (released.length > 0) {
      await Promise.all(released.map((k) => this.writer.submit({ log: logEntry(this.instanceId, k, k.localDate, 'retried', reason, null, now) })));
      this.log.info({ instance: this.instanceId, released: released.length }, 'digest claims handed back at shutdown');
    }
    return released.length;
  }
}
