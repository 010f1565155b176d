import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bot } from '../../src/core/bot.ts';
import { t } from '../../src/core/i18n.ts';
import { TEST_CALLER } from '../helpers/bot.ts';
import { BROKEN_DETAIL, botWithTestCommands } from '../helpers/test-commands.ts';

/**
 * What every adapter must deliver, whatever its platform: the same command yields the same facts and
 * citations; a mistake is shown to the caller alone; text typed to ping or restyle pings nobody and reads as
 * typed; a long answer fits the platform or says what it left out; a slow answer does not miss the
 * platform's deadline. An adapter test supplies a driver that sends text through the real adapter (against
 * the local fakes) and reports what a user would see.
 */
export interface AdapterDriver {
  /** Sends a command line in the shared text syntax; resolves with what the user sees of the bot's reply. */
  send(text: string): Promise<Seen>;
  close(): Promise<void>;
}

/** A reply as its reader meets it on the platform, in the platform's own terms. */
export interface Seen {
  /** What the user reads, as plain text: markup rendered the way the platform renders it. */
  text: string;
  /** Who can read it: only the caller (Slack ephemeral, Discord flag 64, the terminal's one reader) or the channel. */
  audience: 'caller' | 'channel';
  /**
   * Everything in the message the platform would act on as a mention (a ping to @everyone, @here, a channel,
   * a user or a role; the permission to ping, in Discord's allowed_mentions) — in a terminal, the bell and
   * escape sequences. Empty: nobody is disturbed.
   */
  mentions: string[];
  /** What the platform would refuse in the message (its size limits); empty when it fits. */
  overLimits: string[];
  /** How long the platform waited for its first acknowledgement, and how long it allows; absent where nothing waits (the shell). */
  ack?: { ms: number; deadlineMs: number };
}

/** Commands and facts that must appear whatever the platform. */
export const CONTRACT_CASES: { text: string; facts: string[] }[] = [
  { text: 'troops France 2023-09', facts: ['1,500'] },
  { text: 'troops', facts: ['22 December 2023'] },
  { text: 'troops country:Germany date:2024-08-30', facts: ['German'] },
  { text: 'ruler June 2023', facts: ['Mohamed Bazoum'] },
  { text: 'ruler', facts: ['Tiani'] },
  { text: 'timeline from:2023-07 order:oldest limit:3', facts: ['July 2023'] },
  { text: 'places Ouallam', facts: ['Ouallam'] },
  { text: 'who Colonna', facts: ['Colonna'] },
  { text: 'sources AFP limit:3', facts: ['AFP'] },
  { text: 'ask how many French soldiers were in Niger in September 2023?', facts: ['1,500'] },
  { text: 'help', facts: ['troops'] },
];

/** Mistakes the core refuses (kind "error"): the caller is told why, and nobody else sees it. */
export const ERROR_CASES = ['troops country:Atlantis', 'troops date:2023-13-45'];

/**
 * Text typed to ping everyone and restyle the answer, which the core echoes back ("You asked: …", "no troop
 * figures for …"): Slack's and Discord's mention syntax, markdown, a masked link, and the terminal's bell and
 * clear-screen sequence. `literal` is what must read exactly as typed (the core drops control characters).
 */
export const HOSTILE_CASES: { text: string; literal: string[] }[] = [
  {
    text: 'ask @everyone <!channel> **bold** [x](http://evil) \u0007\u001b[2J',
    literal: ['@everyone', '<!channel>', '**bold**', '[x](http://evil)'],
  },
  { text: 'troops country:<!here> **b** [x](http://evil)\u0007', literal: ['<!here>', '**b**', '[x](http://evil)'] },
  { text: 'ask <@&123456789012345678> <#123456789012345678> hi', literal: ['<@&123456789012345678>', '<#123456789012345678>'] },
];

/** The longest answers the commands give (about 12,000 and 13,000 characters of plain text, 50 and 94 list entries). */
export const LONG_CASES = ['timeline limit:50 order:oldest', 'sources limit:100'];

/**
 * Answers slower than the 3 s Slack and Discord give an adapter to acknowledge a command (`slow`, a test-only
 * command that waits): the adapter must acknowledge in time and deliver the answer after, with the same
 * visibility. The wait is past the deadline, and the adapters acknowledge well before it (Slack at 2 s,
 * Discord at 1.5 s), so the margin is a second or more; the Discord fake itself refuses a late response.
 */
export const SLOW_CASES: { text: string; visibility: 'public' | 'ephemeral' }[] = [
  { text: 'slow ms:3200', visibility: 'public' },
  { text: 'slow ms:3200 private:true', visibility: 'ephemeral' },
];

