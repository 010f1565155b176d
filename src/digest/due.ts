/**
 * The due-time policy, apart from the claiming and the delivery that apply it: which occurrence of a
 * schedule is due at an instant, which missed ones are too old to send (the catch-up window), and when
 * a digest that does go out counts as late. Pure, so every instance racing for one subscription reads
 * the same answer off the same row, and the policy can change without touching the claim protocol.
 */
import { describeDuration } from './report.ts';
import { addDays, dueInstant, type Occurrence } from './schedule.ts';

/** After a long downtime the skipped rows would otherwise grow with its length; older ones are summarized. */
const MAX_SKIP_ROWS = 31;

export interface DueOccurrences {
  /** Missed by more than the catch-up window: recorded as skipped, with the reason. */
  missed: (Occurrence & { reason: string })[];
  /** The occurrence to send now; null when the schedule's next one is still ahead. */
  due: Occurrence | null;
  /** Where the schedule moves on to. */
  next: Occurrence;
}

export class DuePolicy {
  constructor(
    /** A digest missed by less than this still goes out, marked late. */
    readonly catchupMs: number,
    /** A tick that starts this long after a digest's time was not ticking on time (the bot was down). */
    readonly lateAfterMs: number,
  ) {}

  /** From a schedule's next occurrence `from`, at `now`. */
  occurrences(from: Occurrence, schedule: { time: string; timeZone: string }, now: number): DueOccurrences {
    let { localDate, dueAt } = from;
    const missed: Occurrence[] = [];
    let missedTotal = 0;
    while (now - dueAt > this.catchupMs) {
      missed.push({ localDate, dueAt });
      missedTotal++;
      if (missed.length > MAX_SKIP_ROWS) missed.shift();
      localDate = addDays(localDate, 1);
      dueAt = dueInstant(localDate, schedule.time, schedule.timeZone);
    }
    const window = Math.round(this.catchupMs / 60_000);
    const earlier = missedTotal - missed.length;
    const skipped = missed.map((m, i) => ({
      ...m,
      reason:
        `missed by ${describeDuration(now - m.dueAt)} (the bot was not running); digests more than ${window} min late are skipped, not sent` +
        (i === 0 && earlier > 0 ? `; ${earlier} earlier digest(s) were missed too and are not listed one by one` : ''),
    }));
    if (dueAt > now) return { missed: skipped, due: null, next: { localDate, dueAt } };
    const following = addDays(localDate, 1);
    return { missed: skipped, due: { localDate, dueAt }, next: { localDate: following, dueAt: dueInstant(following, schedule.time, schedule.timeZone) } };
  }

  /**
   * The reason not to send a claimed digest after all, or null: a claim can wait (pacing, retries,
   * a takeover) until it is past the window its claiming was judged by.
   */
  tooLateToSend(dueAt: number, now: number): string | null {
    if (now - dueAt <= this.catchupMs) return null;
    return `too late to send: ${describeDuration(now - dueAt)} after its time, beyond the ${Math.round(this.catchupMs / 60_000)}-minute catch-up window`;
  }

  /** Judged on the tick's start, so pacing inside one tick never makes a digest late. */
  lateAtTickStart(tickStart: number, dueAt: number): boolean {
    return tickStart - dueAt > this.lateAfterMs;
  }

  /**
   * `catchUp` is the claiming tick's judgement (lateAtTickStart); a claim retried or taken over has
   * none (null) and is judged by when it goes out.
   */
  isLate(catchUp: boolean | null, dueAt: number, sentAt: number): boolean {
    return catchUp ?? sentAt - dueAt > this.lateAfterMs;
  }
}
