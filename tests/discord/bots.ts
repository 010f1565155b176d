import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { Bot } from '../../src/core/bot.ts';
import { defineCommand } from '../../src/core/command.ts';
import { reply } from '../../src/core/reply.ts';
import { CommandRegistry } from '../../src/core/registry.ts';
import { captureLogger, testBot } from '../helpers/bot.ts';

/** Test-only commands: an answer that takes a while, and one that reports what the adapter told the core. */
export const slowCommand = defineCommand({
  name: 'slow',
  description: 'Answers after a delay (tests only)',
  options: z.object({
    ms: z.coerce.number().int().min(0).max(10_000).default(300).describe('Delay in ms'),
    private: z.boolean().optional().describe('Answer ephemerally'),
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

/** The real bot (real data and commands) plus the test-only commands. */
export async function botWithTestCommands(): Promise<Bot> {
  const base = await testBot();
  return new Bot({
    kb: base.kb,
    registry: new CommandRegistry([...base.registry.list(), slowCommand, callerCommand]),
    log: captureLogger('silent').log,
    now: base.now,
  });
}
