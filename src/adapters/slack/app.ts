import type { AddressInfo } from 'node:net';
import { App, webApi, type BlockAction, type ButtonAction, type DatepickerAction, type FeedbackButtonsAction } from '@slack/bolt';
import { AuthorizationError, InstallProvider } from '@slack/oauth';
import { AdapterStartError, type Adapter } from '../../core/adapter.ts';
import type { Bot } from '../../core/bot.ts';
import type { Caller } from '../../core/command.ts';
import { DeliveryError, type DeliveryTarget } from '../../core/delivery.ts';
import type { InstallationRecords } from '../../core/installations.ts';
import { errorReply } from '../../core/bot.ts';
import { t } from '../../core/i18n.ts';
import { decodeForm, encodeForm, renderedOnce, type Reply, type ReplyForm } from '../../core/reply.ts';
import { FirstSeen, type SeenIds } from '../../core/seen.ts';
import { settleWithin } from '../../core/settle-within.ts';
import type { SlackConfig } from '../../config.ts';
import type { Logger } from '../../logger.ts';
import { boltLogger } from './bolt-logger.ts';
import { shareAttachments } from './files.ts';
import { registerHome } from './home.ts';
import { canPostIn } from './membership.ts';
import { incomingText } from './escape.ts';
import { DatabaseInstallationStore, day, describeKey, NotInstalledError, SLACK_BOT_SCOPES } from './installations.ts';
import { AdminCheck } from './permissions.ts';
import { SAFE_MESSAGE_OPTIONS, SlackPoster, type ClientsFor, type SlackClients } from './poster.ts';
import { REPLAY_TTL_MS, SlackReceiver, type ReceiverLimits, type SlackReceiverOptions } from './receiver.ts';
import { ACTION_ID_PREFIX, FEEDBACK_ID, LINK_ID_PREFIX, PICKER_ID_PREFIX } from './actions.ts';
import { FORM_CALLBACK_ID, renderMessage, renderModal, SLACK_FORMS } from './render.ts';

/** Web API retries: a few, quickly. Bolt's default is ten retries over about 30 minutes. */
export const DEFAULT_RETRY: webApi.RetryOptions = { retries: 3, factor: 2, minTimeout: 500, maxTimeout: 5000, randomize: true };

export interface SlackAppOptions {
  /** HTTP mode: the interface to listen on (default: all). Tests use 127.0.0.1. */
  host?: string;
  /** HTTP mode: overrides SlackConfig.port (0 picks a free port). */
  port?: number;
  /** Web API retries (429 with Retry-After, 5xx, network errors); ok:false is never retried. */
  retryConfig?: webApi.RetryOptions;
  /** Web API request timeout in ms. */
  timeoutMs?: number;
  /** The slash command to answer (the manifest's). */
  command?: string;
  /** How long a users.info admin answer is cached. */
  adminCacheTtlMs?: number;
  /**
   * A slash command answered within this many ms is sent in the HTTP ack itself; a slower one is acked
   * empty and answered through the response_url. 0 always uses the response_url. Default 2000 (Slack
   * allows 3 s for the ack).
   */
  inlineReplyMs?: number;
  /**
   * The record of event ids and request signatures already handled, shared by the instances (the digest
   * store). Without it each process remembers only its own.
   */
  seen?: SeenIds;
  /** HTTP mode: the receiver's limits (tests make them small). */
  receiverLimits?: Partial<ReceiverLimits>;
  /** HTTP mode: other GET endpoints on the same port (health and metrics, see SlackReceiverOptions.routes). */
  routes?: SlackReceiverOptions['routes'];
  /**
   * The installations (the digest store). Required in OAuth mode, where each workspace's token is kept
   * there; in either mode an uninstalled workspace's digests are turned off through it.
   */
  installations?: InstallationRecords;
}

/**
 * Slack redelivers an event it thinks was not received: up to 3 retries over about 5 minutes, or after a
 * Socket Mode reconnect. An hour covers those and a restart in between.
 */
export const EVENT_DEDUPE_TTL_MS = 60 * 60_000;

export interface SlackAdapter {
  app: App;
  /** Checks the token (auth.test), then listens (HTTP) or connects (Socket Mode). */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Posts digests into channels. */
  poster: SlackPoster;
  mode: SlackConfig['mode'];
  /** HTTP mode, once started: the port Bolt listens on. */
  port(): number | undefined;
  /** Started and, in Socket Mode, its WebSocket open; in HTTP mode, listening (for /readyz). */
  connected(): boolean;
}

/** A start failure with a message meant for the operator (it never contains a secret). */
export class SlackStartError extends AdapterStartError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'SlackStartError';
  }
}

