import type { App, BlockAction, ButtonAction, types, webApi } from '@slack/bolt';
import { errorReply, type Bot } from '../../core/bot.ts';
import type { Caller } from '../../core/command.ts';
import { buildHome, type Home } from '../../core/home.ts';
import { catalogs, FALLBACK_LANG, t } from '../../core/i18n.ts';
import { encodeAction, type Reply, type ReplyAction, type ReplyForm } from '../../core/reply.ts';
import type { Logger } from '../../logger.ts';
import { escapeSlack, mrkdwnLiteral } from './escape.ts';
import { SAFE_MESSAGE_OPTIONS } from './poster.ts';
import { renderMessage, renderReply } from './render.ts';

type Block = types.KnownBlock;

/** The action_id prefix of the App Home's buttons (their own handler: the channel they are for is in the block_id). */
export const HOME_ACTION_PREFIX = 'nw-home-';
const CHANNEL_BLOCK = 'nw-home-channel:';
/** Slack ids: only such a channel id is written into a view as `<#…>` or run a command for. */
const SLACK_ID = /^[CGD][A-Z0-9]{2,30}$/;
const HOME_MAX_BLOCKS = 100;

const plain = (text: string, max = 3000): types.PlainTextElement => ({ type: 'plain_text', text: clip(escapeSlack(text), max), emoji: false });
const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

function buttons(actions: ReplyAction[], blockId: string): Block {
  return {
    type: 'actions',
    block_id: blockId,
    elements: actions.map((a, i) => ({
      type: 'button' as const,
      action_id: `${HOME_ACTION_PREFIX}${i}`,
      text: plain(a.label, 75),
      value: encodeAction(a),
      ...(a.style ? { style: a.style } : {}),
    })),
  };
}

/** The first paragraph of an answer: its headline figure ("There have been no French troops … since …"). */
function headline(reply: Reply): string {
  return reply.body.split(/\n\s*\n/)[0] ?? '';
}

/**
 * A Home as Slack's Home tab (`views.publish`): each key figure as its answer's title and first paragraph with its
 * as-of date and sources (the answer's own context line), the digests with Pause / Change, the review count.
 */
export function renderHome(home: Home): types.HomeView {
  const blocks: Block[] = [{ type: 'header', text: plain(home.title, 150) }];
  blocks.push({ type: 'header', text: plain(t(home.lang, 'home.figures.title'), 150) });
  for (const figure of home.figures) {
    if (figure.kind !== 'answer') continue;
    blocks.push({ type: 'section', text: plain(`${figure.title}\n${headline(figure)}`) });
    const context = renderReply(figure)
      .blocks.filter((b) => b.type === 'context')
      .at(-1);
    if (context) blocks.push(context);
  }
  blocks.push({ type: 'divider' }, { type: 'header', text: plain(t(home.lang, 'home.digests.title'), 150) });
  blocks.push({ type: 'section', text: plain(home.digestsNote) });
  for (const d of home.digests ?? []) {
    if (!SLACK_ID.test(d.channel.channelId)) continue;
    // mrkdwn only for the channel's name (Slack shows <#C…> as the channel); the line itself is escaped and literal.
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `<#${d.channel.channelId}>\n${mrkdwnLiteral(d.line)}` } });
    if (d.actions.length) blocks.push(buttons(d.actions, `${CHANNEL_BLOCK}${d.channel.channelId}`));
  }
  if (home.review) {
    blocks.push({ type: 'divider' }, { type: 'header', text: plain(t(home.lang, 'home.review.title'), 150) });
    blocks.push({ type: 'section', text: plain(home.review.line) });
    if (home.review.actions.length) blocks.push(buttons(home.review.actions, 'nw-home-review'));
  }
  return { type: 'home', blocks: blocks.slice(0, HOME_MAX_BLOCKS) };
}

export interface HomeDeps {
  bot: Bot;
  log: Logger;
  /** The caller for a user acting in a channel (see app.ts): Slack's role and language lookups included. */
  caller: (userId: string, channelId: string, teamId: string | undefined, client: webApi.WebClient, forms?: boolean) => Caller;
  /** Opens a command's form as a modal; `where.c` is the channel it runs for, `where.h` marks it as the Home's. */
  openForm: (client: webApi.WebClient, triggerId: string, form: ReplyForm, where: { c: string; h: 1 }) => Promise<boolean>;
}

export interface SlackHome {
  /** Publishes the user's Home again (after a change made from it). */
  publish(client: webApi.WebClient, userId: string, teamId: string | undefined): Promise<void>;
  /** A change made from the Home: its outcome goes to the user's DM with the bot, and the Home is published again. */
  done(client: webApi.WebClient, userId: string, teamId: string | undefined, reply: Reply): Promise<void>;
}

/**
 * The App Home: published on `app_home_opened`, and again after a change made from it. Its buttons run their
 * commands as the person who pressed them in the channel they are for, through the same preconditions as typing
 * them there; the outcome is posted in the person's DM with the bot (a Home has no thread to answer in).
 */
export function registerHome(app: App, deps: HomeDeps): SlackHome {
  const { bot, log } = deps;
  const publish = async (client: webApi.WebClient, userId: string, teamId: string | undefined): Promise<void> => {
    try {
      // No channel: the Home is the user's own; digests are listed for the workspace (see buildHome).
      const home = await buildHome(bot, deps.caller(userId, '', teamId, client));
      await client.views.publish({ user_id: userId, view: renderHome(home) });
    } catch (err) {
      log.warn({ err }, 'could not publish the App Home');
    }
  };
  const done = async (client: webApi.WebClient, userId: string, teamId: string | undefined, reply: Reply): Promise<void> => {
    try {
      await client.chat.postMessage({ channel: userId, ...renderMessage(reply), ...SAFE_MESSAGE_OPTIONS });
    } catch (err) {
      log.warn({ err, command: reply.command }, 'could not send the outcome of an App Home button');
    }
    await publish(client, userId, teamId);
  };

  app.event('app_home_opened', async ({ event, body, context, client }) => {
    if (event.tab !== 'home') return;
    await publish(client, event.user, body.team_id ?? context.teamId);
  });

  app.action<BlockAction<ButtonAction>>(new RegExp(`^${HOME_ACTION_PREFIX}`), async ({ ack, body, action, client }) => {
    await ack();
    const teamId = body.team?.id ?? undefined;
    const channel = action.block_id.startsWith(CHANNEL_BLOCK) ? action.block_id.slice(CHANNEL_BLOCK.length) : '';
    const who = deps.caller(body.user.id, channel, teamId, client, true);
    const lang = async () => catalogs().resolve(await who.locale?.()) ?? FALLBACK_LANG;
    if (channel && !SLACK_ID.test(channel)) {
      const l = await lang();
      await done(client, body.user.id, teamId, errorReply('home', t(l, 'home.unknownChannel'), undefined, l));
      return;
    }
    const { reply } = await bot.press(action.value ?? '', who);
    if (reply.form) {
      const opened = await deps.openForm(client, body.trigger_id, reply.form, { c: channel, h: 1 });
      if (!opened) {
        const l = reply.lang ?? (await lang());
        await done(client, body.user.id, teamId, errorReply(reply.command, t(l, 'form.unknownAction'), undefined, l));
      }
      return;
    }
    await done(client, body.user.id, teamId, reply);
  });

  return { publish, done };
}
