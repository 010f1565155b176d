import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { DeliveryError, type ChannelPoster } from '../core/delivery.ts';
import type { Reply } from '../core/reply.ts';
import type { KnowledgeBase } from '../knowledge/kb.ts';
import type { Logger } from '../logger.ts';
import type { ChannelKey, ClaimRow, DigestStore, PostStart, ResultRecord, SubscriptionRow } from '../storage/types.ts';
import { Batcher } from './batcher.ts';
import { Claims, claimKeyOf, keyOf, rotate, type Claimed } from './claiming.ts';
import { buildDigest } from './content.ts';
import { DuePolicy } from './due.ts';
import { DEFAULT_PACING, Pacer, slotsFor, type PacerClock, type PlatformPacing } from './pacer.ts';
import { describeDuration, emptyReport, errorText, logEntry, observed, type DigestMetrics, type TickReport } from './report.ts';

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
  /** Deliveries in flight at once in this instance (default 32; pacing decides the actual rate). */
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
 */
export class DigestScheduler {
  readonly instanceId: string;
  private readonly store: DigestStore;
  private readonly kbSource: KnowledgeBase | (() => KnowledgeBase);
  private readonly log: Logger;
  private readonly posters = new Map<string, ChannelPoster>();
  private readonly leaseMs: number;
  private readonly due: DuePolicy;
  private readonly claims: Claims;
  private readonly maxAttempts: number;
  private readonly concurrency: number;
  private readonly pacing: Record<string, PlatformPacing | null>;
  private readonly pacer: Pacer;
  private readonly postTimeoutMs: number;
  private readonly afterClaim?: (claim: ClaimRow) => Promise<void> | void;
  private readonly metrics?: DigestMetrics;
  private running: Promise<TickReport> | null = null;
  /** Outcomes, grouped into one transaction with whatever else finished meanwhile. */
  private readonly writer: Batcher<ResultRecord, boolean>;
  /** Post starts, written (grouped) right before the posts. */
  private readonly starter: Batcher<PostStart, boolean>;
  /** Subscription re-checks right before sending. */
  private readonly reader: Batcher<ChannelKey, SubscriptionRow | null>;
  private stopping = false;
  private stopped!: Promise<void>;
  private stop!: () => void;
  /** The clock of the running tick (shutdown hands claims back on it). */
  private clock: () => number = () => Date.now();
  /** Digests built this tick: the content depends only on (knowledge base, local date, watermark, language). */
  private contentCache = new Map<string, ReturnType<typeof buildDigest>>();

  constructor(options: SchedulerOptions) {
    this.store = options.store;
    this.kbSource = options.kb;
    this.log = options.log;
    this.instanceId = options.instanceId ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
    this.postTimeoutMs = options.postTimeoutMs ?? 30_000;
    this.leaseMs = Math.max(options.leaseMs ?? 60_000, this.postTimeoutMs + 5000);
    this.due = new DuePolicy((options.catchupMinutes ?? 180) * 60_000, options.lateAfterMs ?? 5 * 60_000);
    this.maxAttempts = options.maxAttempts ?? 5;
    this.concurrency = Math.max(1, options.concurrency ?? 32);
    this.pacing = { ...DEFAULT_PACING, ...options.pacing };
    this.pacer = new Pacer(options.pacerClock);
    this.afterClaim = options.afterClaim;
    this.metrics = options.metrics;
    for (const p of options.posters ?? []) this.posters.set(p.platform, p);
    this.writer = new Batcher(500, (records) => this.store.recordResults(records, Math.max(...records.map((r) => r.log?.at ?? 0), this.clock())));
    this.starter = new Batcher(400, (items) => this.store.startPosts(items, this.clock()));
    this.reader = new Batcher(400, async (keys) => {
      const unique = new Map(keys.map((k) => [keyOf(k), { platform: k.platform, channelId: k.channelId }]));
      const found = new Map((await this.store.getSubscriptions([...unique.values()])).map((r) => [keyOf(r), r]));
      return keys.map((k) => found.get(keyOf(k)) ?? null);
    });
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
  }