/**
 * The Slack adapter: a Bolt app (HTTP Events API with the signing secret, or Socket Mode with the app-level
 * token) that translates slash commands, mentions and direct messages into `bot.handleText` calls and the
 * Replies into Block Kit. It holds no answers of its own.
 */
export function createSlackApp(bot: Bot, config: SlackConfig, log: Logger, options: SlackAppOptions = {}): SlackAdapter {
  const slackLog = log.child({ platform: 'slack' });
  const socket = config.mode === 'socket';
  if (socket && !config.appToken) throw new SlackStartError('Cannot start Slack: Socket Mode needs SLACK_APP_TOKEN.');
  if (!socket && !config.signingSecret) throw new SlackStartError('Cannot start Slack: HTTP mode needs SLACK_SIGNING_SECRET.');
  const oauth = config.oauth;
  if (oauth && socket) throw new SlackStartError('Cannot start Slack: installing in several workspaces (OAuth) needs HTTP mode.');
  if (oauth && !options.installations) throw new SlackStartError('Cannot start Slack: installing in several workspaces (OAuth) needs the database.');
  if (!oauth && !config.botToken) throw new SlackStartError('Cannot start Slack: set SLACK_BOT_TOKEN, or the OAuth install settings.');

  const apiUrl = config.apiUrl ? { slackApiUrl: config.apiUrl.endsWith('/') ? config.apiUrl : `${config.apiUrl}/` } : {};
  const clientOptions: webApi.WebClientOptions = {
    retryConfig: options.retryConfig ?? DEFAULT_RETRY,
    timeout: options.timeoutMs ?? 15_000,
    ...apiUrl,
  };
  const sharedFailed = (what: string) => (err: unknown) => slackLog.warn({ err }, `the shared store could not check ${what}; handling it as new`);
  const logger = boltLogger(slackLog, [config.botToken, config.appToken, config.signingSecret, oauth?.clientSecret, oauth?.stateSecret]);
  const installations = options.installations && new DatabaseInstallationStore(options.installations, slackLog);
  // Bolt's own OAuth support: @slack/oauth's InstallProvider runs the install flow on our receiver, stores each
  // installation in the database, and gives Bolt the `authorize` that finds a request's workspace token there.
  const installer =
    oauth &&
    new InstallProvider({
      clientId: oauth.clientId,
      clientSecret: oauth.clientSecret,
      stateSecret: oauth.stateSecret,
      installationStore: installations,
      // /slack/install sends the browser straight to Slack's authorize page (no page of our own in between).
      directInstall: true,
      logger,
      // oauth.v2.access and the auth.test after it go where every other call goes (SLACK_API_URL in tests).
      clientOptions,
    });
  const receiver = socket
    ? undefined
    : new SlackReceiver({
        signingSecret: config.signingSecret!,
        log: slackLog,
        signatures: new FirstSeen({ ttlMs: REPLAY_TTL_MS, shared: prefixed(options.seen, 'slack:signature:'), onError: sharedFailed('a request signature') }),
        limits: options.receiverLimits,
        routes: options.routes,
        ...(installer ? { oauth: { installer, installUrlOptions: { scopes: [...SLACK_BOT_SCOPES] } } } : {}),
      });
  const app = new App({
    // With OAuth, no token: Bolt then takes `authorize` from the receiver's installer.
    ...(oauth ? {} : { token: config.botToken }),
    ...(socket
      ? {
          socketMode: true,
          appToken: config.appToken,
          // The Socket Mode client's own Web API client (apps.connections.open) keeps its patient default
          // retries, so a reconnect survives a short Slack outage.
          installerOptions: { clientOptions: { timeout: options.timeoutMs ?? 15_000, ...apiUrl } },
        }
      : { receiver }),
    logger,
    clientOptions,
    // The adapter keeps no conversation state (a thread's context is the core's, see Caller.conversation);
    // skipping Bolt's store saves work on every request.
    convoStore: false,
    // auth.test runs in start(), where a bad token becomes one clear error instead of a stray rejection.
    deferInitialization: true,
  });

  const admins = new AdminCheck(app.client, slackLog, {
    adminUserIds: config.adminUserIds,
    editorUserIds: config.editorUserIds ?? [],
    ttlMs: options.adminCacheTtlMs,
  });
  // `client` is Bolt's for this request: it carries the token of the workspace the request came from. Forms only
  // where Slack gave a trigger_id to open a modal with (slash commands, button presses).
  const caller = (userId: string, channelId: string, teamId: string | undefined, client: webApi.WebClient, forms = false, threadTs?: string): Caller => ({
    platform: 'slack',
    userId,
    channelId,
    ...(teamId ? { workspaceId: teamId } : {}),
    // A thread is a conversation: its follow-ups are read against the last answer in it (the core keeps it).
    ...(threadTs ? { conversation: threadKey(teamId, channelId, threadTs) } : {}),
    ...(forms ? { forms: SLACK_FORMS } : {}),
    canManageChannel: () => admins.canManage(userId, teamId, client),
    isEditor: () => admins.isEditor(userId, teamId, client),
    canPostHere: () => canPostIn(client, channelId, slackLog),
    // Slack sends no language with commands or events: the user's, from users.info (cached with the role).
    locale: () => admins.locale(userId, teamId, client),
  });

  // A retry may land on another instance, or on this one after a restart: the record is the shared store's.
  const seenEvents = new FirstSeen({ ttlMs: EVENT_DEDUPE_TTL_MS, shared: prefixed(options.seen, 'slack:event:'), onError: sharedFailed('an event id') });
  const firstDelivery = async (eventId: unknown): Promise<boolean> => (typeof eventId !== 'string' || !eventId ? true : seenEvents.first(eventId));

  const render = renderedOnce(renderMessage);
  const commandResponse = renderedOnce((reply: Reply) => ({
    response_type: reply.visibility === 'ephemeral' ? ('ephemeral' as const) : ('in_channel' as const),
    ...render(reply),
    ...SAFE_MESSAGE_OPTIONS,
  }));
  const inlineReplyMs = options.inlineReplyMs ?? 2000;
  app.command(options.command ?? '/niger', async ({ command, ack, respond, client }) => {
    const text = incomingText(command.text);
    // An answer already known today goes straight into the ack: no waiting, no deadline timer.
    // Only when the user's language is known without asking Slack (the answer depends on it).
    const lang = inlineReplyMs > 0 ? admins.knownLocale(command.user_id, command.team_id) : { known: false };
    const known = lang.known ? bot.knownAnswer(text, lang.locale) : undefined;
    // A slash command's answer goes back through Slack (the ack or the response_url), which carries no files: a
    // public answer's chart follows it into the channel as a file of its own (files:write; the bot must be in it).
    const shareAfter = async (reply: Reply | undefined) => {
      if (reply?.attachments?.length && reply.visibility === 'public' && reply.kind !== 'error') {
        await shareAttachments(client, reply, { channel: command.channel_id }, slackLog);
      }
    };
    // A public answer in a channel that names entries a correction may follow goes out as the bot's own message
    // (chat.postMessage; the ack and the response_url give no message ts), so its ts is recorded and the correction
    // can be threaded under it. Where Slack refuses that post, it goes back through the response_url as any other.
    const dm = command.channel_id.startsWith('D') || command.channel_name === 'directmessage';
    const recordable = (reply: Reply | undefined): reply is Reply =>
      Boolean(bot.services.posts && reply?.entries?.length && reply.visibility === 'public' && reply.kind !== 'error' && !reply.form && !dm);
    /** After an empty ack: posted and recorded, else (refused) through the response_url. */
    const deliver = async (reply: Reply | undefined, response: ReturnType<typeof commandResponse>) => {
      if (recordable(reply) && (await postAnswer(client, reply, command.channel_id, command.team_id))) return;
      await respond(response);
      await shareAfter(reply);
    };
    if (known) {
      if (recordable(known)) {
        await ack();
        await deliver(known, commandResponse(known)).catch((err: unknown) =>
          slackLog.warn({ err, channelId: command.channel_id }, 'could not answer a slash command'),
        );
        return;
      }
      await ack(commandResponse(known));
      await shareAfter(known);
      return;
    }
    let answered: Reply | undefined;
    const answer = bot.handleText(text, caller(command.user_id, command.channel_id, command.team_id, client, true)).then(async (reply) => {
      answered = reply;
      if (reply.form) {
        // The trigger_id is good for 3 s: the modal opens before the (empty) ack, within the same deadline.
        const opened = await openForm(client, command.trigger_id, reply.form, { r: command.response_url });
        return opened ? null : commandResponse(opened === false ? formFailed(reply) : reply);
      }
      notifyEditors(client, reply, command.user_id);
      return commandResponse(reply);
    });
    // Slack wants the ack within 3 s. An answer ready before the deadline rides on the ack itself (one
    // round trip, nothing to lose); a slower one follows through the response_url. A modal opened needs an empty ack.
    const inline = inlineReplyMs > 0 ? await settleWithin(answer, inlineReplyMs).catch(() => undefined) : undefined;
    if (inline === null) {
      await ack();
      return;
    }
    if (inline && !recordable(answered)) {
      await ack(inline);
      await shareAfter(answered);
      return;
    }
    await ack();
    try {
      const late = inline ?? (await answer);
      if (late) await deliver(answered, late);
    } catch (err) {
      slackLog.warn({ err, channelId: command.channel_id }, 'could not answer a slash command');
    }
  });

  /**
   * Posts a slash command's public answer into its channel as the bot and records what it carried. False when Slack
   * refused it (a private channel the bot is not in: not_in_channel, channel_not_found; or another refusal), so
   * nothing was posted and the response_url answers instead; an answer that may have been posted is not sent again.
   */
  const postAnswer = async (client: webApi.WebClient, reply: Reply, channel: string, teamId: string | undefined): Promise<boolean> => {
    try {
      const posted = await client.chat.postMessage({ channel, ...render(reply), ...SAFE_MESSAGE_OPTIONS });
      if (posted.ts) recordAnswer(reply, { channel, ...(teamId ? { teamId } : {}) }, posted.ts);
      await shareAttachments(client, reply, { channel }, slackLog);
      return true;
    } catch (err) {
      const e = err as { code?: string; data?: { error?: string } };
      const refused = e.code === 'slack_webapi_platform_error' || e.code === 'slack_webapi_rate_limited_error';
      if (!refused) {
        slackLog.warn({ err, command: reply.command, channelId: channel }, 'could not post a slash-command answer');
        return true;
      }
      const error = e.data?.error ?? e.code;
      const log = error === 'not_in_channel' || error === 'channel_not_found' ? slackLog.info.bind(slackLog) : slackLog.warn.bind(slackLog);
      log({ command: reply.command, channelId: channel, error }, 'the answer goes through the response_url, unrecorded: Slack refused to post it as the bot');
      return false;
    }
  };

  const answerEvent = async (
    client: webApi.WebClient,
    reply: Reply,
    where: { channel: string; user: string; threadTs?: string; dm: boolean; teamId?: string },
  ): Promise<void> => {
    const message = render(reply);
    const thread = where.threadTs ? { thread_ts: where.threadTs } : {};
    try {
      if (reply.visibility === 'ephemeral' && !where.dm) {
        await client.chat.postEphemeral({
          channel: where.channel,
          user: where.user,
          ...thread,
          ...message,
          parse: 'none',
          link_names: false,
        });
      } else {
        const posted = await client.chat.postMessage({ channel: where.channel, ...thread, ...message, ...SAFE_MESSAGE_OPTIONS });
        if (posted.ts && reply.entries?.length && !where.dm) recordAnswer(reply, where, posted.ts);
        // The chart after the answer, in the same place (the thread, when asked in one).
        await shareAttachments(client, reply, { channel: where.channel, ...(where.threadTs ? { threadTs: where.threadTs } : {}) }, slackLog);
      }
    } catch (err) {
      slackLog.warn({ err, command: reply.command, channelId: where.channel }, 'could not answer a message');
    }
  };

  // What a public answer in a channel carried, for corrections later; a failure costs only those.
  const recordAnswer = (reply: Reply, where: { channel: string; threadTs?: string; teamId?: string }, ts: string) => {
    bot.services.posts
      ?.recordPost({
        platform: 'slack',
        channelId: where.channel,
        messageId: ts,
        threadOf: where.threadTs ?? null,
        workspaceId: where.teamId ?? null,
        kind: 'answer',
        lang: reply.lang ?? 'en',
        postedAt: Date.now(),
        entryKeys: reply.entries ?? [],
      })
      .catch((err: unknown) => slackLog.warn({ err, channelId: where.channel }, 'could not record the entries an answer carried'));
  };

  // "@Niger Watch how many French troops are left?" — answered in a thread under the question (or in the thread it
  // was asked in), where follow-ups are read in its context.
  app.event('app_mention', async ({ event, body, context, client }) => {
    if (!event.user || !(await firstDelivery(body.event_id))) return;
    const text = incomingText(event.text, context.botUserId);
    const teamId = body.team_id ?? context.teamId;
    const threadTs = event.thread_ts ?? event.ts;
    const reply = await bot.handleText(text, caller(event.user, event.channel, teamId, client, false, threadTs));
    await answerEvent(client, reply, { channel: event.channel, user: event.user, threadTs, dm: false, ...(teamId ? { teamId } : {}) });
    notifyEditors(client, reply, event.user);
  });

  // Direct messages to the bot, answered in a thread under each; and, in channels, a follow-up in a thread the bot
  // answered in ("and in 2024?") without mentioning it. Bolt already drops the bot's own messages (ignoreSelf).
  app.event('message', async ({ event, body, context, client }) => {
    if ('subtype' in event && event.subtype !== undefined) return;
    if (!('user' in event) || !event.user || !('text' in event) || typeof event.text !== 'string') return;
    if ('bot_id' in event && event.bot_id) return;
    const dm = event.channel_type === 'im';
    const threadTs = 'thread_ts' in event && typeof event.thread_ts === 'string' ? event.thread_ts : undefined;
    // A mention arrives as app_mention too, and is answered there.
    const mentioned = context.botUserId !== undefined && event.text.includes(`<@${context.botUserId}>`);
    if (!dm && (!threadTs || mentioned || (event.channel_type !== 'channel' && event.channel_type !== 'group'))) return;
    const teamId = body.team_id ?? context.teamId;
    const where = threadTs ?? event.ts;
    // Every message of every channel the bot is in arrives here: those outside a thread it answered in cost nothing.
    if (!dm && !bot.hasConversation(threadKey(teamId, event.channel, where))) return;
    if (!(await firstDelivery(body.event_id))) return;
    const text = incomingText(event.text, context.botUserId);
    const who = caller(event.user, event.channel, teamId, client, false, where);
    const reply = dm ? await bot.handleText(text, who) : await bot.followUpIn(text, who);
    if (!reply) return;
    await answerEvent(client, reply, { channel: event.channel, user: event.user, threadTs: where, dm, ...(teamId ? { teamId } : {}) });
    notifyEditors(client, reply, event.user);
  });

  // The app was removed from a workspace, or its bot token revoked (Slack sends both on uninstall): the
  // installation is forgotten and the workspace's digests go off with the reason in their history. Bolt
  // runs these without authorize (there is no token left to find).
  const uninstalled = async (key: { teamId?: string; enterpriseId?: string; isEnterpriseInstall?: boolean }, reason: string) => {
    if (!installations || !key.teamId) return;
    const at = { teamId: key.teamId, enterpriseId: key.enterpriseId ?? null, isEnterpriseInstall: key.isEnterpriseInstall ?? false };
    try {
      await installations.uninstall(at, reason);
    } catch (err) {
      slackLog.error({ err, teamId: key.teamId }, `could not forget the Slack installation of ${describeKey(at)}`);
    }
  };
  const workspaceOf = (
    body: { team_id?: string; enterprise_id?: string },
    context: { teamId?: string; enterpriseId?: string; isEnterpriseInstall?: boolean },
  ) => ({
    teamId: body.team_id ?? context.teamId,
    enterpriseId: body.enterprise_id ?? context.enterpriseId,
    isEnterpriseInstall: context.isEnterpriseInstall,
  });
  app.event('app_uninstalled', async ({ body, context }) => {
    await uninstalled(workspaceOf(body, context), `the Slack app was uninstalled from the workspace on ${day(Date.now())}`);
  });
  app.event('tokens_revoked', async ({ event, body, context }) => {
    // Only the bot's token matters: the app asks for no user tokens.
    if (!event.tokens.bot?.length) return;
    await uninstalled(workspaceOf(body, context), `the Slack bot token was revoked on ${day(Date.now())}`);
  });

  /** A new proposal's review post, with its buttons: into the editors' channel, else the proposer's DM. */
  const notifyEditors = (client: webApi.WebClient, reply: Reply, userId: string): void => {
    if (reply.notify?.audience !== 'editors') return;
    const channel = config.editorChannelId ?? userId;
    void client.chat
      .postMessage({ channel, ...render(reply.notify.reply), ...SAFE_MESSAGE_OPTIONS })
      .catch((err: unknown) => slackLog.warn({ err, channelId: channel }, 'could not post a proposal for review'));
  };

  /**
   * Opens a form as a modal. `where` travels in private_metadata with the form: the response_url to answer the
   * submitter through, and the message a successful submission replaces. False: Slack refused it (logged).
   */
  const openForm = async (client: webApi.WebClient, triggerId: string, form: ReplyForm, where: FormWhere): Promise<boolean> => {
    try {
      const meta = JSON.stringify({ ...where, f: encodeForm(form) });
      await client.views.open({ trigger_id: triggerId, view: renderModal(form, meta) });
      return true;
    } catch (err) {
      slackLog.warn({ err, command: form.command }, 'could not open a form');
      return false;
    }
  };
  // The App Home (app_home_opened, its buttons): see home.ts.
  const home = registerHome(app, { bot, log: slackLog, caller, openForm });
  const formFailed = (reply: Reply): Reply => errorReply(reply.command, t(reply.lang ?? 'en', 'form.unknownAction'), undefined, reply.lang);

  /** Answers the person who pressed or submitted, alone, through the interaction's response_url. */
  const tellPresser = (responseUrl: string | undefined, reply: Reply): Promise<void> =>
    respondWith(responseUrl, reply, { response_type: 'ephemeral', replace_original: false });

  /** Posts a reply through an interaction's response_url: to the presser alone, into the channel, or in place. */
  const respondWith = async (
    responseUrl: string | undefined,
    reply: Reply,
    how: { response_type?: 'ephemeral' | 'in_channel'; replace_original: boolean },
  ): Promise<void> => {
    if (!responseUrl || !/^https?:\/\//.test(responseUrl)) return;
    try {
      const res = await fetch(responseUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ...how, ...render(reply), ...SAFE_MESSAGE_OPTIONS }),
      });
      if (!res.ok) slackLog.warn({ status: res.status, command: reply.command }, 'the response_url refused an answer');
    } catch (err) {
      slackLog.warn({ err, command: reply.command }, 'could not answer through the response_url');
    }
  };

  /** The outcome replaces the message whose button was pressed (its buttons go with it). */
  const replaceMessage = async (client: webApi.WebClient, channel: string, ts: string, reply: Reply, quiet = false): Promise<boolean> => {
    try {
      // Like every post: Slack reads no mention, link or name in the text fallback.
      await client.chat.update({ channel, ts, ...render(reply), parse: 'none', link_names: false });
      return true;
    } catch (err) {
      if (!quiet) slackLog.warn({ err, channelId: channel }, 'could not update a message with its outcome');
      return false;
    }
  };

  /**
   * The answer replaces the message it came from: chat.update for a message in the channel; a message only its asker
   * sees (a slash command's answer, an ephemeral reply) can be replaced only through the response_url.
   */
  const replaceAnswer = async (client: webApi.WebClient, body: BlockAction, reply: Reply): Promise<void> => {
    const channel = body.channel?.id ?? body.container?.channel_id ?? '';
    const ts = body.message?.ts ?? body.container?.message_ts;
    // A slash command's answer posted in the channel is not the bot's own message to chat.update: when Slack refuses,
    // the response_url replaces it.
    if (!body.container?.is_ephemeral && ts && channel && (await replaceMessage(client, channel, ts, reply, true))) return;
    // No response_type: the message replaced keeps who sees it (the channel, or the asker alone).
    await respondWith(body.response_url, reply, { replace_original: true });
  };

  // One of our elements was used (a review post's Approve or Reject, an answer's As of…, History, Sources, Share,
  // feedback): acknowledged at once — Slack wants it within 3 s — then the core runs its action as the presser, with
  // the preconditions and validation of typing it.
  const pressed = async (client: webApi.WebClient, body: BlockAction, encoded: string, picked?: string): Promise<void> => {
    const channel = body.channel?.id ?? body.container?.channel_id ?? '';
    const ts = body.message?.ts ?? body.container?.message_ts;
    const who = caller(body.user.id, channel, body.team?.id ?? undefined, client, true);
    const { reply, replaces, toChannel } = await bot.press(encoded, who, picked);
    if (reply.form) {
      const opened = await openForm(client, body.trigger_id, reply.form, { r: body.response_url, ...(reply.form.replaces && ts ? { c: channel, t: ts } : {}) });
      if (!opened) await tellPresser(body.response_url, formFailed(reply));
    } else if (reply.kind !== 'error' && toChannel) {
      // Share in channel: the answer, as everyone sees it, posted in the channel; the asker's copy stays theirs. One
      // that names entries goes out as the bot's own message, recorded for corrections, as a slash command's does.
      const recorded =
        bot.services.posts &&
        reply.entries?.length &&
        channel &&
        !channel.startsWith('D') &&
        (await postAnswer(client, reply, channel, body.team?.id ?? undefined));
      if (!recorded) await respondWith(body.response_url, reply, { response_type: 'in_channel', replace_original: false });
    } else if (reply.kind !== 'error' && replaces) {
      await replaceAnswer(client, body, reply);
      // A message carries no files: a public answer's chart (History) follows it into the channel, as after a command.
      if (reply.attachments?.length && reply.visibility === 'public' && channel) await shareAttachments(client, reply, { channel }, slackLog);
    } else {
      await tellPresser(body.response_url, reply);
    }
  };
  app.action<BlockAction<ButtonAction>>(new RegExp(`^${ACTION_ID_PREFIX}`), async ({ ack, body, action, client }) => {
    await ack();
    await pressed(client, body, action.value ?? '');
  });
  // As of…: a date picker carries its action in its action_id (it has no value); the day picked is `selected_date`.
  app.action<BlockAction<DatepickerAction>>(new RegExp(`^${PICKER_ID_PREFIX}`), async ({ ack, body, action, client }) => {
    await ack();
    await pressed(client, body, action.action_id.slice(PICKER_ID_PREFIX.length), action.selected_date ?? '');
  });
  app.action<BlockAction<FeedbackButtonsAction>>(FEEDBACK_ID, async ({ ack, body, action, client }) => {
    await ack();
    await pressed(client, body, action.value ?? '');
  });
  // A link button opens its URL in the browser; Slack still tells the app, which has nothing to do but ack.
  app.action(new RegExp(`^${LINK_ID_PREFIX}`), async ({ ack }) => {
    await ack();
  });

  // A modal of ours was submitted: the core validates its fields with the command's own schema. Mistakes are shown
  // at their fields (`response_action: errors`) and the modal stays open; nothing was stored.
  app.view(FORM_CALLBACK_ID, async ({ ack, body, view, client }) => {
    let where: FormWhere & { f?: string };
    try {
      where = JSON.parse(view.private_metadata || '{}') as FormWhere & { f?: string };
    } catch {
      where = {};
    }
    const form = decodeForm(where.f);
    const first = view.blocks.find((b) => b.type === 'input')?.block_id ?? '';
    const values: Record<string, string | null> = {};
    for (const [blockId, inputs] of Object.entries(view.state.values)) values[blockId] = Object.values(inputs)[0]?.value ?? null;
    const who = caller(body.user.id, where.c ?? '', body.team?.id ?? undefined, client);
    const { reply, fieldErrors } = form ? await bot.submitForm(form, values, who) : { reply: formFailed(errorReply('form', '')), fieldErrors: undefined };
    if (fieldErrors && Object.keys(fieldErrors).length) {
      await ack({ response_action: 'errors', errors: slackFieldErrors(fieldErrors) });
      return;
    }
    if (reply.kind === 'error' && first) {
      // A refusal no field owns (a database outage, a permission): shown in the modal, which stays open.
      await ack({ response_action: 'errors', errors: slackFieldErrors({ [first]: reply.body }) });
      return;
    }
    await ack();
    if (where.h) await home.done(client, body.user.id, body.team?.id ?? undefined, reply);
    else if (reply.kind !== 'error' && form?.replaces && where.c && where.t) await replaceMessage(client, where.c, where.t, reply);
    else await tellPresser(where.r, reply);
    if (reply.kind !== 'error') notifyEditors(client, reply, body.user.id);
  });

  app.error(async (err) => {
    slackLog.error({ err }, 'Slack listener failed');
  });

  // Digest posts go through a client that never retries by itself (see SlackPoster).
  const makeClients = (token: string | undefined, read?: webApi.WebClient): SlackClients => ({
    post: new webApi.WebClient(token, { ...clientOptions, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true, logger }),
    read: read ?? new webApi.WebClient(token, { ...clientOptions, logger }),
  });
  const poster = new SlackPoster(installer ? workspaceClients(installer, makeClients) : singleWorkspace(makeClients(config.botToken, app.client)), slackLog);
  let started = false;
  let boundPort: number | undefined;

  return {
    app,
    poster,
    mode: config.mode,
    port: () => boundPort,
    connected() {
      if (!started) return false;
      if (!socket) return boundPort !== undefined;
      // Bolt keeps its Socket Mode receiver to itself; its client's WebSocket says whether we are connected.
      const client = (app as unknown as { receiver?: { client?: { websocket?: { isActive(): boolean } } } }).receiver?.client;
      return client?.websocket?.isActive() ?? false;
    },
    async start() {
      try {
        await app.init();
      } catch (err) {
        const code = (err as { data?: { error?: string } }).data?.error;
        throw new SlackStartError(
          code
            ? `Cannot start Slack: auth.test answered "${code}". Check SLACK_BOT_TOKEN (the xoxb- bot token of the installed app).`
            : `Cannot start Slack: could not reach the Slack Web API${config.apiUrl ? ' at SLACK_API_URL' : ''} (${(err as Error).message}).`,
          { cause: err },
        );
      }
      try {
        if (!receiver) {
          await app.start();
          slackLog.info({ mode: 'socket' }, 'Slack adapter connected (Socket Mode)');
        } else {
          const port = options.port ?? config.port;
          const server = await receiver.start({ port, ...(options.host ? { host: options.host } : {}) });
          boundPort = (server.address() as AddressInfo | null)?.port ?? port;
          slackLog.info(
            { mode: 'http', port: boundPort, path: '/slack/events', ...(installer ? { install: ['/slack/install', '/slack/oauth_redirect'] } : {}) },
            installer ? 'Slack adapter listening (HTTP; installs in any workspace through /slack/install)' : 'Slack adapter listening (HTTP)',
          );
        }
      } catch (err) {
        const code = (err as { code?: string; data?: { error?: string } }).data?.error ?? (err as { code?: string }).code;
        throw new SlackStartError(
          socket
            ? `Cannot start Slack in Socket Mode: ${code ?? (err as Error).message}. Check SLACK_APP_TOKEN (an xapp- token with connections:write).`
            : `Cannot start Slack HTTP receiver on port ${options.port ?? config.port}: ${code ?? (err as Error).message}. Check PORT.`,
          { cause: err },
        );
      }
      started = true;
    },
    async stop() {
      if (!started) return;
      started = false;
      await app.stop();
      slackLog.info('Slack adapter stopped');
    },
  };
}

