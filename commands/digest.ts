import { z } from 'zod';
import { defineCommand, defineGroup, type CommandContext } from '../src/core/command.ts';
import type { DigestChannel, DigestLogEntry, DigestService } from '../src/core/digest-port.ts';
import { PermissionError, UserError } from '../src/core/errors.ts';
import { reply } from '../src/core/reply.ts';
import { formatDay } from '../src/knowledge/dates.ts';
import { formatLocal } from '../src/digest/schedule.ts';

const EXAMPLE = 'digest subscribe time:08:00 timezone:Africa/Niamey';

function service(ctx: CommandContext): DigestService {
  const digest = ctx.services.digest;
  if (!digest) {
    throw new UserError('Daily digests are not available here: this bot runs without a database.', 'Ask whoever runs the bot to set DATABASE_URL, or use the default SQLite file.');
  }
  return digest;
}

function channelOf(ctx: CommandContext): DigestChannel {
  const { platform, channelId, workspaceId } = ctx.caller;
  return { platform, channelId, ...(workspaceId ? { workspaceId } : {}) };
}

async function requireManager(ctx: CommandContext, action: string): Promise<void> {
  if (!(await ctx.caller.canManageChannel())) {
    throw new PermissionError(
      `Only people who can manage this channel may ${action} its digest (on Discord: Manage Channels; on Slack: workspace admins and owners). Nothing was changed.`,
    );
  }
}

function describeEntry(e: DigestLogEntry, timeZone: string): string {
  const what: Record<DigestLogEntry['status'], string> = {
    sent: 'sent',
    late: 'sent late',
    skipped: 'skipped',
    rejected: 'rejected by the platform',
    retried: 'retried',
    failed: 'failed',
    disabled: 'digests turned off',
  };
  return (
    `${formatDay(e.localDate)}: ${what[e.status]}` +
    (e.reason ? ` — ${e.reason}` : '') +
    (e.messageId ? ` (message ${e.messageId})` : '') +
    ` · recorded ${formatLocal(e.at.getTime(), timeZone)}`
  );
}

const subscribe = defineCommand({
  name: 'subscribe',
  description: 'Post a daily digest in this channel at a time of day (default 08:00, Africa/Niamey)',
  options: z.object({
    time: z.string().max(20).optional().describe('Time of day, 24-hour HH:MM (default 08:00)').meta({ kind: 'time' }),
    timezone: z.string().max(64).optional().describe('IANA time zone, e.g. Africa/Niamey (default) or Europe/Paris').meta({ kind: 'timezone' }),
  }),
  examples: [EXAMPLE, 'digest subscribe', 'digest subscribe 18:30 Europe/Paris'],
  async handler(input, ctx) {
    const digest = service(ctx);
    await requireManager(ctx, 'change');
    const { subscription: s, created } = await digest.subscribe(
      channelOf(ctx),
      { time: input.time ?? digest.defaults.time, timeZone: input.timezone ?? digest.defaults.timeZone },
      ctx.caller.userId,
      ctx.now(),
    );
    const next = s.nextDueAt ? formatLocal(s.nextDueAt.getTime(), s.timeZone) : 'not scheduled';
    return reply({
      command: 'digest subscribe',
      kind: 'admin',
      visibility: 'ephemeral',
      title: created ? 'Daily digest turned on' : 'Daily digest updated',
      body:
        `This channel gets the Niger Watch digest every day at ${s.time} (${s.timeZone}): the newest key figures, the events added since the previous digest, and sources.` +
        `\n\nNext delivery: ${next}. See it now with \`digest preview\`; stop it with \`digest unsubscribe\`.`,
      fields: [
        { name: 'Time', value: s.time, inline: true },
        { name: 'Time zone', value: s.timeZone, inline: true },
        { name: 'Next delivery', value: next, inline: true },
      ],
    });
  },
});