/**
 * The first characters of a list entry: enough to tell the entries apart (sources of one publisher share
 * their first 40), short of any platform's cut of one entry (Discord's is 1,000).
 */
const entryStart = (item: string) => item.slice(0, 120);

export function adapterContract(name: string, makeDriver: (bot: Bot) => Promise<AdapterDriver>): void {
  describe(`adapter contract: ${name}`, () => {
    let bot: Bot;
    let driver: AdapterDriver;
    beforeAll(async () => {
      bot = await botWithTestCommands();
      driver = await makeDriver(bot);
    }, 30_000);
    afterAll(async () => {
      await driver?.close();
    });

    /** What holds for every reply: it fits, pings nobody, came in time, and a private one stays private. */
    function expectDelivered(seen: Seen, visibility: 'public' | 'ephemeral'): void {
      expect(seen.overLimits).toEqual([]);
      expect(seen.mentions).toEqual([]);
      if (seen.ack) expect(seen.ack.ms).toBeLessThan(seen.ack.deadlineMs);
      if (visibility === 'ephemeral') expect(seen.audience).toBe('caller');
    }

    it.each(CONTRACT_CASES)('"$text" shows the core answer’s facts and every citation', async ({ text, facts }) => {
      const expected = await bot.handleText(text, TEST_CALLER);
      expect(expected.kind).not.toBe('error');
      const seen = await driver.send(text);
      for (const fact of facts) expect(seen.text).toContain(fact);
      // The first body sentence and each citation's publisher reach the user on every platform.
      expect(seen.text).toContain(expected.title.split(' — ')[0]!);
      for (const c of expected.citations.slice(0, 3)) expect(seen.text).toContain(c.publisher);
      expectDelivered(seen, expected.visibility);
    });

    it.each(ERROR_CASES)('the error for "%s" is shown to the caller alone, with what to do', async (text) => {
      const expected = await bot.handleText(text, TEST_CALLER);
      expect(expected.kind).toBe('error');
      const seen = await driver.send(text);
      expect(seen.audience).toBe('caller');
      expect(seen.text).toContain(expected.title);
      // The message and its hint (the values the option takes): every paragraph of the core's body.
      for (const paragraph of expected.body.split('\n\n')) expect(seen.text).toContain(paragraph.slice(0, 60));
      expectDelivered(seen, 'ephemeral');
    });

    it('a failure inside the bot is shown to the caller alone: an apology with an id to quote, no internals', async () => {
      const seen = await driver.send('broken');
      expect(seen.audience).toBe('caller');
      const id = /error id ([0-9a-f]{8})/.exec(seen.text)?.[1];
      expect(id, seen.text).toBeDefined();
      expect(seen.text).not.toContain(BROKEN_DETAIL);
      expect(seen.text).not.toContain('hunter2');
      expectDelivered(seen, 'ephemeral');
    });

    it.each(HOSTILE_CASES)('"$text" pings nobody and reads as typed', async ({ text, literal }) => {
      const expected = await bot.handleText(text, TEST_CALLER);
      const seen = await driver.send(text);
      expect(seen.mentions).toEqual([]);
      for (const words of literal) expect(seen.text).toContain(words);
      expect(seen.text).toContain(expected.title);
      expectDelivered(seen, expected.visibility);
    });

    it.each(LONG_CASES)('"%s" fits the platform, and every list entry is shown or counted as not shown', async (text) => {
      const expected = await bot.handleText(text, TEST_CALLER);
      expect(expected.items.length).toBeGreaterThan(40);
      const seen = await driver.send(text);
      expectDelivered(seen, expected.visibility);
      expect(seen.text).toContain(expected.title);
      const visible = expected.items.map((item) => seen.text.includes(entryStart(item)));
      const shown = visible.filter(Boolean).length;
      expect(shown).toBeGreaterThan(0);
      // Entries keep their order: what is left out is the end of the list, and the user is told how much.
      expect(visible.slice(0, shown)).not.toContain(false);
      if (shown < expected.items.length) {
        expect(seen.text).toContain(t(expected.lang, 'render.notShown.items', { count: expected.items.length - shown }));
      }
    });

    it.each(SLOW_CASES)('"$text" (slower than the deadline) is acknowledged in time and answered after', async ({ text, visibility }) => {
      const seen = await driver.send(text);
      expect(seen.text).toContain('Done after 3200 ms');
      expectDelivered(seen, visibility);
    });
  });
}
