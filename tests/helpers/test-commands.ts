import type { Services } from '../../src/core/services.ts';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { Bot } from '../../src/core/bot.ts';
import { defineCommand } from '../../src/core/command.ts';
import { reply } from '../../src/core/reply.ts';
import { CommandRegistry } from '../../src/core/registry.ts';
import { captureLogger, testBot } from './bot.ts';

/**
 * Test-only commands: an answer that takes a while, one that reports what the adapter told the core, and one
 * that fails as a bug would.
 */
export const slowCommand = defineCommand({
  name: 'slow',
  description: 'Answers after a delay (tests only)',
  options: z.object({
    ms: z.coerce.number().int().min(0).max(10_000).default(300).describe('Delay in ms'),
    // A boolean from Discord, "true" from the text syntax (which has no booleans of its own).
    private: z.union([z.boolean(), z.stringbool()]).optional().describe('Answer ephemerally'),
  }),
  examples: [],
  async handler(input) {
    await sleep(input.ms);
    return reply({
      command: 'slow',
      title: 'Slow answer',
      body: `Done after ${input.ms} ms.`,
      visibility: input.private ? 'ephemeral' : 'public',
    });
  },
});

export const callerCommand = defineCommand({
  name: 'caller',
  description: 'Shows the caller as the core sees it (tests only)',
  options: z.object({}),
  examples: [],
  async handler(_input, ctx) {
    const can = await ctx.caller.canManageChannel();
    return reply({
      command: 'caller',
      title: 'Caller',
      fields: [
        { name: 'platform', value: ctx.caller.platform },
        { name: 'user', value: ctx.caller.userId },
        { name: 'channel', value: ctx.caller.channelId },
        { name: 'workspace', value: ctx.caller.workspaceId ?? 'none' },
        { name: 'manage', value: String(can) },
      ],
    });
  },
});

/** The message of brokenCommand's failure: it must reach the log, never the user. */
export const BROKEN_DETAIL = 'connection string postgres://bot:hunter2@db/niger refused';

export const brokenCommand = defineCommand({
  name: 'broken',
  description: 'Fails with an unexpected error (tests only)',
  options: z.object({}),
  examples: [],
  async handler() {
    throw new Error(BROKEN_DETAIL);
  },
});

/**
 * An answer only its asker sees, after a delay, from what the bot knows (cacheable): what Share in channel is for.
 * Run it on a bot without the answer cache to keep every press slow.
 */
export const privateAnswerCommand = defineCommand({
  name: 'private',
  description: 'A slow answer only its asker sees (tests only)',
  options: z.object({
    ms: z.coerce.number().int().min(0).max(10_000).default(10).describe('Delay in ms'),
    date: z.string().max(20).optional().describe('Any day').meta({ kind: 'date' }),
    entry: z.string().max(80).optional().describe('An entry the answer states ("kind/id")'),
  }),
  examples: [],
  cacheable: true,
  asOfChoices: () => ['2023-09-05', '2023-12-22'],
  async handler(input) {
    await sleep(input.ms);
    const asOf = input.date ?? '2023-12-22';
    return reply({
      command: 'private',
      title: 'Private answer',
      body: `Done after ${input.ms} ms, as of ${asOf}.`,
      visibility: 'ephemeral',
      asOf,
      ...(input.entry ? { entries: [input.entry] } : {}),
    });
  },
});

/** The real bot (real data and commands) plus the test-only commands. */
export async function botWithTestCommands(): Promise<Bot> {
  const base = await testBot();
  return new Bot({
    kb: base.kb,
    registry: new CommandRegistry([...base.registry.list(), slowCommand, callerCommand, brokenCommand]),
    log: captureLogger('silent').log,
    now: base.now,
  });
}

/**
 * The real bot plus `private` (Share in channel's tests), without the answer cache so every press takes its time.
 * Apart from botWithTestCommands: /niger's definitions have room for only so many test commands.
 */
export async function botWithPrivateAnswers(services?: Services): Promise<Bot> {
  const base = await testBot();
  return new Bot({
    kb: base.kb,
    registry: new CommandRegistry([...base.registry.list(), privateAnswerCommand]),
    log: captureLogger('silent').log,
    now: base.now,
    answerCacheSize: 0,
    ...(services ? { services } : {}),
  });
}
