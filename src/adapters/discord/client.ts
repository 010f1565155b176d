import { performance } from 'node:perf_hooks';
import {
  Client,
  Events,
  PermissionFlagsBits,
  GatewayIntentBits,
  InteractionResponseType,
  MessageFlags,
  RESTEvents,
  Routes,
  Status,
  type APIEmbed,
  type AutocompleteInteraction,
  type ButtonInteraction,
  type StringSelectMenuInteraction,
  type ChatInputCommandInteraction,
  type InteractionUpdateOptions,
  type ModalSubmitInteraction,
  type ClientOptions,
  type Interaction,
  type InteractionEditReplyOptions,
  type InteractionReplyOptions,
  type JSONEncodable,
} from 'discord.js';
import { AdapterStartError, type Adapter } from '../../core/adapter.ts';
import { errorReply, type Bot } from '../../core/bot.ts';
import type { Caller } from '../../core/command.ts';
import { languageOf, t } from '../../core/i18n.ts';
import { decodeAction, decodeForm, renderedOnce, type Reply } from '../../core/reply.ts';
import { settleWithin } from '../../core/settle-within.ts';
import type { DiscordConfig } from '../../config.ts';
import { maskSecrets, type Logger } from '../../logger.ts';
import { buildCommands, countryChoices, diffCommands, isUnchanged, pathPrefix, ROOT_COMMAND, type RemoteCommand } from './definitions.ts';
import { canManageChannel, isEditor, readInvocation } from './interaction.ts';
import { DiscordPoster } from './poster.ts';
import { DISCORD_FORMS, NO_MENTIONS, renderModal, renderReply, withAttachments, type DiscordFile, type DiscordMessage } from './render.ts';
import { describeDiscordError, discordRestOptions, scrubUrl, type DiscordRestSettings } from './rest.ts';

export interface DiscordAdapterOptions extends DiscordRestSettings {
  /**
   * Answer at once when the core is faster than this; otherwise acknowledge with a deferred response first
   * and edit it when the answer is ready. Discord allows 3 s for the first response. Default 1,500 ms.
   */
  deferAfterMs?: number;
  /**
   * How long to wait for the gateway's READY before giving up, counted again from each shard that becomes ready
   * (shards identify one after another, 5 s apart per `max_concurrency` bucket). Default 60 s.
   */
  readyTimeoutMs?: number;
  /** Warn at start when the registered /niger differs from the definitions. Default true. */
  checkRegistration?: boolean;
}

export interface DiscordAdapter {
  client: Client;
  /** Posts into channels on the bot's own initiative (digests). */
  poster: DiscordPoster;
  /** Every gateway shard is ready (for /readyz); false while any of them reconnects, and after stop. */
  connected(): boolean;
  stop(): Promise<void>;
}

/** An interaction callback's answer with `with_response=true` (nothing without it: 204). */
type CallbackResponse = { resource?: { message?: { id?: string } } } | undefined;

const MAX_CHOICES = 25;
const MAX_CHOICE_TEXT = 100;

/**
 * Starts the Discord adapter: a discord.js client (Guilds intent only) that answers `/niger …` interactions
 * with the core and offers autocomplete for options that name a country, person, place, topic or time zone.
 * It only translates: interaction → (path, options, caller) → Bot.run → Reply → embeds.
 */
