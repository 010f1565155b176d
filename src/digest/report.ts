/**
 * What a digest tick tells the outside, shared by the claiming, the delivery and the façade: the
 * counts of a tick (and the metrics they feed as they move), the rows of the delivery log, and the
 * wording of durations and errors in reasons and logs. Kept apart so those modules need not import
 * each other (or the façade) for them.
 */
import { maskSecrets } from '../logger.ts';
import type { ChannelKey, LogEntry } from '../storage/types.ts';

/** Where the scheduler's counts go (src/ops/metrics.ts wires them to prom-client). */
export interface DigestMetrics {
  count(event: keyof TickReport, n: number): void;
}

export interface TickReport {
  due: number;
  claimed: number;
  takenOver: number;
  sent: number;
  late: number;
  skipped: number;
  retried: number;
  rejected: number;
  failed: number;
  disabled: number;
  /** Claims another instance held (normal with several instances). */
  contended: number;
  /** Claims lost before sending (our lease ran out and another instance took over). */
  lost: number;
  /** Posts not repeated because the platform already held the message (an earlier attempt had posted it). */
  found: number;
  /** Claims handed back unstarted at shutdown. */
  released: number;
}

export const emptyReport = (): TickReport => ({
  due: 0,
  claimed: 0,
  takenOver: 0,
  sent: 0,
  late: 0,
  skipped: 0,
  retried: 0,
  rejected: 0,
  failed: 0,
  disabled: 0,
  contended: 0,
  lost: 0,
  found: 0,
  released: 0,
});

/** The report of a tick whose counts are also told to `metrics` as they move. */
export function observed(report: TickReport, metrics: DigestMetrics | undefined): TickReport {
  if (!metrics) return report;
  return new Proxy(report, {
    set(target, key, value) {
      const event = key as keyof TickReport;
      const before = target[event];
      target[event] = value as number;
      if (typeof value === 'number' && value > before) {
        try {
          metrics.count(event, value - before);
        } catch {
          // A metrics sink never stops a delivery.
        }
      }
      return true;
    },
  });
}

export function describeDuration(ms: number): string {
  if (ms < 59_500) return `${Math.max(1, Math.round(ms / 1000))} s`;
  const minutes = Math.round(ms / 60_000);
  if (minutes < 120) return `${minutes} min`;
  if (minutes < 48 * 60) return `${Math.floor(minutes / 60)} h${minutes % 60 ? ` ${minutes % 60} min` : ''}`;
  return `${Math.round(minutes / 1440)} days`;
}

/** Errors end up in the delivery log and the logs: one line, bounded, secrets masked. */
export function errorText(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return maskSecrets(text).replace(/\s+/g, ' ').slice(0, 300);
}

export function logEntry(
  instance: string,
  key: ChannelKey,
  localDate: string,
  status: LogEntry['status'],
  reason: string | null,
  messageId: string | null,
  at: number,
): LogEntry {
  return { platform: key.platform, channelId: key.channelId, localDate, at, status, reason, messageId, instance };
}
