/**
 * Delivery of one won claim, apart from the claiming that wins it: pacing, the re-check that the
 * channel is still subscribed, the content, the post with the claim's nonce (looking first for a
 * message an earlier attempt may have posted, so a repeat never goes out blind), the timeout, and
 * what a failure means — retry with backoff, give up, or turn the subscription off.
 */
import type { ChartService } from '../core/charts-port.ts';
import { DeliveryError, type ChannelPoster, type DeliveryTarget } from '../core/delivery.ts';
import type { Reply, ReplyAttachment } from '../core/reply.ts';
import type { KnowledgeBase } from '../knowledge/kb.ts';
import type { Logger } from '../logger.ts';
import type { ChannelKey, ClaimRow, DigestStore, PostStart, ResultRecord, SubscriptionRow } from '../storage/types.ts';
import { Batcher } from './batcher.ts';
import { keyOf } from './claiming.ts';
import { buildDigest, type DigestContent } from './content.ts';
import type { DuePolicy } from './due.ts';
import { Pacer, slotsFor, type PacerClock, type PlatformPacing } from './pacer.ts';
import { describeDuration, errorText, logEntry, type TickReport } from './report.ts';

export interface DeliveryOptions {
  store: DigestStore;
  log: Logger;
  instanceId: string;
  /** The scheduler's posters, by platform (the scheduler may replace them between ticks). */
  posters: ReadonlyMap<string, ChannelPoster>;
  kb: () => KnowledgeBase;
  due: DuePolicy;
  /** The scheduler's one writer of outcomes and log rows (shared with the claiming: one group commit). */
  writer: Batcher<ResultRecord, boolean>;
  /** The running tick's clock, read when post starts are written. */
  now: () => number;
  /** Lease of a claim whose post has started. */
  leaseMs: number;
  postTimeoutMs: number;
  maxAttempts: number;
  /** Per-platform pacing; `null` turns pacing off for a platform. */
  pacing: Record<string, PlatformPacing | null>;
  pacerClock?: PacerClock;
  afterClaim?: (claim: ClaimRow) => Promise<void> | void;
  /** Shutdown has begun: no new post. */
  stopping: () => boolean;
  /** Resolves when shutdown begins, ending any wait for a pace. */
  stopped: Promise<void>;
  /** Draws the troop chart of a digest whose figures changed; absent: digests go as text alone. */
  charts?: ChartService;
}

export class Delivery {
  private readonly store: DigestStore;
  private readonly log: Logger;
  private readonly instanceId: string;
  private readonly posters: ReadonlyMap<string, ChannelPoster>;
  private readonly kb: () => KnowledgeBase;
  private readonly due: DuePolicy;
  private readonly leaseMs: number;
  private readonly postTimeoutMs: number;
  private readonly maxAttempts: number;
  private readonly pacing: Record<string, PlatformPacing | null>;
  private readonly pacer: Pacer;
  private readonly afterClaim?: (claim: ClaimRow) => Promise<void> | void;
  private readonly stopping: () => boolean;
  private readonly stopped: Promise<void>;
  /** Outcomes, grouped into one transaction with whatever else finished meanwhile. */
  private readonly writer: Batcher<ResultRecord, boolean>;
  /** Post starts, written (grouped) right before the posts. */
  private readonly starter: Batcher<PostStart, boolean>;
  /** Subscription re-checks right before sending. */
  private readonly reader: Batcher<ChannelKey, SubscriptionRow | null>;
  /** Digests built this tick: the content depends only on (knowledge base, local date, watermark, language). */
  private contentCache = new Map<string, ReturnType<typeof buildDigest>>();
  /** Their charts, drawn once per content: every channel with the same digest gets the same picture. */
  private chartCache = new Map<string, Promise<ReplyAttachment | null>>();
  private readonly charts?: ChartService;

  constructor(options: DeliveryOptions) {
    this.store = options.store;
    this.log = options.log;
    this.instanceId = options.instanceId;
    this.posters = options.posters;
    this.kb = options.kb;
    this.due = options.due;
    this.leaseMs = options.leaseMs;
    this.postTimeoutMs = options.postTimeoutMs;
    this.maxAttempts = options.maxAttempts;
    this.pacing = options.pacing;
    this.pacer = new Pacer(options.pacerClock);
    this.afterClaim = options.afterClaim;
    this.stopping = options.stopping;
    this.stopped = options.stopped;
    this.charts = options.charts;
    this.writer = options.writer;
    this.starter = new Batcher(400, (items) => this.store.startPosts(items, options.now()));
    this.reader = new Batcher(400, async (keys) => {
      const unique = new Map(keys.map((k) => [keyOf(k), { platform: k.platform, channelId: k.channelId }]));
      const found = new Map((await this.store.getSubscriptions([...unique.values()])).map((r) => [keyOf(r), r]));
      return keys.map((k) => found.get(keyOf(k)) ?? null);
    });
  }

  /** A new tick: the knowledge base may have changed since the last one. */
  newTick(): void {
    this.contentCache = new Map();
    this.chartCache = new Map();
  }