  private get kb(): KnowledgeBase {
    return typeof this.kbSource === 'function' ? this.kbSource() : this.kbSource;
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
    this.contentCache = new Map();
    const clock = () => base + Math.round(performance.now() - started);
    this.clock = clock;
    const stopRenewing = this.claims.keepAlive(clock);
    try {
      return await this.deliverDue(clock, report, platforms, base);
    } finally {
      stopRenewing();
    }
  }

  private async deliverDue(clock: () => number, report: TickReport, platforms: string[], base: number): Promise<TickReport> {
    // The next batch is claimed while the current one is being delivered.
    const claimNext = this.claims.dueBatches(clock, platforms, report, () => this.stopping);
    let pending = claimNext();
    for (;;) {
      const claimed = await pending;
      if (!claimed) break;
      pending = claimNext();
      pending.catch(() => undefined); // awaited on the next turn of the loop
      await this.deliverClaimed(claimed, clock, report, base);
    }
    const nextExpired = this.claims.expiredBatches(clock, platforms);
    while (!this.stopping) {
      const fresh = await nextExpired();
      if (fresh.length === 0) break;
      await this.pool(rotate(fresh), (c) => this.processExpired(c, clock, report));
    }
    const busy = Object.entries(report).some(([k, v]) => k !== 'contended' && v > 0);
    if (busy) this.log.info({ instance: this.instanceId, ...report }, 'digest tick');
    return report;
  }

