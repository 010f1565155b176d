import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { ChannelPoster } from '../core/delivery.ts';
import type { ChartService } from '../core/charts-port.ts';
import type { KnowledgeBase } from '../knowledge/kb.ts';
import type { Logger } from '../logger.ts';
import type { ClaimRow, DigestStore, ResultRecord } from '../storage/types.ts';
import { Batcher } from './batcher.ts';
import { Claims, claimKeyOf, rotate, type Claimed } from './claiming.ts';
import { Delivery } from './delivery.ts';
import { DuePolicy } from './due.ts';
import { DEFAULT_PACING, type PacerClock, type PlatformPacing } from './pacer.ts';
import { emptyReport, observed, type DigestMetrics, type TickReport } from './report.ts';

export { nonceFor } from './claiming.ts';
export { describeDuration, type DigestMetrics, type TickReport } from './report.ts';

export interface SchedulerOptions {
  store: DigestStore;
  /** The knowledge base, or a getter (the composition root builds the bot after the store). */
  kb: KnowledgeBase | (() => KnowledgeBase);
  log: Logger;
  posters?: ChannelPoster[];
  /** Unique per process; recorded as the claim owner. */
  instanceId?: string;
  /**
   * Lease of a claim whose post has not started (default 30 s), renewed every third of it while the
   * tick runs: a claim of a killed instance is free again this soon, as no post was attempted.
   */
  claimLeaseMs?: number;
  /**
   * Lease of a claim whose post has started (default 60 s; longer than `postTimeoutMs`): only after
   * it may another instance look for the message and, if it is not there, post.
   */
  leaseMs?: number;
  /** A digest missed by less than this still goes out, marked late (default 180). */
  catchupMinutes?: number;
  /**
   * A digest claimed by a tick that started more than this after its time (the bot was down or not
   * ticking) is recorded as late (default 5 min). Pacing inside one tick never makes a digest late.
   */
  lateAfterMs?: number;
  /** Post attempts before a digest is given up (default 5). */
  maxAttempts?: number;
  /** Deliveries in flight at once per platform in this instance (default 32; pacing decides the actual rate). */
  concurrency?: number;
  /** Subscriptions read and claimed per store round trip (default 100): memory stays flat however many are due. */
  batchSize?: number;
  /** Per-platform pacing, merged over DEFAULT_PACING; `null` turns pacing off for a platform. */
  pacing?: Record<string, PlatformPacing | null>;
  pacerClock?: PacerClock;
  /** A post that has not answered after this is treated as a failure of unknown outcome (default 30 s). */
  postTimeoutMs?: number;
  /** Test seam: runs right after a claim is won, before the subscription is re-checked and the post sent. */
  afterClaim?: (claim: ClaimRow) => Promise<void> | void;
  /** Told each count of a TickReport as it moves (a digest sent, a claim taken over), during the tick. */
  metrics?: DigestMetrics;
  /** Draws the troop chart posted after a digest whose figures changed; absent: digests are text alone. */
  charts?: ChartService;
}

/**
 * Delivers due digests. `tick(now)` is the whole algorithm; node-cron only calls it once a minute
 * with the real time, tests call it with any clock.
 *
 * Per due subscription: missed occurrences older than the catch-up window are recorded as skipped;
 * the current one is claimed with INSERT … ON CONFLICT DO NOTHING RETURNING (exactly one claim row
 * per platform, channel and local date — only the instance that created it sends), the schedule
 * moves to the next local day, and the claim is delivered: pacing, re-check that the channel is
 * still subscribed, build the digest, extend the lease, post with the claim's nonce, record the
 * platform's message id. Claims whose lease ran out (sender died) or whose retry time came are
 * taken over with a conditional UPDATE.
 *
 * This class is the façade that ties the parts into a tick and owns its lifecycle (an overlapping
 * tick joined, shutdown drained): when a digest is due is due.ts, who sends it claiming.ts, the
 * post and its failures delivery.ts, the grouped store writes batcher.ts.
 */