  /** `catchUp`: claimed by a tick that started late (true/false), or null when retried or taken over later. */
  async deliver(claim: ClaimRow, hint: SubscriptionRow | null, clock: () => number, report: TickReport, catchUp: boolean | null): Promise<void> {
    await this.afterClaim?.(claim);
    if (this.stopping()) return; // handed back by shutdown()
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
    if (this.stopping()) return;
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
      content = buildDigest(this.kb(), { localDate: claim.localDate, since: sub.watermark, lang: sub.lang });
      if (this.contentCache.size < 1000) this.contentCache.set(contentKey, content);
    }
    const sent = await this.postOnce(claim, poster, content.reply, clock, report, { workspaceId: sub.workspaceId });
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
    await this.recordCarried(claim, sub, messageId, content.entries, now);
    // Only the instance that recorded the digest attaches its chart, after recording it: a delivery retried or taken
    // over was never recorded, so it never had its chart either, and the chart goes out at most once.
    if (recorded && content.chart) await this.attachChart(claim, poster, content, contentKey, messageId, { workspaceId: sub.workspaceId });
  }

  /** What the digest carried, for corrections later; a failure costs only those corrections, never the delivery. */
  private async recordCarried(claim: ClaimRow, sub: SubscriptionRow, messageId: string, entries: string[], now: number): Promise<void> {
    if (!this.store.recordPost) return;
    try {
      await this.store.recordPost({
        platform: claim.platform,
        channelId: claim.channelId,
        messageId,
        workspaceId: sub.workspaceId,
        kind: 'digest',
        lang: sub.lang,
        postedAt: now,
        entryKeys: entries,
      });
    } catch (err) {
      this.log.warn({ detail: errorText(err), channel: claim.channelId, instance: this.instanceId }, 'could not record the entries a digest carried');
    }
  }

  /** The digest's chart, right after it; a chart not drawn or not uploaded is logged, never failed or retried. */
  private async attachChart(
    claim: ClaimRow,
    poster: ChannelPoster,
    content: DigestContent,
    key: string,
    messageId: string,
    target: DeliveryTarget,
  ): Promise<void> {
    if (!poster.attach || !this.charts || this.stopping()) return;
    let file = this.chartCache.get(key);
    if (!file) {
      file = this.drawChart(content);
      if (this.chartCache.size < 1000) this.chartCache.set(key, file);
    }
    const drawn = await file;
    if (!drawn) return;
    // The chart is one more message in the channel: it takes its turn in the platform's pace like a digest does.
    const pacing = this.pacing[claim.platform] ?? undefined;
    await Promise.race([this.pacer.acquire(slotsFor(pacing, claim.platform, claim.channelId, target.workspaceId)), this.stopped]);
    if (this.stopping()) return;
    try {
      await this.withTimeout(poster.attach(claim.channelId, messageId, { ...content.reply, attachments: [drawn] }, target));
    } catch (err) {
      this.log.warn(
        { detail: errorText(err), channel: claim.channelId, platform: claim.platform, localDate: claim.localDate, instance: this.instanceId },
        'the digest went out without its chart (upload failed); not retried',
      );
    }
  }

  private async drawChart(content: DigestContent): Promise<ReplyAttachment | null> {
    const chart = content.chart!;
    try {
      const image = await this.charts!.troops(this.kb(), chart.request);
      if (!image) return null;
      // The chart writes English; the digest's words are in its own language (the same in English).
      const english = (content.reply.lang ?? 'en') === 'en';
      return {
        name: chart.name,
        mime: 'image/png',
        bytes: image.png,
        alt: english ? image.alt : chart.alt,
        caption: english ? image.caption : chart.caption,
      };
    } catch (err) {
      this.log.warn({ detail: errorText(err), chart: chart.name }, 'digest chart not drawn; the digest goes as text');
      return null;
    }
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
    target: DeliveryTarget,
  ): Promise<{ messageId: string; foundReason: string | null } | null> {
    if (claim.postStartedAt !== null && poster.findDelivery) {
      let found: { messageId: string } | null;
      try {
        found = await poster.findDelivery(claim.channelId, claim.nonce, claim.postStartedAt, target);
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
      return { messageId: (await this.withTimeout(poster.post(claim.channelId, copy, claim.nonce, target))).messageId, foundReason: null };
    } catch (err) {
      // No answer or a server error: the message may be there all the same. Never post blind again.
      const unknown = !(err instanceof DeliveryError) || err.failure === 'transient';
      const found = unknown && poster.findDelivery ? await poster.findDelivery(claim.channelId, claim.nonce, startedAt, target).catch(() => null) : null;
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
    if (failure === 'not_in_channel') {
      const reason = `the bot is not a member of the channel (${detail}); invite it to the channel, and the next digest will arrive; the subscription stays on`;
      this.log.warn({ ...channel, detail }, 'the bot is not in the digest channel; the subscription stays on');
      await this.finish(claim, 'failed', null, reason, now, report);
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
