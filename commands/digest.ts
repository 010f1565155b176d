import { z } from 'zod';
import { defineCommand, defineGroup, type CommandContext } from '../src/core/command.ts';
import type { DigestChannel, DigestLogEntry, DigestService } from '../src/core/digest-port.ts';
import { UserError } from '../src/core/errors.ts';
import { reply } from '../src/core/reply.ts';
import { formatDay, formatLocal } from '../src/knowledge/dates.ts';
import { chartAttachment } from './_shared.ts';

const EXAMPLE = 'digest subscribe time:08:00 timezone:Africa/Niamey';

function service(ctx: CommandContext): DigestService {
  const digest = ctx.services.digest;
  if (!digest) throw new UserError({ key: 'digest.unavailable' }, { key: 'digest.unavailable.hint' });
  return digest;
}

function channelOf(ctx: CommandContext): DigestChannel {
  const { platform, channelId, workspaceId } = ctx.caller;
  return { platform, channelId, ...(workspaceId ? { workspaceId } : {}) };
}

function describeEntry(e: DigestLogEntry, timeZone: string, ctx: CommandContext): string {
  // Reasons are stored as the scheduler wrote them (English) and shown as they are.
  return ctx.t('digest.log.entry', {
    date: formatDay(e.localDate, ctx.lang),
    status: ctx.t(`digest.log.status.${e.status}`),
    hasReason: e.reason ? 'yes' : 'no',
    reason: e.reason ?? '',
    hasMessage: e.messageId ? 'yes' : 'no',
    messageId: e.messageId ?? '',
    at: formatLocal(e.at.getTime(), timeZone, ctx.lang),
  });
}

/** The digest's language by name, in the reader's language ("French", "français", "Französisch"). */
function languageName(lang: string, ctx: CommandContext): string {
  return new Intl.DisplayNames(ctx.lang, { type: 'language', fallback: 'code' }).of(lang) ?? lang;
}

const subscribe = defineCommand({
  name: 'subscribe',
  description: 'Post a daily digest in this channel at a time of day (default 08:00, Africa/Niamey)',
  options: z.object({
    time: z.string().max(20).optional().describe('Time of day, 24-hour HH:MM (default 08:00)').meta({ kind: 'time' }),
    timezone: z.string().max(64).optional().describe('IANA time zone, e.g. Africa/Niamey (default) or Europe/Paris').meta({ kind: 'timezone' }),
  }),
  examples: [EXAMPLE, 'digest subscribe', 'digest subscribe 18:30 Europe/Paris', 'digest subscribe lang:fr'],
  preconditions: [{ name: 'manageChannel', refusal: 'digest.permission.change' }],
  form: { title: 'digest.form.title', pressOnly: true },
  async handler(input, ctx) {
    const digest = service(ctx);
    // A digest the bot could not post would fail every day: refused now, with what to do, and nothing stored.
    if (ctx.caller.canPostHere && !(await ctx.caller.canPostHere())) throw new UserError({ key: 'digest.notInChannel' }, { key: 'digest.notInChannel.hint' });
    const { subscription: s, created } = await digest.subscribe(
      channelOf(ctx),
      { time: input.time ?? digest.defaults.time, timeZone: input.timezone ?? digest.defaults.timeZone, lang: ctx.channelLang },
      ctx.caller.userId,
      ctx.now(),
    );
    const next = s.nextDueAt ? formatLocal(s.nextDueAt.getTime(), s.timeZone, ctx.lang) : ctx.t('digest.notScheduled');
    const language = languageName(s.lang, ctx);
    return reply({
      command: 'digest subscribe',
      kind: 'admin',
      visibility: 'ephemeral',
      title: ctx.t(created ? 'digest.subscribe.title.created' : 'digest.subscribe.title.updated'),
      body: ctx.t('digest.subscribe.body', { time: s.time, timeZone: s.timeZone, next, language }),
      fields: [
        { name: ctx.t('digest.field.time'), value: s.time, inline: true },
        { name: ctx.t('digest.field.timeZone'), value: s.timeZone, inline: true },
        { name: ctx.t('digest.field.next'), value: next, inline: true },
        { name: ctx.t('digest.field.language'), value: language, inline: true },
      ],
    });
  },
});

const unsubscribe = defineCommand({
  name: 'unsubscribe',
  description: 'Stop the daily digest in this channel',
  options: z.object({}),
  examples: ['digest unsubscribe'],
  preconditions: [{ name: 'manageChannel', refusal: 'digest.permission.stop' }],
  async handler(_input, ctx) {
    const digest = service(ctx);
    const stopped = await digest.unsubscribe(channelOf(ctx), ctx.caller.userId, ctx.now());
    return reply({
      command: 'digest unsubscribe',
      kind: 'admin',
      visibility: 'ephemeral',
      title: ctx.t(stopped ? 'digest.unsubscribe.title.stopped' : 'digest.unsubscribe.title.none'),
      body: ctx.t(stopped ? 'digest.unsubscribe.body.stopped' : 'digest.unsubscribe.body.none', { example: EXAMPLE }),
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
    const items = recent.map((e) => describeEntry(e, zone, ctx));
    if (!s?.active) {
      return reply({
        command: 'digest status',
        kind: 'admin',
        visibility: 'ephemeral',
        title: ctx.t('digest.status.title.off'),
        body: ctx.t(s?.disabledReason ? 'digest.status.off.reason' : 'digest.status.off', {
          reason: s?.disabledReason ?? '',
          example: EXAMPLE,
          time: digest.defaults.time,
          timeZone: digest.defaults.timeZone,
        }),
        items,
      });
    }
    const next = s.nextDueAt ? formatLocal(s.nextDueAt.getTime(), s.timeZone, ctx.lang) : ctx.t('digest.notScheduled');
    const language = languageName(s.lang, ctx);
    return reply({
      command: 'digest status',
      kind: 'admin',
      visibility: 'ephemeral',
      title: ctx.t('digest.status.title.on'),
      body: ctx.t(items.length ? 'digest.status.on' : 'digest.status.on.none', { time: s.time, timeZone: s.timeZone, next, language }),
      fields: [
        { name: ctx.t('digest.field.time'), value: s.time, inline: true },
        { name: ctx.t('digest.field.timeZone'), value: s.timeZone, inline: true },
        { name: ctx.t('digest.field.next'), value: next, inline: true },
        { name: ctx.t('digest.field.language'), value: language, inline: true },
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
    // In the subscription's language; without one, in the language subscribing here would give.
    const p = await service(ctx).preview(channelOf(ctx), ctx.now(), ctx.channelLang);
    // The chart that will follow the digest comes with its preview, drawn the same way, its words in the digest's language.
    const chart = p.chart;
    const attachments = chart
      ? await chartAttachment(
          { ...ctx, lang: p.reply.lang ?? ctx.lang },
          chart.name.replace(/\.png$/, ''),
          (charts) => charts.troops(ctx.kb, chart.request),
          () => chart,
        )
      : undefined;
    return { ...p.reply, command: 'digest preview', visibility: 'ephemeral', ...(attachments ? { attachments } : {}) };
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
      title: ctx.t('digest.history.title'),
      body: entries.length ? ctx.t('digest.history.body', { count: entries.length }) : ctx.t('digest.history.empty'),
      items: entries.map((e) => describeEntry(e, zone, ctx)),
    });
  },
});

export default defineGroup({
  name: 'digest',
  description: 'Daily digests in this channel: subscribe, unsubscribe, status, preview, history',
  subcommands: [subscribe, unsubscribe, status, preview, history],
});