export class DigestScheduler {
  readonly instanceId: string;
  private readonly store: DigestStore;
  private readonly log: Logger;
  private readonly posters = new Map<string, ChannelPoster>();
  private readonly due: DuePolicy;
  private readonly claims: Claims;
  private readonly delivery: Delivery;
  private readonly concurrency: number;
  private readonly metrics?: DigestMetrics;
  private running: Promise<TickReport> | null = null;
  /**
   * Outcomes and log rows, of the claiming and the delivery alike, grouped into one transaction with
   * whatever else finished meanwhile: one writer, so both share each round trip.
   */
  private readonly writer: Batcher<ResultRecord, boolean>;
  private stopping = false;
  private stopped!: Promise<void>;
  private stop!: () => void;
  /** The clock of the running tick (shutdown hands claims back on it). */
  private clock: () => number = () => Date.now();

  constructor(options: SchedulerOptions) {
    this.store = options.store;
    this.log = options.log;
    this.instanceId = options.instanceId ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
    this.due = new DuePolicy((options.catchupMinutes ?? 180) * 60_000, options.lateAfterMs ?? 5 * 60_000);
    this.concurrency = Math.max(1, options.concurrency ?? 32);
    this.metrics = options.metrics;
    for (const p of options.posters ?? []) this.posters.set(p.platform, p);
    this.writer = new Batcher(500, (records) => this.store.recordResults(records, Math.max(...records.map((r) => r.log?.at ?? 0), this.clock())));
    this.claims = new Claims({
      store: this.store,
      log: this.log,
      instanceId: this.instanceId,
      claimLeaseMs: options.claimLeaseMs ?? 30_000,
      batchSize: Math.max(1, options.batchSize ?? 100),
      due: this.due,
      writer: this.writer,
    });
    this.stopped = new Promise((resolve) => (this.stop = resolve));
    const kb = options.kb;
    const postTimeoutMs = options.postTimeoutMs ?? 30_000;
    this.delivery = new Delivery({
      store: this.store,
      log: this.log,
      instanceId: this.instanceId,
      posters: this.posters,
      kb: () => (typeof kb === 'function' ? kb() : kb),
      due: this.due,
      writer: this.writer,
      now: () => this.clock(),
      leaseMs: Math.max(options.leaseMs ?? 60_000, postTimeoutMs + 5000),
      postTimeoutMs,
      maxAttempts: options.maxAttempts ?? 5,
      pacing: { ...DEFAULT_PACING, ...options.pacing },
      pacerClock: options.pacerClock,
      afterClaim: options.afterClaim,
      stopping: () => this.stopping,
      stopped: this.stopped,
      ...(options.charts ? { charts: options.charts } : {}),
    });
  }

  /** The platforms this instance can post to; only their subscriptions are claimed here. */
  setPosters(posters: ChannelPoster[]): void {
    this.posters.clear();
    for (const p of posters) this.posters.set(p.platform, p);
  }

  get platforms(): string[] {
    return [...this.posters.keys()];
  }

  /** Resolves when the current tick (if any) is done. */
  async idle(): Promise<void> {
    await this.running?.catch(() => undefined);
  }

  /**
   * Graceful stop: no new tick and no new post; posts in flight finish and are recorded; claims
   * whose post never started are handed back at once (due now for any instance), then it resolves.
   */
  async shutdown(): Promise<TickReport> {
    this.stopping = true;
    this.stop();
    // A plain copy: the running tick's counts were told to the metrics already.
    const report = { ...((await this.running?.catch(() => undefined)) ?? emptyReport()) };
    const released = await this.claims.handBackUnstarted(this.clock());
    report.released = released;
    this.metrics?.count('released', released);
    return report;
  }

  /**
   * Delivers everything due at `now`. A tick still running when the next starts is joined, not
   * doubled. Time inside a tick advances from `now` with the real clock (pacing takes real time).
   */
  tick(now: Date): Promise<TickReport> {
    if (this.running) return this.running;
    if (this.stopping) return Promise.resolve(emptyReport());
    const run = this.runTick(now).finally(() => {
      this.running = null;
    });
    this.running = run;
    return run;
  }