const unsubscribe = defineCommand({
  name: 'unsubscribe',
  description: 'Stop the daily digest in this channel',
  options: z.object({}),
  examples: ['digest unsubscribe'],
  async handler(_input, ctx) {
    const digest = service(ctx);
    await requireManager(ctx, 'stop');
    const stopped = await digest.unsubscribe(channelOf(ctx), ctx.caller.userId, ctx.now());
    return reply({
      command: 'digest unsubscribe',
      kind: 'admin',
      visibility: 'ephemeral',
      title: stopped ? 'Daily digest turned off' : 'No digest to turn off',
      body: stopped
        ? `This channel will get no more digests. Turn them back on with \`${EXAMPLE}\`.`
        : `This channel has no active digest. Start one with \`${EXAMPLE}\`.`,
    });
  },
});

const status = defineCommand({
  name: 'status',
  description: "This channel's digest schedule, next delivery and last deliveries",
  options: z.object({}),
  examples: ['digest status'],
  async handler(_input, ctx) {
    const digest = service(ctx);
    const channel = channelOf(ctx);
    const s = await digest.subscription(channel);
    const recent = await digest.history(channel, 5);
    const zone = s?.timeZone ?? digest.defaults.timeZone;
    const items = recent.map((e) => describeEntry(e, zone));
    if (!s || !s.active) {
      return reply({
        command: 'digest status',
        kind: 'admin',
        visibility: 'ephemeral',
        title: 'Daily digest — off',
        body:
          (s?.disabledReason ? `This channel's digest is off: ${s.disabledReason}.` : 'This channel has no daily digest.') +
          `\n\nStart one with \`${EXAMPLE}\` (defaults: ${digest.defaults.time}, ${digest.defaults.timeZone}).`,
        items,
      });
    }
    const next = s.nextDueAt ? formatLocal(s.nextDueAt.getTime(), s.timeZone) : 'not scheduled';
    return reply({
      command: 'digest status',
      kind: 'admin',
      visibility: 'ephemeral',
      title: 'Daily digest — on',
      body: `Every day at ${s.time} (${s.timeZone}). Next delivery: ${next}.` + (items.length ? '\n\nLast deliveries:' : '\n\nNo delivery yet.'),
      fields: [
        { name: 'Time', value: s.time, inline: true },
        { name: 'Time zone', value: s.timeZone, inline: true },
        { name: 'Next delivery', value: next, inline: true },
      ],
      items,
    });
  },
});

const preview = defineCommand({
  name: 'preview',
  description: 'Exactly what the next digest in this channel will post',
  options: z.object({}),
  examples: ['digest preview'],
  async handler(_input, ctx) {
    const p = await service(ctx).preview(channelOf(ctx), ctx.now());
    return { ...p.reply, command: 'digest preview', visibility: 'ephemeral' };
  },
});

const history = defineCommand({
  name: 'history',
  description: "This channel's delivery log: sent, late, skipped and why, rejected, retried",
  options: z.object({
    limit: z.coerce.number().int().min(1).max(50).default(10).describe('How many entries (1–50, default 10)'),
  }),
  examples: ['digest history', 'digest history limit:20'],
  async handler(input, ctx) {
    const digest = service(ctx);
    const channel = channelOf(ctx);
    const [s, entries] = await Promise.all([digest.subscription(channel), digest.history(channel, input.limit)]);
    const zone = s?.timeZone ?? digest.defaults.timeZone;
    return reply({
      command: 'digest history',
      kind: 'admin',
      visibility: 'ephemeral',
      title: 'Daily digest — delivery log',
      body: entries.length ? `The ${entries.length} most recent entries, newest first.` : 'Nothing was delivered or attempted in this channel yet.',
      items: entries.map((e) => describeEntry(e, zone)),
    });
  },
});

export default defineGroup({
  name: 'digest',
  description: 'Daily digests in this channel: subscribe, unsubscribe, status, preview, history',
  subcommands: [subscribe, unsubscribe, status, preview, history],
});