export async function startDiscord(bot: Bot, config: DiscordConfig, log: Logger, options: DiscordAdapterOptions = {}): Promise<DiscordAdapter> {
  const deferAfterMs = options.deferAfterMs ?? 1500;
  const client = new Client({
    intents: [GatewayIntentBits.Guilds],
    allowedMentions: NO_MENTIONS,
    rest: discordRestOptions(config, options),
    ...shardOptions(config.shards),
  });
  const dlog = log.child({ platform: 'discord' });
  const hide = (text: string) => scrubUrl(maskSecrets(text.split(config.token).join('[redacted]')));

  // An unhandled 'error' event would crash the process.
  client.on(Events.Error, (err) => dlog.error({ err: describeDiscordError(err) }, 'Discord client error'));
  client.on(Events.Warn, (message) => dlog.warn({ message: hide(message) }, 'Discord warning'));
  client.on(Events.ShardDisconnect, (event, shardId) => dlog.warn({ code: event.code, shardId }, 'Discord gateway disconnected'));
  client.on(Events.ShardReconnecting, (shardId) => dlog.info({ shardId }, 'Discord gateway reconnecting'));
  client.on(Events.ShardResume, (shardId, replayed) => dlog.info({ shardId, replayed }, 'Discord gateway resumed'));
  client.on(Events.ShardReady, (shardId, unavailable) =>
    dlog.info({ shardId, ...(unavailable?.size ? { unavailableGuilds: unavailable.size } : {}) }, 'Discord shard ready'),
  );
  client.on(Events.ShardError, (err, shardId) => dlog.warn({ err: describeDiscordError(err), shardId }, 'Discord gateway error'));
  client.rest.on(RESTEvents.RateLimited, (info) =>
    dlog.warn({ route: info.route, method: info.method, retryAfter: info.retryAfter, global: info.global, scope: info.scope }, 'Discord rate limit'),
  );
  // discord.js debug output is verbose and carries URLs with interaction tokens: only at debug level, scrubbed.
  if (dlog.isLevelEnabled('debug')) {
    client.on(Events.Debug, (message) => dlog.debug({ message: hide(message) }, 'discord.js'));
    client.rest.on(RESTEvents.Debug, (message) => dlog.trace({ message: hide(message) }, 'discord.js REST'));
  }

  client.on(Events.InteractionCreate, (interaction) => {
    void handleInteraction(interaction).catch((err: unknown) =>
      dlog.warn({ err: describeDiscordError(err), interactionId: interaction.id }, 'Discord interaction failed'),
    );
  });

  const render = renderedOnce((reply: Reply) => renderReply(reply).message);
  // The interaction response as bytes: a shared answer (the same for everyone who asks it today) is
  // serialized once instead of once per asker, which is most of what a reply costs discord.js.
  const responseBody = renderedOnce((reply: Reply) =>
    Buffer.from(JSON.stringify({ type: InteractionResponseType.ChannelMessageWithSource, data: render(reply) })),
  );

  async function handleInteraction(interaction: Interaction): Promise<void> {
    if (interaction.isAutocomplete()) return autocomplete(interaction);
    if (interaction.isChatInputCommand()) return command(interaction);
    if (interaction.isButton() || interaction.isStringSelectMenu()) return pressed(interaction);
    if (interaction.isModalSubmit()) return submitted(interaction);
  }

  /** A reply that is a form opens as a modal (the first response, type 9); one that cannot be a modal is refused. */
  async function showForm(interaction: ChatInputCommandInteraction | ButtonInteraction | StringSelectMenuInteraction, reply: Reply): Promise<void> {
    const modal = reply.form && renderModal(reply.form);
    if (modal) {
      await interaction.showModal(modal);
      return;
    }
    dlog.warn({ command: reply.form?.command }, 'a form does not fit a Discord modal');
    await interaction.reply(replyOptions(render(errorReply(reply.command, t(reply.lang ?? 'en', 'form.unknownAction'), undefined, reply.lang))));
  }

  /**
   * A new proposal's review post, with its buttons: into the editors' channel (DISCORD_EDITOR_CHANNEL_ID), else the
   * proposer's DM (POST /users/@me/channels, then the message), through discord.js's REST client.
   */
  function notifyEditors(reply: Reply, userId: string): void {
    if (reply.notify?.audience !== 'editors') return;
    const review = reply.notify.reply;
    void (async () => {
      const channelId = config.editorChannelId ?? ((await client.rest.post(Routes.userChannels(), { body: { recipient_id: userId } })) as { id: string }).id;
      const { flags: _flags, ...message } = render(review);
      await client.rest.post(Routes.channelMessages(channelId), { body: message });
    })().catch((err: unknown) => dlog.warn({ err: describeDiscordError(err) }, 'could not post a proposal for review'));
  }

  // A button or select of ours (a review post's Approve or Reject, an answer's As of…, History, Sources, Share,
  // feedback): the core runs its action as the presser, with the preconditions and validation of typing it. Errors
  // go to the presser alone; an outcome replaces the message (type 7); Share posts the answer for everyone. Discord
  // wants a response within 3 s: an answer not ready in time is acknowledged first (deferUpdate, or a private
  // "thinking…") and sent by editing that response.
  async function pressed(interaction: ButtonInteraction | StringSelectMenuInteraction): Promise<void> {
    const picked = interaction.isStringSelectMenu() ? interaction.values[0] : undefined;
    const pressing = bot.press(interaction.customId, callerFor(interaction, config.editorRoleId), picked);
    const early = await settleWithin(pressing, deferAfterMs);
    if (early) {
      const { reply, replaces, toChannel } = early;
      if (reply.form) return showForm(interaction, reply);
      // A History answer brings its chart; where the bot may not attach files, the text alone (as for commands).
      const mayAttach = interaction.appPermissions?.has(PermissionFlagsBits.AttachFiles) ?? true;
      const { message, files } = mayAttach ? withAttachments(render(reply), reply) : { message: render(reply), files: [] };
      if (reply.kind !== 'error' && replaces) await interaction.update({ ...updateOptions(message), ...discordFiles(files) });
      else if (reply.kind !== 'error' && toChannel) {
        // A shared answer is an answer in the channel: recorded for corrections like one to a command.
        const sent = await interaction.reply({ ...replyOptions(message), ...discordFiles(files), withResponse: true });
        const id = sent.resource?.message?.id;
        if (id && carries(reply)) recordAnswer(interaction, reply, id);
      } else await interaction.reply(replyOptions(render({ ...reply, visibility: 'ephemeral' })));
      return;
    }
    // Too slow for one response: acknowledged as the action says it will answer (it says whether it replaces the
    // message or is shared), then edited in. A form can no longer open.
    const action = decodeAction(interaction.customId);
    const replacing = action?.replaces === true;
    const sharing = action?.kind === 'share';
    if (replacing) await interaction.deferUpdate();
    else if (sharing) await interaction.deferReply();
    else await interaction.deferReply({ flags: MessageFlags.Ephemeral });
    const { reply, replaces, toChannel } = await pressing;
    const shown = reply.form ? errorReply(reply.command, t(reply.lang ?? 'en', 'form.tooSlow'), undefined, reply.lang) : reply;
    const failed = shown.kind === 'error' || (replacing && !replaces) || (sharing && !toChannel);
    if (failed && (replacing || sharing)) {
      // The acknowledgement promised a public outcome: a refusal goes to the presser alone instead.
      if (sharing) await interaction.deleteReply();
      await interaction.followUp(replyOptions(render({ ...shown, visibility: 'ephemeral' })));
      return;
    }
    const edited = await interaction.editReply(editOptions(render(shown)));
    if (sharing && carries(shown)) recordAnswer(interaction, shown, edited.id);
  }

  // A modal of ours was submitted: the core validates the fields with the command's own schema. Mistakes, by field,
  // go to the submitter alone and nothing is stored (a Discord modal cannot stay open with errors).
  async function submitted(interaction: ModalSubmitInteraction): Promise<void> {
    const form = decodeForm(interaction.customId);
    const values: Record<string, string> = {};
    for (const [name, field] of interaction.fields.fields) if ('value' in field && typeof field.value === 'string') values[name] = field.value;
    const who = callerFor(interaction, config.editorRoleId);
    const { reply, fieldErrors } = form
      ? await bot.submitForm(form, values, who)
      : {
          reply: errorReply('form', t(languageOf(interaction.locale), 'form.unknownAction'), undefined, languageOf(interaction.locale)),
          fieldErrors: undefined,
        };
    if (fieldErrors && Object.keys(fieldErrors).length) {
      // The core's reply names each field at fault, as the submitter saw it labelled.
      await interaction.reply(replyOptions(render(reply)));
      return;
    }
    if (reply.kind !== 'error' && form?.replaces && interaction.isFromMessage()) {
      await interaction.update(updateOptions(render(reply)));
      return;
    }
    await interaction.reply(replyOptions(render({ ...reply, visibility: 'ephemeral' })));
    if (reply.kind !== 'error') notifyEditors(reply, interaction.user.id);
  }

  async function autocomplete(interaction: AutocompleteInteraction): Promise<void> {
    const prefix = pathPrefix(interaction.commandName);
    if (prefix === undefined) return interaction.respond([]);
    const inv = readInvocation(interaction.options.data, prefix);
    const focused = inv.focused ?? { name: interaction.options.getFocused(true).name, value: String(interaction.options.getFocused()) };
    let offered: string[] = [];
    try {
      offered = bot.complete(inv.path, focused.name, focused.value);
    } catch (err) {
      // Autocomplete must always answer: an empty list rather than Discord's "loading options failed".
      dlog.warn({ err: describeDiscordError(err), path: inv.path, option: focused.name }, 'autocomplete failed');
    }
    const choices = offered
      .filter((c) => c.length > 0 && c.length <= MAX_CHOICE_TEXT)
      .slice(0, MAX_CHOICES)
      .map((c) => ({ name: c, value: c }));
    await interaction.respond(choices);
  }

  /** A public answer in a guild channel naming entries a later correction may follow. */
  const carries = (reply: Reply) => Boolean(bot.services.posts && reply.entries?.length && reply.visibility === 'public');
  // What it carried, for corrections later; a failure costs only those.
  const recordAnswer = (interaction: { guildId: string | null; channelId: string | null }, reply: Reply, messageId: string) => {
    if (!interaction.guildId || !interaction.channelId) return;
    bot.services.posts
      ?.recordPost({
        platform: 'discord',
        channelId: interaction.channelId,
        messageId,
        workspaceId: interaction.guildId,
        kind: 'answer',
        lang: reply.lang ?? 'en',
        postedAt: Date.now(),
        entryKeys: reply.entries ?? [],
      })
      .catch((err: unknown) => dlog.warn({ err, channelId: interaction.channelId }, 'could not record the entries an answer carried'));
  };

  async function command(interaction: ChatInputCommandInteraction): Promise<void> {
    const started = performance.now();
    // /niger-digest subscribe is the core's `digest subscribe`: the top-level command names the path's start.
    const prefix = pathPrefix(interaction.commandName);
    const inv = readInvocation(interaction.options.data, prefix);
    const answer: Promise<Reply> =
      prefix !== undefined
        ? bot.run(inv.path, inv.options, callerFor(interaction, config.editorRoleId))
        : Promise.resolve(
            errorReply(
              interaction.commandName,
              t(languageOf(interaction.locale), 'error.notOurCommand', { name: interaction.commandName, root: ROOT_COMMAND }),
              undefined,
              languageOf(interaction.locale),
            ),
          );
    const early = await settleWithin(answer, deferAfterMs);
    if (early?.form) return showForm(interaction, early);
    if (early) notifyEditors(early, interaction.user.id);
    // Where the bot may not attach files (`app_permissions` without Attach Files), the answer goes as text alone:
    // Discord would refuse the whole message otherwise.
    const mayAttach = interaction.appPermissions?.has(PermissionFlagsBits.AttachFiles) ?? true;
    const charted = (reply: Reply) => (mayAttach ? withAttachments(render(reply), reply) : { message: render(reply), files: [] });
    // An answer whose entries a correction may follow asks for the message back (with_response), to record its id.
    const record = early !== undefined && carries(early);
    const withResponse = record ? { query: new URLSearchParams({ with_response: 'true' }) } : {};
    if (mayAttach && early?.attachments?.length) {
      // With its chart: multipart, the message in payload_json and the PNG in files[0], as Discord takes uploads.
      const { message, files } = charted(early);
      const res = (await client.rest.post(Routes.interactionCallback(interaction.id, interaction.token), {
        body: { type: InteractionResponseType.ChannelMessageWithSource, data: message },
        files: files.map(({ name, data, contentType }) => ({ name, data, contentType })),
        auth: false,
        ...withResponse,
      })) as CallbackResponse;
      const id = res?.resource?.message?.id;
      if (record && id) recordAnswer(interaction, early, id);
    } else if (early) {
      // discord.js's own REST client (rate limits, retries, errors), given the ready-made body.
      const res = (await client.rest.post(Routes.interactionCallback(interaction.id, interaction.token), {
        body: responseBody(early),
        passThroughBody: true,
        headers: { 'Content-Type': 'application/json' },
        auth: false,
        ...withResponse,
      })) as CallbackResponse;
      const id = res?.resource?.message?.id;
      if (record && id) recordAnswer(interaction, early, id);
    } else {
      // Too slow for one response: acknowledge now ("thinking…"), answer by editing it.
      await interaction.deferReply();
      const answered = await answer;
      // A modal must be the first response: too late for one once deferred.
      const reply = answered.form ? errorReply(answered.command, t(answered.lang ?? 'en', 'form.tooSlow'), undefined, answered.lang) : answered;
      notifyEditors(reply, interaction.user.id);
      const { message, files } = charted(reply);
      if (reply.visibility === 'ephemeral') {
        // A deferred response is public; a private answer replaces it as an ephemeral follow-up.
        await interaction.deleteReply();
        await interaction.followUp({ ...replyOptions(message), ...discordFiles(files) });
      } else {
        const edited = await interaction.editReply({ ...editOptions(message), ...discordFiles(files) });
        if (carries(reply)) recordAnswer(interaction, reply, edited.id);
      }
    }
    dlog.debug({ path: inv.path, interactionId: interaction.id, ms: Math.round(performance.now() - started), deferred: !early }, 'answered');
  }

  // ClientReady comes once every shard is ready. A bot with many shards takes longer than any fixed time to get
  // there, so the time allowed runs from the last shard that made progress.
  const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
  const readyTimeoutMs = options.readyTimeoutMs ?? 60_000;
  let readyTimer: NodeJS.Timeout | undefined;
  let progress: (() => void) | undefined;
  try {
    await Promise.race([
      client.login(config.token).then(() => ready),
      new Promise((_, reject) => {
        progress = () => {
          clearTimeout(readyTimer);
          readyTimer = setTimeout(() => reject(new Error(`Discord did not become ready within ${readyTimeoutMs / 1000} s`)), readyTimeoutMs);
        };
        progress();
        client.on(Events.ShardReady, progress);
      }),
    ]);
  } catch (err) {
    await client.destroy().catch(() => undefined);
    throw startError(err, config);
  } finally {
    clearTimeout(readyTimer);
    if (progress) client.off(Events.ShardReady, progress);
  }
  dlog.info({ user: client.user?.tag, applicationId: config.applicationId, guildId: config.guildId, shards: client.ws.shards.size }, 'Discord connected');

  if (options.checkRegistration ?? true) {
    void (async () => {
      const route = config.guildId ? Routes.applicationGuildCommands(config.applicationId, config.guildId) : Routes.applicationCommands(config.applicationId);
      const existing = (await client.rest.get(route, { query: new URLSearchParams({ with_localizations: 'true' }) })) as RemoteCommand[];
      const diff = diffCommands(existing, buildCommands(bot.registry, { countries: countryChoices(bot.kb) }));
      if (!isUnchanged(diff)) dlog.warn({ diff }, 'Discord commands differ from the definitions: run `npm run discord:register`');
    })().catch((err: unknown) => dlog.warn({ err: describeDiscordError(err) }, 'Could not check the Discord command registration'));
  }

  let stopped = false;
  return {
    client,
    poster: new DiscordPoster(client.rest, dlog),
    // discord.js keeps the client "ready" while a shard reconnects: each shard's own status says whether it can
    // receive interactions now.
    connected: () => !stopped && client.isReady() && client.ws.shards.size > 0 && client.ws.shards.every((shard) => shard.status === Status.Ready),
    async stop() {
      if (stopped) return;
      stopped = true;
      await client.destroy();
      client.removeAllListeners(Events.InteractionCreate);
      dlog.info('Discord stopped');
    },
  };
}