/** Creates and starts the Slack adapter (the composition root's entry point). */
export async function startSlack(bot: Bot, config: SlackConfig, log: Logger, options: SlackAppOptions = {}): Promise<SlackAdapter> {
  const slack = createSlackApp(bot, config, log, options);
  await slack.start();
  return slack;
}

/** The Slack adapter as main.ts runs it (see Adapter): built at start, so a bad setting fails the start. */
export function slackAdapter(bot: Bot, config: SlackConfig, log: Logger, options: SlackAppOptions = {}): Adapter {
  let slack: SlackAdapter | undefined;
  return {
    platform: 'slack',
    async start() {
      slack = await startSlack(bot, config, log, options);
    },
    stop: async () => slack?.stop(),
    poster: () => slack!.poster,
    ready: () => slack?.connected() ?? false,
  };
}

/** A Slack thread as a conversation key: unique across workspaces and channels. */
function threadKey(teamId: string | undefined, channelId: string, threadTs: string): string {
  return `slack:${teamId ?? ''}:${channelId}:${threadTs}`;
}

function singleWorkspace(clients: SlackClients): ClientsFor {
  return () => clients;
}

/** Clients per bot token seen (a reinstall brings a new token and so new clients); the oldest are dropped beyond this. */
const MAX_WORKSPACE_CLIENTS = 1000;

