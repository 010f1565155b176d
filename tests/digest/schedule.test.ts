import { describe, expect, it } from 'vitest';
import { Pacer, slotsFor, DEFAULT_PACING, type PacerClock } from '../../src/digest/pacer.ts';
import { addDays, dueInstant, localDateOf, nextOccurrence, parseTime, resolveTimeZone } from '../../src/digest/schedule.ts';
import { formatLocal } from '../../src/knowledge/dates.ts';
import { nonceFor } from '../../src/digest/scheduler.ts';

const iso = (ms: number) => new Date(ms).toISOString();

describe('times and zones typed by users', () => {
  it.each([
    ['08:00', '08:00'],
    ['8:00', '08:00'],
    ['7.30', '07:30'],
    ['18h15', '18:15'],
    ['6pm', '18:00'],
    ['6 PM', '18:00'],
    ['12am', '00:00'],
    ['12:30pm', '12:30'],
    ['23:59', '23:59'],
  ])('%s → %s', (text, expected) => expect(parseTime(text)).toBe(expected));

  it.each(['24:00', '25:00', '8:60', '8', 'noon', '', '13pm', '0am', '08:00:00', '-1:00'])('refuses %j', (text) => expect(parseTime(text)).toBeNull());

  it('accepts IANA zones in any case and returns the canonical spelling', () => {
    expect(resolveTimeZone('Africa/Niamey')).toBe('Africa/Niamey');
    expect(resolveTimeZone('africa/niamey')).toBe('Africa/Niamey');
    expect(resolveTimeZone('UTC')).toBe('UTC');
    expect(resolveTimeZone('America/New_York')).toBe('America/New_York');
    for (const bad of ['Mars/Olympus', 'Paris', '', 'Europe/Paris; DROP', '../../etc/passwd', 'x'.repeat(100)]) expect(resolveTimeZone(bad)).toBeNull();
  });
});

describe('due instants in the channel’s zone (luxon)', () => {
  it('an ordinary day: 08:00 in Niamey is 07:00 UTC', () => {
    expect(iso(dueInstant('2026-11-30', '08:00', 'Africa/Niamey'))).toBe('2026-11-30T07:00:00.000Z');
  });

  it('spring-forward gap: 02:30 on 2026-03-29 in Paris goes out at 03:00 CEST, the first valid instant after it', () => {
    const due = dueInstant('2026-03-29', '02:30', 'Europe/Paris');
    expect(iso(due)).toBe('2026-03-29T01:00:00.000Z');
    expect(formatLocal(due, 'Europe/Paris')).toContain('03:00');
    expect(iso(dueInstant('2026-03-08', '02:30', 'America/New_York'))).toBe('2026-03-08T07:00:00.000Z'); // 03:00 EDT
    expect(iso(dueInstant('2026-03-28', '02:30', 'Europe/Paris'))).toBe('2026-03-28T01:30:00.000Z'); // the day before: normal
  });

  it('fall-back overlap: 01:30 on 2026-11-01 in New York is its first occurrence (EDT), once', () => {
    expect(iso(dueInstant('2026-11-01', '01:30', 'America/New_York'))).toBe('2026-11-01T05:30:00.000Z');
    expect(iso(dueInstant('2026-10-25', '02:30', 'Europe/Paris'))).toBe('2026-10-25T00:30:00.000Z'); // 02:30 CEST
    // The next day's occurrence is 25 hours later, so the day gets exactly one.
    expect(dueInstant('2026-11-02', '01:30', 'America/New_York') - dueInstant('2026-11-01', '01:30', 'America/New_York')).toBe(25 * 3600_000);
  });

  it('a half-hour gap (Lord Howe) and a skipped day (Samoa 2011) still give one instant', () => {
    const lh = dueInstant('2026-10-04', '02:15', 'Australia/Lord_Howe');
    expect(formatLocal(lh, 'Australia/Lord_Howe')).toContain('02:30');
    expect(Number.isFinite(dueInstant('2011-12-30', '08:00', 'Pacific/Apia'))).toBe(true);
  });

  it('next occurrence: later today if the time has not come, else tomorrow', () => {
    const now = Date.parse('2026-11-29T06:59:00Z'); // 07:59 in Niamey
    expect(nextOccurrence('08:00', 'Africa/Niamey', now)).toEqual({ localDate: '2026-11-29', dueAt: Date.parse('2026-11-29T07:00:00Z') });
    expect(nextOccurrence('08:00', 'Africa/Niamey', now + 60_000).localDate).toBe('2026-11-30');
    // Across the date line the local date is the zone's, not UTC's.
    expect(nextOccurrence('08:00', 'Pacific/Kiritimati', Date.parse('2026-11-29T16:00:00Z')).localDate).toBe('2026-11-30'); // 06:00 on the 30th there
    expect(localDateOf(Date.parse('2026-11-29T20:00:00Z'), 'Pacific/Kiritimati')).toBe('2026-11-30');
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
  });
});