/** The Discord adapter as main.ts runs it (see Adapter): logs in at start. */
export function discordAdapter(bot: Bot, config: DiscordConfig, log: Logger, options: DiscordAdapterOptions = {}): Adapter {
  let discord: DiscordAdapter | undefined;
  return {
    platform: 'discord',
    async start() {
      discord = await startDiscord(bot, config, log, options);
    },
    stop: async () => discord?.stop(),
    poster: () => discord!.poster,
    ready: () => discord?.connected() ?? false,
  };
}

/**
 * discord.js's own sharding, every shard in this process: `auto` takes Discord's recommended count from
 * GET /gateway/bot; a number n runs shards 0…n-1. Unset: discord.js's default, one shard.
 */
function shardOptions(shards: DiscordConfig['shards']): Pick<ClientOptions, 'shards' | 'shardCount'> {
  if (shards === undefined) return {};
  if (shards === 'auto') return { shards: 'auto' };
  return { shards: Array.from({ length: shards }, (_, id) => id), shardCount: shards };
}

/**
 * Who is asking, from where; channel permission and editorship are read from the member's bitfield and roles when
 * asked. Forms (modals) for commands and buttons; a modal's own submission cannot open another.
 */
function callerFor(
  interaction: ChatInputCommandInteraction | ButtonInteraction | StringSelectMenuInteraction | ModalSubmitInteraction,
  editorRoleId: string | undefined,
): Caller {
  const roles = interaction.inCachedGuild() ? [...interaction.member.roles.cache.keys()] : memberRoles(interaction.member);
  return {
    platform: 'discord',
    userId: interaction.user.id,
    channelId: interaction.channelId ?? '',
    workspaceId: interaction.guildId ?? undefined,
    ...(interaction.isModalSubmit() ? {} : { forms: DISCORD_FORMS }),
    canManageChannel: async () => interaction.inGuild() && canManageChannel(interaction.memberPermissions?.bitfield),
    isEditor: async () => interaction.inGuild() && isEditor(interaction.memberPermissions?.bitfield, roles, editorRoleId),
    // The user's client language ("fr", "de", "en-US"); the server's is what digests default to.
    locale: () => interaction.locale,
    ...(interaction.guildLocale ? { channelLocale: interaction.guildLocale } : {}),
  };
}

