import { Writable } from 'node:stream';
import { createBot, type CreateBotOptions } from '../../src/app.ts';
import type { Bot } from '../../src/core/bot.ts';
import type { Caller } from '../../src/core/command.ts';
import { createLogger, type Logger } from '../../src/logger.ts';

/** The date the tests pretend it is, so "now" answers do not drift as real time passes. */
export const TEST_NOW = new Date('2026-11-29T09:00:00Z');

export const TEST_CALLER: Caller = {
  platform: 'test',
  userId: 'tester',
  channelId: 'test-channel',
  canManageChannel: async () => true,
};

/** A logger whose lines the test can read (to check that errors are logged and secrets are not). */
export function captureLogger(level = 'info'): { log: Logger; lines: () => string[] } {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, cb) {
      chunks.push(String(chunk));
      cb();
    },
  });
  return {
    log: createLogger({ level, destination }),
    lines: () => chunks.join('').split('\n').filter(Boolean),
  };
}

let shared: Promise<Bot> | undefined;

/** One real bot (real data, real commands) with a fixed clock, shared by the tests of a file. */
export function testBot(options: CreateBotOptions = {}): Promise<Bot> {
  if (Object.keys(options).length > 0) {
    return createBot({ now: () => TEST_NOW, log: captureLogger('silent').log, ...options });
  }
  shared ??= createBot({ now: () => TEST_NOW, log: captureLogger('silent').log });
  return shared;
}