describe('nonces', () => {
  it('are deterministic per (platform, channel, local date), at most 25 characters, and distinct', () => {
    const a = nonceFor({ platform: 'discord', channelId: '123456789012345678', localDate: '2026-11-30' });
    expect(a).toBe(nonceFor({ platform: 'discord', channelId: '123456789012345678', localDate: '2026-11-30' }));
    expect(a.length).toBeLessThanOrEqual(25);
    expect(a).not.toBe(nonceFor({ platform: 'discord', channelId: '123456789012345678', localDate: '2026-12-01' }));
    expect(a).not.toBe(nonceFor({ platform: 'slack', channelId: '123456789012345678', localDate: '2026-11-30' }));
  });
});

describe('pacer', () => {
  function virtualClock(): PacerClock & { t: number } {
    const c = {
      t: 0,
      now: () => c.t,
      sleep: async (ms: number) => {
        c.t += ms;
      },
    };
    return c;
  }

  it('Discord: at most 12.5 posts a second per instance (two instances: 25/s, half the 50/s global limit)', async () => {
    const clock = virtualClock();
    const pacer = new Pacer(clock);
    const times: number[] = [];
    for (let i = 0; i < 100; i++) times.push(await pacer.acquire(slotsFor(DEFAULT_PACING.discord, 'discord', `c${i}`, 'g1')));
    // Any one-second window holds at most 13 posts (12.5/s).
    for (let i = 13; i < times.length; i++) expect(times[i]! - times[i - 13]!).toBeGreaterThanOrEqual(1000);
    expect(times[99]! - times[0]!).toBeGreaterThanOrEqual(99 * 80);
  });

  it('Slack: at most one post a second per channel; other channels are not held up beyond the workspace pace', async () => {
    const clock = virtualClock();
    const pacer = new Pacer(clock);
    const t1 = await pacer.acquire(slotsFor(DEFAULT_PACING.slack, 'slack', 'C1', 'T1'));
    const t2 = await pacer.acquire(slotsFor(DEFAULT_PACING.slack, 'slack', 'C1', 'T1'));
    expect(t2 - t1).toBeGreaterThanOrEqual(1000);
    const other = await pacer.acquire(slotsFor(DEFAULT_PACING.slack, 'slack', 'C2', 'T2'));
    expect(other).toBe(clock.t); // another workspace and channel: no wait
  });

  it('a 429 blocks its key until Retry-After, and old keys are pruned (memory stays flat)', async () => {
    const clock = virtualClock();
    const pacer = new Pacer(clock);
    pacer.block('slack:channel:C1', 5000);
    expect(await pacer.acquire([{ key: 'slack:channel:C1', intervalMs: 1000 }])).toBe(5000);
    for (let i = 0; i < 5000; i++) {
      clock.t += 2000;
      await pacer.acquire([{ key: `slack:channel:x${i}`, intervalMs: 1000 }]);
    }
    expect(pacer.size).toBeLessThan(1100);
  });
});