/**
 * Installed in several workspaces: the digest of a channel goes out with its workspace's token, looked up the
 * way Bolt looks up a request's (the installer's authorize, which also refreshes a rotated token).
 */
function workspaceClients(installer: InstallProvider, make: (token: string) => SlackClients): ClientsFor {
  const byToken = new Map<string, SlackClients>();
  return async (target: DeliveryTarget | undefined) => {
    const teamId = target?.workspaceId;
    if (!teamId) throw new DeliveryError('channel_gone', 'Slack: the subscription records no workspace, so there is no token to post with');
    let token: string | undefined;
    try {
      token = (await installer.authorize({ teamId, enterpriseId: undefined, isEnterpriseInstall: false })).botToken;
    } catch (err) {
      const cause = err instanceof AuthorizationError ? err.original : err;
      if (cause instanceof NotInstalledError) throw new DeliveryError('channel_gone', `Slack: ${cause.message}`);
      throw new DeliveryError('transient', `Slack: could not read the installation of workspace ${teamId}: ${(cause as Error)?.message ?? String(cause)}`);
    }
    if (!token) throw new DeliveryError('channel_gone', `Slack: the installation of workspace ${teamId} has no bot token`);
    let clients = byToken.get(token);
    if (!clients) {
      clients = make(token);
      byToken.set(token, clients);
      if (byToken.size > MAX_WORKSPACE_CLIENTS) byToken.delete(byToken.keys().next().value!);
    }
    return clients;
  };
}

/** Where a modal came from: the response_url to answer through (`r`), the message to replace (`c` channel, `t` ts). */
interface FormWhere {
  r?: string;
  c?: string;
  t?: string;
  /** Opened from the App Home: the outcome goes to the user's DM and the Home is published again. */
  h?: 1;
}

/** Slack shows a block's error under its input; it takes plain text, and each one short. */
function slackFieldErrors(errors: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(errors).map(([k, v]) => [k, v.length > 500 ? `${v.slice(0, 499)}…` : v]));
}

/** The shared record under a key prefix of its own, so event ids and signatures never collide. */
function prefixed(seen: SeenIds | undefined, prefix: string): SeenIds | undefined {
  return seen && { recordSeen: (id, now, ttlMs) => seen.recordSeen(prefix + id, now, ttlMs) };
}
