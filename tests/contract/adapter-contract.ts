import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bot } from '../../src/core/bot.ts';
import { testBot, TEST_CALLER } from '../helpers/bot.ts';

/**
 * What every adapter must deliver: the same command yields the same facts and citations on every
 * platform. An adapter test supplies a driver that sends text through the real platform code
 * (against the local fakes) and returns what a user would see, as plain text.
 */
export interface AdapterDriver {
  /** Sends a command line in the shared text syntax; returns the visible text of the bot's reply. */
  send(text: string): Promise<string>;
  close(): Promise<void>;
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

export function adapterContract(name: string, makeDriver: (bot: Bot) => Promise<AdapterDriver>): void {
  describe(`adapter contract: ${name}`, () => {
    let bot: Bot;
    let driver: AdapterDriver;
    beforeAll(async () => {
      bot = await testBot();
      driver = await makeDriver(bot);
    }, 30_000);
    afterAll(async () => {
      await driver?.close();
    });

    it.each(CONTRACT_CASES)('"$text" shows the core answer’s facts and every citation', async ({ text, facts }) => {
      const expected = await bot.handleText(text, TEST_CALLER);
      expect(expected.kind).not.toBe('error');
      const seen = await driver.send(text);
      for (const fact of facts) expect(seen).toContain(fact);
      // The first body sentence and each citation's publisher reach the user on every platform.
      expect(seen).toContain(expected.title.split(' — ')[0]!);
      for (const c of expected.citations.slice(0, 3)) expect(seen).toContain(c.publisher);
    });
  });
}
