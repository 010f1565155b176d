import { LRUCache } from 'lru-cache';
import type { Reply } from './reply.ts';

/** How many answers are kept. A reply is a few kilobytes; a full cache stays around 10 MB. */
export const DEFAULT_ANSWER_CACHE_SIZE = 2000;

/**
 * The bytes the kept answers may hold, charts included. A chart is 30–70 kB of PNG, so 2,000 answers over distinct
 * periods (`troops France 2023-07`, `…2023-08`, …) would otherwise hold some 140 MB; this keeps the cache near the
 * 10 MB of text answers plus a few hundred charts, the oldest unused answers going first.
 */
export const DEFAULT_ANSWER_CACHE_BYTES = 48 * 1024 * 1024;
/** What a text reply is counted as: its strings are not measured (a few kilobytes, see above). */
const TEXT_REPLY_BYTES = 5 * 1024;

/**
 * Answers of cacheable commands, reused for the rest of the day. Between two changes of the knowledge base
 * (each empties the cache: Bot.replaceKnowledge), such an answer depends only on the command, its options and the
 * day the question is asked ("now", "last year", staleness notes). Desks ask the same few things all day
 * (`/niger troops`, `/niger ruler`); this makes those a lookup.
 *
 * The day is part of every key, both the UTC day and the process's local day (date parsing uses both), so
 * a new day never sees yesterday's "now".
 */
export class AnswerCache {
  private readonly entries: LRUCache<string, Reply>;
  /** The last day key and the minute it was computed for: local-time getters are slow, minutes are many. */
  private lastMinute = NaN;
  private lastDay = '';

  constructor(max = DEFAULT_ANSWER_CACHE_SIZE, maxBytes = DEFAULT_ANSWER_CACHE_BYTES) {
    this.entries = new LRUCache({
      max,
      maxSize: maxBytes,
      sizeCalculation: (reply) => TEXT_REPLY_BYTES + (reply.attachments ?? []).reduce((n, a) => n + a.bytes.byteLength, 0),
    });
  }

  get(key: string, now: Date): Reply | undefined {
    return this.entries.get(this.dayKey(now) + key);
  }

  /** Stores a reply (frozen, since every later caller shares it) and returns it. */
  set(key: string, now: Date, reply: Reply): Reply {
    const frozen = freezeReply(reply);
    this.entries.set(this.dayKey(now) + key, frozen);
    return frozen;
  }

  /** Forgets every answer: the knowledge they came from has changed. */
  clear(): void {
    this.entries.clear();
  }

  /** Days change on a minute boundary in every time zone in use, so one computation serves a minute. */
  private dayKey(now: Date): string {
    const minute = Math.floor(now.getTime() / 60_000);
    if (minute !== this.lastMinute) {
      this.lastMinute = minute;
      this.lastDay = `${now.getUTCFullYear()}-${now.getUTCMonth()}-${now.getUTCDate()}/${now.getFullYear()}-${now.getMonth()}-${now.getDate()}\n`;
    }
    return this.lastDay;
  }
}

function freezeReply(reply: Reply): Reply {
  for (const list of [reply.fields, reply.items, reply.notes, reply.citations]) {
    Object.freeze(list);
  }
  // The list only: a non-empty Buffer cannot be frozen (nor need be: nothing writes to an attachment's bytes).
  if (reply.attachments) Object.freeze(reply.attachments);
  return Object.freeze(reply);
}