  /** Runs `work` over `items`, at most `concurrency` at a time; one failure does not stop the rest. */
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
      this.deliver(c, claimed.byKey.get(claimKeyOf(c)) ?? null, clock, report, this.due.lateAtTickStart(tickStart, c.dueAt)),
    );
  }

  private async processExpired(claim: ClaimRow, clock: () => number, report: TickReport): Promise<void> {
    if (this.stopping) return;
    const taken = await this.claims.takeOver(claim, clock, report);
    if (taken) await this.deliver(taken, null, clock, report, null);
  }

  /** `catchUp`: claimed by a tick that started late (true/false), or null when retried or taken over later. */
  private async deliver(claim: ClaimRow, hint: SubscriptionRow | null, clock: () => number, report: TickReport, catchUp: boolean | null): Promise<void> {
    await this.afterClaim?.(claim);
    if (this.stopping) return; // handed back by shutdown()
    const poster = this.posters.get(claim.platform);
    if (!poster) {
      await this.store.finishClaim(
        claim,
        this.instanceId,
        { status: 'retrying', leaseUntil: clock() + 60_000, reason: 'no poster for this platform on this instance' },
        clock(),
      );
      return;
    }
    // Re-check after the claim: an unsubscribe between claim and send means nothing is posted.
    let sub = await this.reader.submit(claim);
    // Then wait for the platform's pace, right before the post (so posts keep their spacing), and
    // re-check once more if that wait was long.
    const pacing = this.pacing[claim.platform] ?? undefined;
    const waitStarted = Date.now();
    await Promise.race([this.pacer.acquire(slotsFor(pacing, claim.platform, claim.channelId, sub?.workspaceId ?? hint?.workspaceId ?? null)), this.stopped]);
    if (this.stopping) return;
    if (sub?.active && Date.now() - waitStarted > 1000) sub = await this.reader.submit(claim);
    let now = clock();
    if (!sub?.active) {
      const reason = sub?.disabledReason ? `the subscription ended before it was sent (${sub.disabledReason})` : 'the channel unsubscribed before it was sent';
      await this.finish(claim, 'skipped', null, reason, now, report);
      return;
    }
    const tooLate = this.due.tooLateToSend(claim.dueAt, now);
    if (tooLate) {
      await this.finish(claim, 'skipped', null, tooLate, now, report);
      return;
    }
    const contentKey = `${claim.localDate}|${sub.watermark ?? ''}|${sub.lang}`;
    let content = this.contentCache.get(contentKey);
    if (!content) {
      content = buildDigest(this.kb, { localDate: claim.localDate, since: sub.watermark, lang: sub.lang });
      if (this.contentCache.size < 1000) this.contentCache.set(contentKey, content);
    }
    const sent = await this.postOnce(claim, poster, content.reply, clock, report);
    if (!sent) return;
    const { messageId, foundReason } = sent;
    if (foundReason) report.found++;
    // Recorded at once (grouped with whatever else finished meanwhile): this is the whole
    // "posted but not yet recorded" window a crash can hit.
    now = clock();
    const lateBy = now - claim.dueAt;
    const late = this.due.isLate(catchUp, claim.dueAt, now);
    const status = late ? 'late' : 'sent';
    const reason =
      [late ? `sent ${describeDuration(lateBy)} after its time (catch-up)` : claim.attempts > 1 ? `sent on attempt ${claim.attempts}` : null, foundReason]
        .filter(Boolean)
        .join('; ') || null;
    const recorded = await this.recordPosted({
      claim: { key: claim, owner: this.instanceId, outcome: { status, messageId, reason } },
      ...(content.watermark ? { watermark: { key: claim, value: content.watermark } } : {}),
      log: logEntry(this.instanceId, claim, claim.localDate, status, reason, messageId, now),
    });
    if (!recorded) {
      this.log.warn(
        { channel: claim.channelId, platform: claim.platform, localDate: claim.localDate, instance: this.instanceId },
        'posted a digest but another instance had taken the claim over: the channel may see it twice',
      );
    }
    if (late) report.late++;
    else report.sent++;
  }

  /**
   * Gets the digest into the channel once: finds the message an earlier attempt may have posted without
   * its answer reaching us (a timeout, a 5xx, a kill), else writes the post start (only while the claim
   * is still ours, so whoever takes it over later looks first) and posts. Null when nothing is to be
   * recorded as sent (the failure is already handled, or the claim was lost).
   */
  private async postOnce(
    claim: ClaimRow,
    poster: ChannelPoster,
    content: Reply,
    clock: () => number,
    report: TickReport,
  ): Promise<{ messageId: string; foundReason: string | null } | null> {
    if (claim.postStartedAt !== null && poster.findDelivery) {
      let found: { messageId: string } | null;
      try {
        found = await poster.findDelivery(claim.channelId, claim.nonce, claim.postStartedAt);
      } catch (err) {
        await this.failed(claim, err, clock, report, 'could not check whether an earlier attempt had posted it');
        return null;
      }
      if (found) return { messageId: found.messageId, foundReason: 'an earlier attempt had posted it; found in the channel, not posted again' };
    }
    const now = clock();
    const mayPost = await this.starter.submit({ key: claim, owner: this.instanceId, leaseUntil: now + this.leaseMs });
    if (!mayPost) {
      report.lost++;
      this.log.warn(
        { channel: claim.channelId, platform: claim.platform, localDate: claim.localDate, instance: this.instanceId },
        'lost a digest claim before sending; not posting',
      );
      return null;
    }
    const startedAt = claim.postStartedAt ?? now;
    try {
      // A copy per post: the content is shared by every channel with the same date and watermark.
      const copy = {
        ...content,
        fields: content.fields.map((f) => ({ ...f })),
        items: [...content.items],
        notes: [...content.notes],
        citations: content.citations.map((c) => ({ ...c })),
      };
      return { messageId: (await this.withTimeout(poster.post(claim.channelId, copy, claim.nonce))).messageId, foundReason: null };
    } catch (err) {
      // No answer or a server error: the message may be there all the same. Never post blind again.
      const unknown = !(err instanceof DeliveryError) || err.failure === 'transient';
      const found = unknown && poster.findDelivery ? await poster.findDelivery(claim.channelId, claim.nonce, startedAt).catch(() => null) : null;
      if (found)
        return { messageId: found.messageId, foundReason: `posted although the platform did not confirm it (${errorText(err)}); found in the channel` };
      await this.failed({ ...claim, postStartedAt: startedAt }, err, clock, report);
      return null;
    }
  }

  /**
   * The outcome of a post that went out must not be lost to a database that is briefly away: it is
   * written again (backing off) while the claim would still be ours.
   */
  private async recordPosted(record: ResultRecord): Promise<boolean> {
    const giveUpAt = Date.now() + this.leaseMs;
    for (let wait = 250; ; wait = Math.min(wait * 2, 5000)) {
      try {
        return await this.writer.submit(record);
      } catch (err) {
        if (Date.now() + wait > giveUpAt) throw err;
        this.log.warn(
          { detail: errorText(err), channel: record.claim?.key.channelId, instance: this.instanceId },
          'could not record a posted digest; trying again',
        );
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
    }
  }

  private async failed(claim: ClaimRow, err: unknown, clock: () => number, report: TickReport, context?: string): Promise<void> {
    const now = clock();
    const failure = err instanceof DeliveryError ? err.failure : 'transient';
    const detail = context ? `${context}: ${errorText(err)}` : errorText(err);
    const channel = { platform: claim.platform, channel: claim.channelId, localDate: claim.localDate, instance: this.instanceId };
    if (failure === 'rejected') {
      this.log.error({ ...channel, detail }, 'the platform rejected a digest; not retrying');
      await this.finish(claim, 'rejected', null, `the platform rejected the message: ${detail}; not retried`, now, report);
      return;
    }
    if (failure === 'channel_gone') {
      const reason = `the channel is gone or the bot can no longer post there (${detail}); digests to it are turned off`;
      this.log.warn({ ...channel, detail }, 'digest channel gone; subscription disabled');
      await this.finish(claim, 'failed', null, reason, now, report);
      if (await this.store.deactivateSubscription(claim, `channel gone or bot removed on ${new Date(now).toISOString().slice(0, 10)}: ${detail}`, now)) {
        report.disabled++;
        await this.writer.submit({ log: logEntry(this.instanceId, claim, claim.localDate, 'disabled', reason, null, now) });
      }
      return;
    }
    if (claim.attempts >= this.maxAttempts) {
      this.log.error({ ...channel, detail, attempts: claim.attempts }, 'giving up on a digest');
      await this.finish(claim, 'failed', null, `gave up after ${claim.attempts} attempts: ${detail}`, now, report);
      return;
    }
    const rateLimited = failure === 'rate_limited';
    const retryAfter =
      rateLimited && err instanceof DeliveryError && err.retryAfterMs !== undefined
        ? Math.max(1000, err.retryAfterMs)
        : Math.min(15 * 60_000, 30_000 * 2 ** (claim.attempts - 1));
    if (rateLimited) this.pacer.block(`${claim.platform}:channel:${claim.channelId}`, Date.now() + retryAfter);
    const reason = rateLimited
      ? `rate limited by the platform (429); next attempt in ${describeDuration(retryAfter)}`
      : `temporary failure (${detail}); next attempt in ${describeDuration(retryAfter)}`;
    this.log.warn({ ...channel, detail, attempts: claim.attempts }, 'digest post failed; will retry');
    report.retried++;
    await this.writer.submit({
      claim: { key: claim, owner: this.instanceId, outcome: { status: 'retrying', reason, leaseUntil: now + retryAfter } },
      log: logEntry(this.instanceId, claim, claim.localDate, 'retried', reason, null, now),
    });
  }

  private async finish(
    claim: ClaimRow,
    status: 'skipped' | 'rejected' | 'failed',
    messageId: string | null,
    reason: string,
    now: number,
    report: TickReport,
  ): Promise<void> {
    const recorded = await this.writer.submit({
      claim: { key: claim, owner: this.instanceId, outcome: { status, messageId, reason } },
      log: logEntry(this.instanceId, claim, claim.localDate, status, reason, messageId, now),
    });
    if (recorded) report[status]++;
  }

  private withTimeout<T>(work: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new DeliveryError('transient', `no answer from the platform within ${describeDuration(this.postTimeoutMs)}`)),
        this.postTimeoutMs,
      );
    });
    return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
  }
}
