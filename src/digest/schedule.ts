import { DateTime, IANAZone } from 'luxon';
import { BoundedMemo } from '../knowledge/memo.ts';

/**
 * Digest times are computed here, per subscription, in its IANA zone — not by node-cron.
 * - A time that does not exist that day (spring-forward gap) goes out at the first valid instant
 *   after it: 02:30 on 2026-03-29 in Europe/Paris → 03:00 CEST.
 * - A time that exists twice (fall-back overlap) goes out once, at its first occurrence:
 *   01:30 on 2026-11-01 in America/New_York → 01:30 EDT (05:30 UTC).
 */

export const DEFAULT_TIME = '08:00';
export const DEFAULT_TIME_ZONE = 'Africa/Niamey';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** "8:00", "08h00", "8.30", "6pm", "6 pm", "12am" → "HH:MM"; null when not a valid time of day. */
export function parseTime(text: string): string | null {
  const t = text.trim().toLowerCase();
  let m = /^(\d{1,2})[:h.](\d{2})$/.exec(t);
  if (m) {
    const h = Number(m[1]);
    const min = Number(m[2]);
    return h <= 23 && min <= 59 ? `${pad(h)}:${pad(min)}` : null;
  }
  m = /^(\d{1,2})(?:[:h.](\d{2}))?\s?(am|pm)$/.exec(t);
  if (m) {
    const h = Number(m[1]);
    const min = Number(m[2] ?? '0');
    if (h < 1 || h > 12 || min > 59) return null;
    const h24 = (h % 12) + (m[3] === 'pm' ? 12 : 0);
    return `${pad(h24)}:${pad(min)}`;
  }
  return null;
}

const zoneMemo = new BoundedMemo<string, string | null>(5000);

/** A valid IANA zone in its canonical spelling ("africa/niamey" → "Africa/Niamey"), or null. */
export function resolveTimeZone(text: string): string | null {
  return zoneMemo.get(text, resolveTimeZoneUncached);
}

function resolveTimeZoneUncached(text: string): string | null {
  const t = text.trim();
  if (!t || t.length > 64 || !/^[A-Za-z0-9_+\-/]+$/.test(t)) return null;
  if (!IANAZone.isValidZone(t)) return null;
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: t }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

function zone(name: string): IANAZone {
  const z = IANAZone.create(name);
  if (!z.isValid) throw new Error(`unknown time zone ${name}`);
  return z;
}

/** The local wall-clock reading of an instant, as if it were UTC (for comparisons). */
function wallOf(z: IANAZone, instant: number): number {
  return instant + z.offset(instant) * MINUTE;
}

const dueMemo = new BoundedMemo<string, number>(20_000);

/**
 * The UTC instant a digest for `localDate` at `time` goes out in `zoneName`. Memoised: thousands
 * of channels share a zone and a time, and zone offsets are costly to compute.
 */
export function dueInstant(localDate: string, time: string, zoneName: string): number {
  return dueMemo.get(`${zoneName}|${localDate}|${time}`, () => dueInstantUncached(localDate, time, zoneName));
}

function dueInstantUncached(localDate: string, time: string, zoneName: string): number {
  const z = zone(zoneName);
  const [y, mo, d] = localDate.split('-').map(Number) as [number, number, number];
  const [h, mi] = time.split(':').map(Number) as [number, number];
  const wall = Date.UTC(y, mo - 1, d, h, mi);
  // Offsets in force around that wall time (zones are between UTC−12 and UTC+14).
  const offsets = [...new Set([z.offset(wall - 15 * HOUR), z.offset(wall), z.offset(wall + 15 * HOUR)])];
  const valid = offsets.map((o) => wall - o * MINUTE).filter((t) => wallOf(z, t) === wall);
  if (valid.length > 0) return Math.min(...valid); // twice in the overlap: the first occurrence
  // In the gap: the first instant whose wall clock reads at or after the requested time.
  let lo = Math.min(...offsets.map((o) => wall - o * MINUTE));
  let hi = Math.max(...offsets.map((o) => wall - o * MINUTE));
  lo = Math.floor(lo / MINUTE);
  hi = Math.ceil(hi / MINUTE);
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (wallOf(z, mid * MINUTE) >= wall) hi = mid;
    else lo = mid + 1;
  }
  return lo * MINUTE;
}

/** The channel-local calendar date of an instant. */
export function localDateOf(instant: number, zoneName: string): string {
  return DateTime.fromMillis(instant, { zone: zoneName }).toISODate()!;
}

export function addDays(localDate: string, days: number): string {
  const [y, m, d] = localDate.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

export interface Occurrence {
  localDate: string;
  dueAt: number;
}

/** The first delivery strictly after `after` (used when subscribing or changing the time). */
export function nextOccurrence(time: string, zoneName: string, after: number): Occurrence {
  let localDate = addDays(localDateOf(after, zoneName), -1);
  for (let i = 0; i < 4; i++) {
    const dueAt = dueInstant(localDate, time, zoneName);
    if (dueAt > after) return { localDate, dueAt };
    localDate = addDays(localDate, 1);
  }
  throw new Error('no occurrence found');
}