/**
 * The embeds as JSON-encodable objects: discord.js then sends them as they are, instead of walking each one
 * to convert camelCase keys (ours are already API JSON).
 */
function encodable(message: DiscordMessage): JSONEncodable<APIEmbed>[] {
  return message.embeds.map((embed) => ({ toJSON: () => embed }));
}

/** The roles of a member as the interaction gives them (an uncached guild: the API object's role ids). */
function memberRoles(member: unknown): string[] {
  const roles = (member as { roles?: unknown } | null)?.roles;
  return Array.isArray(roles) ? roles.filter((r): r is string => typeof r === 'string') : [];
}

/** The message a button or modal came from, replaced by its outcome (type 7); its buttons go unless it has new ones. */
function updateOptions(message: DiscordMessage): InteractionUpdateOptions {
  return { embeds: encodable(message), components: message.components ?? [], allowedMentions: NO_MENTIONS };
}

function replyOptions(message: DiscordMessage): InteractionReplyOptions {
  return {
    embeds: encodable(message),
    ...(message.components ? { components: message.components } : {}),
    allowedMentions: NO_MENTIONS,
    ...(message.flags ? { flags: MessageFlags.Ephemeral } : {}),
  };
}

/** Files as discord.js's message options take them; it names each in `attachments` with its description (alt text). */
function discordFiles(files: DiscordFile[]): { files?: { attachment: Buffer; name: string; description: string }[] } {
  return files.length ? { files: files.map((f) => ({ attachment: f.data, name: f.name, description: f.description })) } : {};
}

function editOptions(message: DiscordMessage): InteractionEditReplyOptions {
  return { embeds: encodable(message), ...(message.components ? { components: message.components } : {}), allowedMentions: NO_MENTIONS };
}

/** Discord could not be started (token refused, API unreachable, no READY): the message says what to check. */
export class DiscordStartError extends AdapterStartError {
  constructor(message: string) {
    super(message);
    this.name = 'DiscordStartError';
  }
}

function startError(err: unknown, config: DiscordConfig): DiscordStartError {
  const code = (err as { code?: unknown })?.code;
  if (code === 'TokenInvalid') return new DiscordStartError('Cannot start Discord: Discord refused DISCORD_TOKEN (401 Unauthorized).');
  const detail = describeDiscordError(err);
  const reason = String(detail.message ?? detail.name ?? 'unknown error');
  if (/fetch failed|ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT/i.test(`${reason} ${String(code ?? '')}`)) {
    return new DiscordStartError(
      `Cannot start Discord: cannot reach ${config.apiUrl ?? 'https://discord.com/api'} (${reason}). Check DISCORD_API_URL and the network.`,
    );
  }
  return new DiscordStartError(`Cannot start Discord: ${reason}`);
}