  private async runTick(now: Date): Promise<TickReport> {
    const report = observed(emptyReport(), this.metrics);
    const platforms = this.platforms;
    if (platforms.length === 0) return report;
    const base = now.getTime();
    const started = performance.now();
    this.delivery.newTick();
    const clock = () => base + Math.round(performance.now() - started);
    this.clock = clock;
    const stopRenewing = this.claims.keepAlive(clock);
    try {
      // One fan-out per platform, side by side: each platform has its own pace (Slack per workspace, Discord per
      // bot), and the due list is ordered by platform, so in one fan-out every Slack digest waited behind the
      // last Discord one (10,000 due at once: minutes; `npm run bench load`).
      // Settled, all of them: a tick that failed on one platform still ends only when the others' posts have.
      const done = await Promise.allSettled(platforms.map((platform) => this.deliverDue(clock, report, platform, base)));
      const failed = done.find((d) => d.status === 'rejected');
      if (failed) throw failed.reason;
    } finally {
      stopRenewing();
    }
    const busy = Object.entries(report).some(([k, v]) => k !== 'contended' && v > 0);
    if (busy) this.log.info({ instance: this.instanceId, ...report }, 'digest tick');
    return report;
  }

  private async deliverDue(clock: () => number, report: TickReport, platform: string, base: number): Promise<void> {
    const platforms = [platform];
    // The next batch is claimed while the current one is being delivered.
    const claimNext = this.claims.dueBatches(clock, platforms, report, () => this.stopping);
    const nextExpired = this.claims.expiredBatches(clock, platforms);
    let pending = claimNext();
    for (;;) {
      const claimed = await pending;
      if (!claimed) break;
      pending = claimNext();
      pending.catch(() => undefined); // awaited on the next turn of the loop
      await this.deliverClaimed(claimed, clock, report, base);
      // Claims handed back by an instance that stopped were due as early as these: a batch of them between two
      // due batches, not after the whole due list (10,000 due at once: they waited ten minutes and went out late).
      if (!this.stopping) await this.deliverExpired(await nextExpired(), clock, report);
    }
    while (!this.stopping) {
      const fresh = await nextExpired();
      if (fresh.length === 0) break;
      await this.deliverExpired(fresh, clock, report);
    }
  }

  private async deliverExpired(claims: ClaimRow[], clock: () => number, report: TickReport): Promise<void> {
    await this.pool(rotate(claims), (c) => this.processExpired(c, clock, report));
  }

  /**
   * Runs `work` over `items`, at most `concurrency` at a time; one failure does not stop the rest.
   * Workers, not a Batcher: each delivery is its own unit, and one slow post (up to the post timeout)
   * must not hold back the others as a batch would.
   */
  private async pool<T>(items: T[], work: (item: T) => Promise<void>): Promise<void> {
    let next = 0;
    const worker = async () => {
      while (next < items.length) {
        const item = items[next++]!;
        try {
          await work(item);
        } catch (err) {
          this.log.error({ err, instance: this.instanceId }, 'digest delivery step failed; the claim will be retried after its lease');
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, items.length) }, worker));
  }

  private async deliverClaimed(claimed: Claimed, clock: () => number, report: TickReport, tickStart: number): Promise<void> {
    await this.pool(rotate(claimed.toDeliver), (c) =>
      this.delivery.deliver(c, claimed.byKey.get(claimKeyOf(c)) ?? null, clock, report, this.due.lateAtTickStart(tickStart, c.dueAt)),
    );
  }

  private async processExpired(claim: ClaimRow, clock: () => number, report: TickReport): Promise<void> {
    if (this.stopping) return;
    const taken = await this.claims.takeOver(claim, clock, report);
    if (taken) await this.delivery.deliver(taken, null, clock, report, null);
  }
}
