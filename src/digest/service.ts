import type { DigestChannel, DigestLogEntry, DigestPreview, DigestSchedule, DigestService, DigestSubscriptionInfo } from '../core/digest-port.ts';
import { UserError } from '../core/errors.ts';
import { quote } from '../core/sanitize.ts';
import type { KnowledgeBase } from '../knowledge/kb.ts';
import type { DigestStore, SubscriptionRow } from '../storage/types.ts';
import { buildDigest } from './content.ts';
import { DEFAULT_TIME, DEFAULT_TIME_ZONE, nextOccurrence, parseTime, resolveTimeZone } from './schedule.ts';

/** Checks and normalizes a schedule typed by a user; UserError (nothing stored) when it is wrong. */
export function validateSchedule(input: { time?: string; timeZone?: string }): DigestSchedule {
  const rawTime = input.time?.trim() || DEFAULT_TIME;
  const time = parseTime(rawTime);
  if (!time) {
    throw new UserError({ key: 'digest.badTime', params: { text: quote(rawTime, 30) } }, { key: 'digest.badTime.hint', params: { zone: DEFAULT_TIME_ZONE } });
  }
  const rawZone = input.timeZone?.trim() || DEFAULT_TIME_ZONE;
  const timeZone = resolveTimeZone(rawZone);
  if (!timeZone) {
    throw new UserError({ key: 'digest.badZone', params: { text: quote(rawZone, 40) } }, { key: 'digest.badZone.hint', params: { time } });
  }
  return { time, timeZone };
}

function toInfo(row: SubscriptionRow): DigestSubscriptionInfo {
  return {
    time: row.time,
    timeZone: row.timeZone,
    lang: row.lang,
    active: row.active,
    disabledReason: row.disabledReason,
    nextDueAt: row.active && row.nextDueAt !== null ? new Date(row.nextDueAt) : null,
    nextLocalDate: row.active ? row.nextLocalDate : null,
    createdBy: row.createdBy,
    updatedAt: new Date(row.updatedAt),
  };
}

/** The digest port as commands see it: subscriptions, preview and history over the store. */
export class StoreDigestService implements DigestService {
  readonly defaults: DigestSchedule = { time: DEFAULT_TIME, timeZone: DEFAULT_TIME_ZONE };

  constructor(
    private readonly store: DigestStore,
    private readonly kb: KnowledgeBase | (() => KnowledgeBase),
  ) {}

  private knowledge(): KnowledgeBase {
    return typeof this.kb === 'function' ? this.kb() : this.kb;
  }

  async subscribe(channel: DigestChannel, schedule: DigestSchedule & { lang?: string }, by: string, now: Date) {
    const s = validateSchedule(schedule);
    const next = nextOccurrence(s.time, s.timeZone, now.getTime());
    const { row, created } = await this.store.putSubscription(
      {
        platform: channel.platform,
        channelId: channel.channelId,
        workspaceId: channel.workspaceId ?? null,
        time: s.time,
        timeZone: s.timeZone,
        nextDueAt: next.dueAt,
        nextLocalDate: next.localDate,
        createdBy: by,
        lang: schedule.lang ?? 'en',
      },
      now.getTime(),
    );
    return { subscription: toInfo(row), created };
  }

  async unsubscribe(channel: DigestChannel, by: string, now: Date): Promise<boolean> {
    return this.store.deactivateSubscription(channel, `unsubscribed by ${by} on ${now.toISOString().slice(0, 10)}`, now.getTime());
  }

  async subscription(channel: DigestChannel): Promise<DigestSubscriptionInfo | null> {
    const row = await this.store.getSubscription(channel);
    return row ? toInfo(row) : null;
  }

  async workspaceSubscriptions(platform: string, workspaceId: string, limit: number) {
    const rows = await this.store.listWorkspaceSubscriptions(platform, workspaceId, limit);
    return rows.map((row) => ({
      ...toInfo(row),
      channel: { platform: row.platform, channelId: row.channelId, ...(row.workspaceId ? { workspaceId: row.workspaceId } : {}) },
    }));
  }

  async preview(channel: DigestChannel, now: Date, lang = 'en'): Promise<DigestPreview> {
    const row = await this.store.getSubscription(channel);
    const active = Boolean(row?.active && row.nextDueAt !== null && row.nextLocalDate !== null);
    const next = active
      ? { localDate: row!.nextLocalDate!, dueAt: row!.nextDueAt! }
      : nextOccurrence(row?.time ?? DEFAULT_TIME, row?.timeZone ?? DEFAULT_TIME_ZONE, now.getTime());
    const { reply, chart } = buildDigest(this.knowledge(), { localDate: next.localDate, since: row?.watermark ?? null, lang: active ? row!.lang : lang });
    return { reply, localDate: next.localDate, dueAt: new Date(next.dueAt), subscribed: active, chart };
  }

  async history(channel: DigestChannel, limit: number): Promise<DigestLogEntry[]> {
    const rows = await this.store.history(channel, limit);
    return rows.map((r) => ({ at: new Date(r.at), localDate: r.localDate, status: r.status, reason: r.reason, messageId: r.messageId }));
  }
}
