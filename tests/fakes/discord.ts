/**
 * A local fake of Discord for tests and benchmarks: the REST API and a JSON gateway on 127.0.0.1, enough for
 * the real discord.js client to log in, receive interactions, answer them, post channel messages and
 * register commands — with no network.
 *
 *   const discord = await startFakeDiscord({ token, applicationId, heartbeatInterval: 200 });
 *   // client: new Client({ rest: { api: discord.apiUrl } }) — it finds the gateway through GET /gateway/bot
 *   const sent = discord.dispatchInteraction({ path: 'troops', options: { country: 'France' } });
 *   const { message } = await sent.result();          // the visible answer (reply, edited deferral or follow-up)
 *   discord.failNextChannelMessages(1, { kind: 'rate_limited', retryAfter: 0.2 });
 *   await discord.waitFor((r) => r.route === 'POST /channels/:id/messages' && r.status === 200);
 *   await discord.close();
 *
 * REST (under `/api/v10`): GET /gateway/bot, /gateway, /users/@me, /applications/@me; interaction callbacks
 * (204 with no content type; 404 code 10062 after the 3-second window; 400 code 40060 on a second
 * acknowledgement); webhooks (GET/PATCH/DELETE @original or a message id, POST follow-ups); channel messages
 * (nonce + enforce_nonce: a repeat within `nonceWindowMs` returns the first message; JSON, or multipart/form-data with
 * `payload_json` and `files[n]` as discord.js uploads attachments — the files' bytes are kept in `files` and the
 * message lists them in `attachments`; the same for interaction replies, follow-ups and edits); application commands
 * GET/PUT/POST/DELETE, global and per guild, validated like Discord. Every message body is checked against
 * Discord's limits; a violation is answered 400 code 50035 (Invalid Form Body), like Discord.
 *
 * Gateway (`/gateway`, JSON text frames): HELLO → IDENTIFY → READY, heartbeat ACKs, dispatches with increasing
 * `s`, RESUME (replays missed dispatches, then RESUMED), INVALID_SESSION for unknown sessions. Faults:
 * `stopAckingHeartbeats()`, `dropConnection()`, `sendReconnect()`, `holdShard()`, and `failNext(...)` for REST
 * responses.
 *
 * Sharding, as Discord does it: GET /gateway/bot recommends `shards` (default 1) with `max_concurrency`; each
 * IDENTIFY carries `shard: [id, count]` (none means [0, 1]; an id outside the count is closed with 4010) and gets
 * a session of its own. A shard's READY lists, as unavailable, only the `guilds` it owns —
 * `(guild_id >> 22) % count === id` — and a GUILD_CREATE follows for each. A dispatch about a guild (an
 * interaction, `dispatch` with a `guild_id`) goes to that guild's shard; DMs and the rest go to shard 0.
 * With the defaults (one shard, no guilds) the protocol is what it was before shards.
 *
 * Rate limits, when given: a per-channel message bucket (`channelMessageLimit`) and the global limit
 * (`globalLimit`), both answered with 429s as Discord answers them.
 *
 * Every REST request is recorded (`requests`, with parsed body and the status sent back), and every gateway
 * frame (`frames`); `waitFor` / `waitForFrame` resolve on a recorded item, so tests never sleep.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { WebSocketServer, WebSocket, type RawData } from 'ws';

// --- public types ------------------------------------------------------------------------------------

export interface FakeDiscordOptions {
  /** When set, bot routes must carry `Authorization: Bot <token>` and IDENTIFY/RESUME must send it. */
  token?: string;
  /** 17–19 digit snowflake. */
  applicationId?: string;
  botUserId?: string;
  botUsername?: string;
  /** HELLO's heartbeat_interval (ms). Discord uses 41,250; tests of zombie detection use ~200. */
  heartbeatInterval?: number;
  /** The window for the first interaction response (ms); later responses get 404 code 10062. Default 3,000. */
  interactionTimeoutMs?: number;
  /** How long a channel-message nonce is remembered with enforce_nonce (ms). Default 5 minutes. */
  nonceWindowMs?: number;
  /** Per-channel message bucket sent in X-RateLimit headers and enforced with 429s. Default: none. */
  channelMessageLimit?: { limit: number; windowMs: number };
  /**
   * Discord's global limit (50 requests per second per bot): requests authorised with the bot token beyond
   * `limit` in any `windowMs` (sliding) get a global 429. Interaction callbacks and webhooks are exempt, as on
   * Discord. Default: none.
   */
  globalLimit?: { limit: number; windowMs: number };
  /** The shard count GET /gateway/bot recommends (what `shards: 'auto'` uses). Default 1. */
  shards?: number;
  /**
   * `session_start_limit.max_concurrency`: how many shards may identify at once. discord.js waits 5 s between
   * identifies of shards in the same bucket (`id % max_concurrency`), so sharded tests set it to the shard count.
   * Default 1.
   */
  maxConcurrency?: number;
  /** The servers the bot is in: each is announced (READY, then GUILD_CREATE) on the shard that owns it. Default none. */
  guilds?: FakeGuild[];
}

export interface FakeGuild {
  id: string;
  name?: string;
  /** Text channels of the guild (ids). */
  channels?: string[];
  /** The server's language (`preferred_locale`). Default en-US. */
  locale?: string;
}

export interface RecordedRequest {
  /** Position in `requests` (0-based). */
  index: number;
  /** performance.now() when the request arrived. */
  at: number;
  method: string;
  /** Decoded path below `/api/v10`, without query: `/webhooks/123/tok/messages/@original`. */
  path: string;
  /** Method and path with ids and tokens generalised: `PATCH /webhooks/:app/:token/messages/@original`. */
  route: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  /** The JSON body (undefined when empty or not JSON); for multipart/form-data, its `payload_json`. */
  body: any;
  rawBody: string;
  /** The files of a multipart/form-data request (`files[n]` parts), bytes as received. */
  files?: ReceivedFile[];
  /** Status the fake answered with, and its JSON body (undefined for 204). */
  status: number;
  response: any;
  /** Set when the answer came from `failNext`. */
  injected?: string;
  /** Set when enforce_nonce returned an earlier message instead of posting. */
  deduplicated?: boolean;
  /** The interaction this request belongs to (callbacks and webhooks). */
  interactionId?: string;
}

export interface ReceivedFile {
  /** The form field: `files[0]`, `files[1]`… */
  field: string;
  filename: string;
  contentType: string;
  data: Buffer;
}

export interface GatewayFrame {
  at: number;
  direction: 'in' | 'out';
  connection: number;
  /** The shard id of the connection's session; undefined before it identified or resumed (IDENTIFY itself). */
  shard?: number;
  op: number;
  t?: string | null;
  s?: number | null;
  d?: any;
}

export type InjectedFailure =
  /** 429 with Retry-After (seconds, fractions allowed) and X-RateLimit-* headers. */
  | { kind: 'rate_limited'; retryAfter?: number; global?: boolean; scope?: 'user' | 'shared' | 'global' }
  /** 400 code 50035 Invalid Form Body. */
  | { kind: 'invalid' }
  /** 404 code 10003 Unknown Channel. */
  | { kind: 'unknown_channel' }
  /** 403 code 50001 Missing Access. */
  | { kind: 'missing_access' }
  /** 403 code 50013 Missing Permissions. */
  | { kind: 'missing_permissions' }
  /** 5xx with no Discord code (default 500). */
  | { kind: 'server_error'; status?: number }
  | { kind: 'custom'; status: number; body?: unknown; headers?: Record<string, string> };

export type OptionValue = string | number | boolean | { type: number; value: string | number | boolean };

export interface InteractionSpec {
  /** 'command' (type 2, default), 'autocomplete' (type 4), a button press ('component', type 3) or 'modal_submit' (type 5). */
  kind?: 'command' | 'autocomplete' | 'component' | 'modal_submit';
  /** component / modal_submit: the button's, select's or modal's custom_id. */
  customId?: string;
  /** component: the options chosen in a string select (component_type 3); absent: a button (component_type 2). */
  values?: string[];
  /** modal_submit: the text inputs' values by custom_id. */
  fields?: Record<string, string>;
  /** component (and a modal opened from one): the message the button is on, as Discord sends it. */
  message?: any;
  /** The member's role ids. */
  roles?: string[];
  /** The application command name (default "niger"). */
  command?: string;
  /** Subcommand path: "troops" or "digest subscribe" (group + subcommand). Omit for a command without subcommands. */
  path?: string;
  /** Leaf options; types are inferred (string 3, integer 4, number 10, boolean 5) unless given as {type, value}. */
  options?: Record<string, OptionValue>;
  /** Use these options verbatim instead of `path` + `options`. */
  rawOptions?: unknown[];
  /** For autocomplete: the option being typed. */
  focused?: string;
  guildId?: string;
  channelId?: string;
  userId?: string;
  username?: string;
  /** The member's permission bitfield in the channel (default: Send Messages etc., no Manage Channels). */
  permissions?: string | bigint;
  /** The bot's own permissions in the channel (`app_permissions`; default: all a bot usually has, Attach Files included). */
  appPermissions?: string | bigint;
  /** A DM with the bot: `user` instead of `member`, channel type 1, context 1. */
  dm?: boolean;
  locale?: string;
  /** The server's language (`guild_locale`, default en-US); none in a DM. */
  guildLocale?: string;
}

export interface DispatchedInteraction {
  id: string;
  token: string;
  payload: any;
  /** Sequence number of the INTERACTION_CREATE dispatch (in its shard's session). */
  seq: number;
  /** The shard it was dispatched on: the guild's, or 0 for a DM. */
  shard: number;
  /** performance.now() at dispatch. */
  at: number;
  /** Resolves when the interaction has its visible answer; see InteractionResult. */
  result(timeoutMs?: number): Promise<InteractionResult>;
}

export interface InteractionResult {
  /** The callback request (type 4 reply, 5 deferral, 8 autocomplete). */
  callback: RecordedRequest;
  /** Every request for this interaction so far (callback, edits, deletes, follow-ups). */
  requests: RecordedRequest[];
  deferred: boolean;
  /** The message the user sees (reply data, edited original, or the follow-up); undefined for autocomplete. */
  message?: any;
  /** True when the message is only visible to the user (flags 64). */
  ephemeral: boolean;
  /** Autocomplete choices. */
  choices?: { name: string; value: string | number }[];
  /** A modal opened (response type 9): its data. */
  modal?: any;
  /** The message the component was on was updated (response type 7); `message` is the update. */
  updated?: boolean;
}

export interface FakeDiscord {
  /** `http://127.0.0.1:PORT/api` — give it to discord.js as `rest.api` (DISCORD_API_URL). */
  apiUrl: string;
  gatewayUrl: string;
  port: number;
  applicationId: string;
  botUser: { id: string; username: string; discriminator: string; global_name: string; avatar: null; bot: true };
  /** Every REST request, in arrival order. */
  requests: RecordedRequest[];
  /** Every gateway frame in both directions. */
  frames: GatewayFrame[];
  /** Posted channel messages by channel id. */
  channelMessages(channelId: string): any[];
  /** Registered commands: `commands(undefined)` global, `commands(guildId)` for a guild. */
  commands(guildId?: string): any[];
  /**
   * Sends a dispatch to the session of the shard that owns `d.guild_id` (shard 0 without one), buffered for
   * RESUME when no socket is open. Returns its `s`.
   */
  dispatch(t: string, d: unknown): number;
  /** Builds and dispatches an INTERACTION_CREATE (or dispatches `payload` as given). */
  dispatchInteraction(spec: InteractionSpec | { payload: any }): DispatchedInteraction;
  /** Resolves with the first recorded request (from `since`, default 0) that matches. */
  waitFor(predicate: (r: RecordedRequest) => boolean, timeoutMs?: number, since?: number): Promise<RecordedRequest>;
  waitForFrame(predicate: (f: GatewayFrame) => boolean, timeoutMs?: number, since?: number): Promise<GatewayFrame>;
  /** Answers the next `count` requests that `match` (default: POST /channels/:id/messages) with a failure. */
  failNext(count: number, failure: InjectedFailure, match?: (r: RecordedRequest) => boolean): void;
  failNextChannelMessages(count: number, failure: InjectedFailure): void;
  /** The open connections (of one shard, when given) stop answering heartbeats (new connections answer again). */
  stopAckingHeartbeats(shard?: number): void;
  /** Drops the open connections (of one shard, when given): without `code` the TCP socket is destroyed (1006), else closed with it. */
  dropConnection(code?: number, shard?: number): void;
  /** Asks the client to reconnect (op 7), on every connection or one shard's. */
  sendReconnect(shard?: number): void;
  /**
   * IDENTIFY and RESUME from this shard are recorded but not answered until the returned function is called
   * (then they are answered, if their connection is still open): a shard that cannot get its session back.
   */
  holdShard(shard: number): () => void;
  /** Open gateway connections that completed IDENTIFY or RESUME. */
  readyConnections(): number;
  /** The shard that owns a guild, for the shard count the client identified with (else the recommended count). */
  shardOf(guildId: string): number;
  /** The latest session of each shard that identified: `[id, count]`, its session id and whether a socket is attached. */
  sessions(): { shard: [number, number]; sessionId: string; connected: boolean }[];
  close(): Promise<void>;
}

// --- helpers -------------------------------------------------------------------------------------------

const DISCORD_EPOCH = 1420070400000n;
let increment = 0n;

/** A snowflake for now: 18–19 digits, like Discord's. */
export function snowflake(): string {
  increment = (increment + 1n) & 0xfffn;
  return (((BigInt(Date.now()) - DISCORD_EPOCH) << 22n) | (1n << 17n) | increment).toString();
}

/** The shard that owns a guild: Discord's `(guild_id >> 22) % shard_count`. */
export function shardForGuild(guildId: string, shardCount: number): number {
  return Number((BigInt(guildId) >> 22n) % BigInt(shardCount));
}

/** A guild id (a snowflake, distinct per `n`) that shard `shard` of `shardCount` owns. */
export function guildOnShard(shard: number, shardCount: number, n = 0): string {
  // The timestamp bits decide the shard: step them to the shard wanted, keep the low bits for `n`.
  const base = (BigInt('1190000000000000000') >> 22n) + BigInt(n * shardCount);
  const ts = base - (base % BigInt(shardCount)) + BigInt(shard);
  return ((ts << 22n) | BigInt(n & 0xfff)).toString();
}

/** Discord's documented message limits, checked on every message the fake receives. */
export function messageViolations(body: any, options: { requireContent?: boolean } = {}): string[] {
  const problems: string[] = [];
  if (body === null || typeof body !== 'object') return ['body is not an object'];
  const content = body.content;
  if (content !== undefined && content !== null) {
    if (typeof content !== 'string') problems.push('content must be a string');
    else if (content.length > 2000) problems.push(`content has ${content.length} characters (max 2000)`);
  }
  const embeds = body.embeds ?? [];
  if (!Array.isArray(embeds)) problems.push('embeds must be an array');
  else {
    if (embeds.length > 10) problems.push(`${embeds.length} embeds (max 10)`);
    let total = 0;
    embeds.forEach((e: any, i: number) => {
      const check = (what: string, text: unknown, max: number, required = false) => {
        if (text === undefined || text === null) {
          if (required) problems.push(`embeds[${i}].${what} is required`);
          return 0;
        }
        if (typeof text !== 'string') {
          problems.push(`embeds[${i}].${what} must be a string`);
          return 0;
        }
        if (required && text.trim().length === 0) problems.push(`embeds[${i}].${what} is empty`);
        if (text.length > max) problems.push(`embeds[${i}].${what} has ${text.length} characters (max ${max})`);
        return text.length;
      };
      total += check('title', e.title, 256);
      total += check('description', e.description, 4096);
      total += check('footer.text', e.footer?.text, 2048, e.footer !== undefined);
      total += check('author.name', e.author?.name, 256, e.author !== undefined);
      const fields = e.fields ?? [];
      if (fields.length > 25) problems.push(`embeds[${i}] has ${fields.length} fields (max 25)`);
      fields.forEach((f: any, j: number) => {
        total += check(`fields[${j}].name`, f.name, 256, true);
        total += check(`fields[${j}].value`, f.value, 1024, true);
      });
      if (e.url !== undefined && !/^https?:\/\//.test(String(e.url))) problems.push(`embeds[${i}].url is not a URL`);
    });
    if (total > 6000) problems.push(`embeds have ${total} characters in all (max 6000)`);
  }
  if (body.nonce !== undefined && String(body.nonce).length > 25) problems.push('nonce longer than 25 characters');
  const am = body.allowed_mentions;
  if (am !== undefined && am !== null) {
    if (am.parse !== undefined && (!Array.isArray(am.parse) || am.parse.some((p: string) => !['users', 'roles', 'everyone'].includes(p)))) {
      problems.push('allowed_mentions.parse is invalid');
    }
  }
  problems.push(...componentViolations(body.components));
  if (options.requireContent && !(typeof content === 'string' && content.length > 0) && !(Array.isArray(embeds) && embeds.length > 0)) {
    problems.push('Cannot send an empty message (content or embeds required)');
  }
  return problems;
}

/** A multipart/form-data request as Discord reads one: the JSON in `payload_json`, the files in `files[n]`. */
interface Upload {
  payloadJson: string;
  files: ReceivedFile[];
  /** Set when the body could not be read as a form. */
  problem?: string;
}

/** Parses multipart/form-data with the platform's own parser (undici's, behind Response#formData), not by hand. */
async function readUpload(bytes: Buffer, contentType: string): Promise<Upload> {
  const form = await new Response(bytes, { headers: { 'content-type': contentType } }).formData();
  let payloadJson = '';
  const files: ReceivedFile[] = [];
  for (const [field, value] of form) {
    if (typeof value === 'string') {
      if (field === 'payload_json') payloadJson = value;
      continue;
    }
    files.push({ field, filename: value.name, contentType: value.type || 'application/octet-stream', data: Buffer.from(await value.arrayBuffer()) });
  }
  return { payloadJson, files };
}

/** Discord's checks on uploaded files: at most 10, each in a `files[n]` field, each named in `attachments` if that is sent. */
export function uploadViolations(body: any, files: ReceivedFile[]): string[] {
  const problems: string[] = [];
  if (files.length > 10) problems.push(`${files.length} files (max 10)`);
  for (const f of files) {
    if (!/^files\[\d+\]$/.test(f.field)) problems.push(`file field ${JSON.stringify(f.field)} is not files[n]`);
    if (!f.filename) problems.push(`${f.field} has no filename`);
  }
  if (Array.isArray(body?.attachments)) {
    const fields = new Set(files.map((f) => f.field));
    for (const a of body.attachments) {
      if (!fields.has(`files[${String(a?.id)}]`)) problems.push(`attachments[].id ${JSON.stringify(a?.id)} names no uploaded file`);
    }
  }
  return problems;
}

/** Message components as Discord checks them: up to 5 action rows of up to 5 buttons; label ≤ 80, custom_id 1–100. */
export function componentViolations(components: unknown): string[] {
  if (components === undefined || components === null) return [];
  if (!Array.isArray(components) || components.length > 5) return ['components: up to 5 action rows'];
  const problems: string[] = [];
  components.forEach((row: any, i: number) => {
    if (row?.type !== 1 || !Array.isArray(row.components) || row.components.length < 1 || row.components.length > 5) {
      problems.push(`components[${i}]: an action row of 1 to 5 components`);
      return;
    }
    row.components.forEach((c: any, j: number) => {
      const at = `components[${i}].components[${j}]`;
      if (c?.type === 3) {
        // A string select fills its row: custom_id 1–100, 1–25 options of label and value ≤ 100, placeholder ≤ 150.
        if (row.components.length !== 1) problems.push(`${at}: a select must be alone in its row`);
        if (typeof c.custom_id !== 'string' || c.custom_id.length < 1 || c.custom_id.length > 100) problems.push(`${at}.custom_id: 1 to 100 characters`);
        if (c.placeholder !== undefined && (typeof c.placeholder !== 'string' || c.placeholder.length > 150)) problems.push(`${at}.placeholder: up to 150`);
        if (!Array.isArray(c.options) || c.options.length < 1 || c.options.length > 25) problems.push(`${at}.options: 1 to 25`);
        else
          c.options.forEach((o: any, k: number) => {
            if (typeof o?.label !== 'string' || o.label.length < 1 || o.label.length > 100) problems.push(`${at}.options[${k}].label: 1 to 100`);
            if (typeof o?.value !== 'string' || o.value.length < 1 || o.value.length > 100) problems.push(`${at}.options[${k}].value: 1 to 100`);
          });
        return;
      }
      if (c?.type !== 2) problems.push(`${at}: only buttons and string selects in a message row here`);
      if (typeof c.label !== 'string' || c.label.length < 1 || c.label.length > 80) problems.push(`${at}.label: 1 to 80 characters`);
      if (c.style === 5) {
        if (typeof c.url !== 'string') problems.push(`${at}.url required for a link button`);
      } else if (typeof c.custom_id !== 'string' || c.custom_id.length < 1 || c.custom_id.length > 100) problems.push(`${at}.custom_id: 1 to 100 characters`);
      if (![1, 2, 3, 4, 5].includes(c.style)) problems.push(`${at}.style: 1 to 5`);
    });
  });
  return problems;
}

/** A modal (interaction response type 9) as Discord checks it: title ≤ 45, custom_id ≤ 100, 1–5 rows of one text input. */
export function modalViolations(data: any): string[] {
  const problems: string[] = [];
  if (typeof data?.title !== 'string' || data.title.length < 1 || data.title.length > 45) problems.push('title: 1 to 45 characters');
  if (typeof data?.custom_id !== 'string' || data.custom_id.length < 1 || data.custom_id.length > 100) problems.push('custom_id: 1 to 100 characters');
  const rows = data?.components;
  if (!Array.isArray(rows) || rows.length < 1 || rows.length > 5) return [...problems, 'components: 1 to 5 rows'];
  const ids = new Set<string>();
  rows.forEach((row: any, i: number) => {
    const input = row?.components?.[0];
    if (row?.type !== 1 || row.components.length !== 1 || input?.type !== 4) {
      problems.push(`components[${i}]: an action row holding one text input`);
      return;
    }
    const at = `components[${i}].components[0]`;
    if (typeof input.custom_id !== 'string' || input.custom_id.length < 1 || input.custom_id.length > 100)
      problems.push(`${at}.custom_id: 1 to 100 characters`);
    if (ids.has(input.custom_id)) problems.push(`${at}.custom_id: duplicate`);
    ids.add(input.custom_id);
    if (typeof input.label !== 'string' || input.label.length < 1 || input.label.length > 45) problems.push(`${at}.label: 1 to 45 characters`);
    if (input.style !== 1 && input.style !== 2) problems.push(`${at}.style: 1 or 2`);
    if (input.placeholder !== undefined && (typeof input.placeholder !== 'string' || input.placeholder.length > 100))
      problems.push(`${at}.placeholder: up to 100`);
    if (input.max_length !== undefined && (input.max_length < 1 || input.max_length > 4000)) problems.push(`${at}.max_length: 1 to 4000`);
  });
  return problems;
}

const COMMAND_NAME = /^[-_\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$/u;

/** Application command checks Discord makes on registration. */
export function commandViolations(cmd: any, where = cmd?.name ?? '?'): string[] {
  const problems: string[] = [];
  if (typeof cmd?.name !== 'string' || !COMMAND_NAME.test(cmd.name) || cmd.name !== cmd.name.toLowerCase()) problems.push(`${where}: invalid name`);
  if ((cmd?.type ?? 1) === 1 && (typeof cmd?.description !== 'string' || cmd.description.length < 1 || cmd.description.length > 100)) {
    problems.push(`${where}: description must be 1-100 characters`);
  }
  const walk = (opts: any[] | undefined, w: string, depth: number) => {
    if (!opts) return;
    if (opts.length > 25) problems.push(`${w}: more than 25 options`);
    const names = new Set<string>();
    let optionalSeen = false;
    for (const o of opts) {
      const ow = `${w} ${o.name}`;
      if (typeof o.description !== 'string' || o.description.length < 1 || o.description.length > 100)
        problems.push(`${ow}: description must be 1-100 characters`);
      if (typeof o.name !== 'string' || !COMMAND_NAME.test(o.name) || o.name !== o.name.toLowerCase()) problems.push(`${ow}: invalid name`);
      if (names.has(o.name)) problems.push(`${ow}: duplicate name`);
      names.add(o.name);
      if (o.type === 1 || o.type === 2) {
        if (depth >= (o.type === 2 ? 1 : 2)) problems.push(`${ow}: subcommand nested too deeply`);
        if (o.type === 2 && (o.options ?? []).some((s: any) => s.type !== 1)) problems.push(`${ow}: a group may only contain subcommands`);
        walk(o.options, ow, depth + 1);
        continue;
      }
      if (o.required) {
        if (optionalSeen) problems.push(`${ow}: required options must be placed before non-required options`);
      } else optionalSeen = true;
      if (o.choices && o.autocomplete) problems.push(`${ow}: autocomplete and choices are mutually exclusive`);
      if (o.choices) {
        if (o.choices.length > 25) problems.push(`${ow}: more than 25 choices`);
        for (const c of o.choices) {
          if (typeof c.name !== 'string' || c.name.length < 1 || c.name.length > 100) problems.push(`${ow}: choice name must be 1-100 characters`);
          if (String(c.value).length > 100) problems.push(`${ow}: choice value longer than 100`);
        }
      }
      if (o.autocomplete && ![3, 4, 10].includes(o.type)) problems.push(`${ow}: autocomplete needs a string, integer or number option`);
      if (o.min_length !== undefined && (o.min_length < 0 || o.min_length > 6000)) problems.push(`${ow}: min_length out of range`);
      if (o.max_length !== undefined && (o.max_length < 1 || o.max_length > 6000)) problems.push(`${ow}: max_length out of range`);
    }
  };
  walk(cmd.options, where, 0);
  return problems;
}

/**
 * What a user would read in a message: content, then each embed's title, description, fields ("name: value")
 * and footer — with markdown escapes removed and masked links shown as their label, as Discord renders them.
 */
export function visibleText(message: any): string {
  const parts: string[] = [];
  if (message?.content) parts.push(message.content);
  for (const e of message?.embeds ?? []) {
    if (e.author?.name) parts.push(e.author.name);
    if (e.title) parts.push(e.title);
    if (e.description) parts.push(e.description);
    for (const f of e.fields ?? []) parts.push(`${f.name}: ${f.value}`);
    if (e.footer?.text) parts.push(e.footer.text);
  }
  return unmarkdown(parts.join('\n'));
}

/** Discord's rendering of escapes and masked links, enough for tests. */
export function unmarkdown(text: string): string {
  return text
    .replace(/(?<!\\)\[((?:\\.|[^\]\\])+)\]\((https?:\/\/[^)\s]+)\)/g, '$1')
    .replace(/\\([^A-Za-z0-9\s])/g, '$1')
    .replace(/\u200b/g, '');
}

function infer(value: OptionValue): { type: number; value: string | number | boolean } {
  if (typeof value === 'object') return value;
  if (typeof value === 'boolean') return { type: 5, value };
  if (typeof value === 'number') return { type: Number.isInteger(value) ? 4 : 10, value };
  return { type: 3, value };
}

/** The `data.options` of a command interaction for a subcommand path and leaf options. */
export function commandOptions(path: string | undefined, options: Record<string, OptionValue> = {}, focused?: string): any[] {
  const leaves = Object.entries(options).map(([name, v]) => ({ name, ...infer(v), ...(name === focused ? { focused: true } : {}) }));
  const parts = (path ?? '').split(' ').filter(Boolean);
  if (parts.length === 0) return leaves;
  if (parts.length === 1) return [{ name: parts[0], type: 1, options: leaves }];
  return [{ name: parts[0], type: 2, options: [{ name: parts[1], type: 1, options: leaves }] }];
}

/** Default member permissions: View Channel, Send Messages, Read History, Use Application Commands. */
export const MEMBER_PERMISSIONS = ((1n << 10n) | (1n << 11n) | (1n << 16n) | (1n << 31n)).toString();
export const MANAGE_CHANNELS = (1n << 4n).toString();
export const ADMINISTRATOR = (1n << 3n).toString();

// --- the fake ----------------------------------------------------------------------------------------------

interface Session {
  id: string;
  /** `[shard id, shard count]` from IDENTIFY. */
  shard: [number, number];
  seq: number;
  events: { s: number; t: string; d: unknown }[];
  connection?: Connection;
}

interface Connection {
  n: number;
  ws: WebSocket;
  ack: boolean;
  ready: boolean;
  session?: Session;
}

interface InteractionState {
  id: string;
  token: string;
  at: number;
  callbackAt?: number;
  callbackType?: number;
  original?: any;
  followups: any[];
  channelId: string;
  guildId?: string;
  /** A component or modal submit from a message: the message (channel message id) it came from. */
  messageId?: string;
  /** The interaction's type: 2 command, 3 component, 4 autocomplete, 5 modal submit. */
  type: number;
  /** The bot's permissions in the channel, as sent in `app_permissions`. */
  appPermissions: bigint;
}

/** Attach Files: without it in `app_permissions`, Discord refuses a response or follow-up that uploads files. */
const ATTACH_FILES = 1n << 15n;

interface Failure {
  remaining: number;
  failure: InjectedFailure;
  match: (r: RecordedRequest) => boolean;
}

const isChannelPost = (r: RecordedRequest) => r.route === 'POST /channels/:id/messages';

export async function startFakeDiscord(options: FakeDiscordOptions = {}): Promise<FakeDiscord> {
  const applicationId = options.applicationId ?? '1190000000000000001';
  const botUser = {
    id: options.botUserId ?? '1190000000000000002',
    username: options.botUsername ?? 'Niger Watch',
    discriminator: '0',
    global_name: options.botUsername ?? 'Niger Watch',
    avatar: null,
    bot: true as const,
  };
  const heartbeatInterval = options.heartbeatInterval ?? 41_250;
  const interactionTimeoutMs = options.interactionTimeoutMs ?? 3000;
  const nonceWindowMs = options.nonceWindowMs ?? 5 * 60_000;

  const requests: RecordedRequest[] = [];
  const frames: GatewayFrame[] = [];
  const requestWaiters = new Set<(r: RecordedRequest) => void>();
  const frameWaiters = new Set<(f: GatewayFrame) => void>();
  const failures: Failure[] = [];
  const interactions = new Map<string, InteractionState>();
  const byToken = new Map<string, InteractionState>();
  const messages = new Map<string, any[]>();
  const dmChannels = new Map<string, string>();
  const nonces = new Map<string, { at: number; message: any }>();
  const buckets = new Map<string, { reset: number; used: number }>();
  // Arrival times (performance.now) of the bot-authorised requests inside the global window.
  let globalTimes: number[] = [];
  const commandStore = new Map<string, any[]>(); // '' = global
  const sessions = new Map<string, Session>();
  // The latest session of each shard id; a dispatch goes to the one that owns what it is about.
  const shardSessions = new Map<number, Session>();
  const guilds = options.guilds ?? [];
  const held = new Map<number, (() => void)[]>();
  const connections = new Set<Connection>();
  let connectionCount = 0;

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const bytes = Buffer.concat(chunks);
      const type = String(req.headers['content-type'] ?? '');
      const answer = (raw: string, upload?: Upload) => {
        try {
          handle(req, res, raw, upload);
        } catch (err) {
          send(res, 500, { message: `fake error: ${(err as Error).message}`, code: 0 });
        }
      };
      // JSON requests are answered synchronously, as before; only uploads wait for their parts to be read.
      if (/^multipart\/form-data\b/i.test(type)) {
        void readUpload(bytes, type).then(
          (upload) => answer(upload.payloadJson, upload),
          (err: unknown) => answer('', { payloadJson: '', files: [], problem: `malformed multipart body: ${(err as Error).message}` }),
        );
      } else {
        answer(bytes.toString('utf8'));
      }
    });
  });
  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    if (!(req.url ?? '').startsWith('/gateway')) {
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const apiUrl = `http://127.0.0.1:${port}/api`;
  const gatewayUrl = `ws://127.0.0.1:${port}/gateway`;

  // --- REST ---

  function send(res: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}): void {
    if (status === 204 || body === undefined) {
      res.writeHead(status, headers); // no content type: discord.js would try to parse an empty body
      res.end();
      return;
    }
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  }

  function routeOf(method: string, path: string): string {
    const generic = path
      .replace(/^\/interactions\/\d+\/[^/]+/, '/interactions/:id/:token')
      .replace(/^\/webhooks\/\d+\/[^/]+/, '/webhooks/:app/:token')
      .replace(/\/messages\/\d+/, '/messages/:id')
      .replace(/^\/channels\/\d+/, '/channels/:id')
      .replace(/^\/applications\/\d+/, '/applications/:app')
      .replace(/\/guilds\/\d+/, '/guilds/:guild')
      .replace(/\/commands\/\d+/, '/commands/:id');
    return `${method} ${generic}`;
  }

  function record(req: IncomingMessage, raw: string, upload?: Upload): RecordedRequest {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const path = decodeURIComponent(url.pathname.replace(/^\/api\/v\d+/, ''));
    let body: any;
    if (raw) {
      try {
        body = JSON.parse(raw);
      } catch {
        body = undefined;
      }
    }
    const method = req.method ?? 'GET';
    const interactionId = /^\/interactions\/(\d+)\//.exec(path)?.[1] ?? byToken.get(/^\/webhooks\/\d+\/([^/]+)/.exec(path)?.[1] ?? '')?.id;
    return {
      ...(interactionId ? { interactionId } : {}),
      index: requests.length,
      at: performance.now(),
      method,
      path,
      route: routeOf(method, path),
      query: Object.fromEntries(url.searchParams),
      headers: req.headers,
      body,
      rawBody: raw,
      ...(upload ? { files: upload.files } : {}),
      status: 0,
      response: undefined,
    };
  }

  function finish(res: ServerResponse, r: RecordedRequest, status: number, body?: unknown, headers: Record<string, string> = {}): void {
    r.status = status;
    r.response = body;
    requests.push(r);
    send(res, status, body, headers);
    for (const w of [...requestWaiters]) w(r);
  }

  function failureResponse(f: InjectedFailure): { status: number; body?: unknown; headers: Record<string, string> } {
    switch (f.kind) {
      case 'rate_limited': {
        const retryAfter = f.retryAfter ?? 0.2;
        const scope = f.scope ?? (f.global ? 'global' : 'user');
        return {
          status: 429,
          body: { message: 'You are being rate limited.', retry_after: retryAfter, global: Boolean(f.global), code: 0 },
          headers: {
            'retry-after': String(retryAfter),
            'x-ratelimit-limit': '5',
            'x-ratelimit-remaining': '0',
            'x-ratelimit-reset-after': String(retryAfter),
            'x-ratelimit-bucket': 'fake-channel-messages',
            'x-ratelimit-scope': scope,
            ...(f.global ? { 'x-ratelimit-global': 'true' } : {}),
          },
        };
      }
      case 'invalid':
        return { status: 400, body: { code: 50035, message: 'Invalid Form Body', errors: {} }, headers: {} };
      case 'unknown_channel':
        return { status: 404, body: { code: 10003, message: 'Unknown Channel' }, headers: {} };
      case 'missing_access':
        return { status: 403, body: { code: 50001, message: 'Missing Access' }, headers: {} };
      case 'missing_permissions':
        return { status: 403, body: { code: 50013, message: 'Missing Permissions' }, headers: {} };
      case 'server_error':
        return { status: f.status ?? 500, body: { message: 'Internal Server Error', code: 0 }, headers: {} };
      case 'custom':
        return { status: f.status, body: f.body, headers: f.headers ?? {} };
    }
  }

  function invalidForm(problems: string[]) {
    return { code: 50035, message: 'Invalid Form Body', errors: { _errors: problems.map((message) => ({ code: 'BASE_TYPE_INVALID', message })) } };
  }

  function message(channelId: string, data: any, extra: Record<string, unknown> = {}): any {
    return {
      id: snowflake(),
      channel_id: channelId,
      type: 0,
      author: botUser,
      content: data.content ?? '',
      embeds: data.embeds ?? [],
      attachments: [],
      components: data.components ?? [],
      timestamp: new Date().toISOString(),
      edited_timestamp: null,
      tts: false,
      mention_everyone: false,
      mentions: [],
      mention_roles: [],
      pinned: false,
      flags: data.flags ?? 0,
      ...extra,
    };
  }

  /** An attachment as Discord lists it on the message; its URL is a made-up CDN address (nothing serves it). */
  function attachment(channelId: string, f: ReceivedFile): any {
    const id = snowflake();
    return {
      id,
      filename: f.filename,
      size: f.data.length,
      content_type: f.contentType,
      url: `https://cdn.discordapp.com/attachments/${channelId}/${id}/${encodeURIComponent(f.filename)}`,
      proxy_url: `https://media.discordapp.net/attachments/${channelId}/${id}/${encodeURIComponent(f.filename)}`,
    };
  }

  function handle(req: IncomingMessage, res: ServerResponse, raw: string, upload?: Upload): void {
    const r = record(req, raw, upload);
    if (!/^\/api\/v10\//.test(new URL(req.url ?? '/', 'http://x').pathname)) return finish(res, r, 404, { message: '404: Not Found', code: 0 });
    const injected = failures.find((f) => f.remaining > 0 && f.match(r));
    if (injected) {
      injected.remaining -= 1;
      const { status, body, headers } = failureResponse(injected.failure);
      r.injected = injected.failure.kind;
      return finish(res, r, status, body, headers);
    }
    const p = r.path;
    const m = r.method;
    const global = options.globalLimit;
    if (global && String(r.headers.authorization ?? '').startsWith('Bot ') && !/^\/(interactions|webhooks)\//.test(p)) {
      globalTimes = globalTimes.filter((t) => t > r.at - global.windowMs);
      if (globalTimes.length >= global.limit) {
        const retryAfter = Number(((globalTimes[0]! + global.windowMs - r.at) / 1000).toFixed(3));
        r.injected = 'global';
        return finish(
          res,
          r,
          429,
          { message: 'You are being rate limited.', retry_after: retryAfter, global: true, code: 0 },
          { 'retry-after': String(retryAfter), 'x-ratelimit-global': 'true', 'x-ratelimit-scope': 'global' },
        );
      }
      globalTimes.push(r.at);
    }
    const botAuth = () => {
      const auth = String(r.headers.authorization ?? '');
      if (!auth.startsWith('Bot ') || (options.token !== undefined && auth !== `Bot ${options.token}`)) {
        finish(res, r, 401, { message: '401: Unauthorized', code: 0 });
        return false;
      }
      return true;
    };
    let match: RegExpExecArray | null;

    if (m === 'GET' && p === '/gateway/bot') {
      if (!botAuth()) return;
      return finish(res, r, 200, {
        url: gatewayUrl,
        shards: options.shards ?? 1,
        session_start_limit: { total: 1000, remaining: 999, reset_after: 86_400_000, max_concurrency: options.maxConcurrency ?? 1 },
      });
    }
    if (m === 'GET' && p === '/gateway') return finish(res, r, 200, { url: gatewayUrl });
    if (m === 'GET' && p === '/users/@me') return botAuth() ? finish(res, r, 200, botUser) : undefined;
    if (m === 'POST' && p === '/users/@me/channels') {
      // Opening a DM: the same channel for the same user, as Discord gives it.
      if (!botAuth()) return;
      const recipient = String(r.body?.recipient_id ?? '');
      if (!/^\d{17,20}$/.test(recipient)) return finish(res, r, 400, invalidForm(['recipient_id: a user id']));
      let id = dmChannels.get(recipient);
      if (!id) dmChannels.set(recipient, (id = snowflake()));
      return finish(res, r, 200, { id, type: 1, last_message_id: null, flags: 0, recipients: [{ id: recipient, username: 'user', discriminator: '0' }] });
    }
    if (m === 'GET' && p === '/applications/@me') {
      return botAuth() ? finish(res, r, 200, { id: applicationId, name: botUser.username, description: '', bot_public: true, flags: 0 }) : undefined;
    }

    if ((match = /^\/interactions\/(\d+)\/([^/]+)\/callback$/.exec(p)) && m === 'POST') {
      const [, id, token] = match;
      const it = interactions.get(id!);
      if (!it || it.token !== token) return finish(res, r, 404, { code: 10062, message: 'Unknown interaction' });
      if (it.callbackType !== undefined) return finish(res, r, 400, { code: 40060, message: 'Interaction has already been acknowledged.' });
      if (performance.now() - it.at > interactionTimeoutMs) return finish(res, r, 404, { code: 10062, message: 'Unknown interaction' });
      const type = r.body?.type;
      const data = r.body?.data ?? {};
      if ((r.files ?? []).length > 0 && !(it.appPermissions & ATTACH_FILES)) return finish(res, r, 403, { code: 50013, message: 'Missing Permissions' });
      if (type === 7) {
        // UPDATE_MESSAGE: only for a component, or a modal submitted from one; edits the message it came from.
        if ((it.type !== 3 && it.type !== 5) || !it.messageId) return finish(res, r, 400, invalidForm(['type 7 is only for a message component']));
        const problems = messageViolations(data);
        if (problems.length) return finish(res, r, 400, invalidForm(problems));
        const target = messages.get(it.channelId)?.find((msg) => msg.id === it.messageId);
        if (target) {
          if (data.content !== undefined) target.content = data.content ?? '';
          if (data.embeds !== undefined) target.embeds = data.embeds ?? [];
          if (data.components !== undefined) target.components = data.components ?? [];
          target.edited_timestamp = new Date().toISOString();
        }
      } else if (type === 9) {
        // MODAL: not in answer to a modal submit, as on Discord.
        if (it.type === 5) return finish(res, r, 400, invalidForm(['a modal submit cannot open a modal']));
        const problems = modalViolations(data);
        if (problems.length) return finish(res, r, 400, invalidForm(problems));
      } else if (type === 4) {
        // A reply may carry files (multipart, as a channel message does): checked and listed the same way.
        const files = r.files ?? [];
        const problems = upload?.problem
          ? [upload.problem]
          : [...messageViolations(data, { requireContent: files.length === 0 }), ...uploadViolations(data, files)];
        if (problems.length) return finish(res, r, 400, invalidForm(problems));
        it.original = message(it.channelId, data, {
          webhook_id: applicationId,
          application_id: applicationId,
          ...(files.length ? { attachments: files.map((f) => attachment(it.channelId, f)) } : {}),
        });
      } else if (type === 5 || type === 6) {
        it.original = message(it.channelId, { flags: (data.flags ?? 0) | 128 /* loading */ }, { webhook_id: applicationId, application_id: applicationId });
      } else if (type === 8) {
        const choices = data.choices;
        const bad =
          !Array.isArray(choices) ||
          choices.length > 25 ||
          choices.some((c: any) => typeof c.name !== 'string' || c.name.length < 1 || c.name.length > 100 || String(c.value).length > 100);
        if (bad) return finish(res, r, 400, invalidForm(['invalid autocomplete choices']));
      } else if (type !== 10 && type !== 12) {
        return finish(res, r, 400, invalidForm([`unknown interaction response type ${String(type)}`]));
      }
      it.callbackType = type;
      it.callbackAt = performance.now();
      if (r.query.with_response === 'true') {
        return finish(res, r, 200, {
          interaction: {
            id,
            type: 2,
            activity_instance_id: null,
            response_message_id: it.original?.id ?? null,
            response_message_loading: type === 5,
            response_message_ephemeral: Boolean((data.flags ?? 0) & 64),
          },
          resource: { type, ...(it.original ? { message: it.original } : {}) },
        });
      }
      return finish(res, r, 204);
    }

    if ((match = /^\/webhooks\/(\d+)\/([^/]+)(?:\/messages\/([^/]+))?$/.exec(p))) {
      const [, app, token, messageId] = match;
      const it = byToken.get(token!);
      if (app !== applicationId || !it) return finish(res, r, 404, { code: 10015, message: 'Unknown Webhook' });
      if (performance.now() - it.at > 15 * 60_000) return finish(res, r, 401, { code: 50027, message: 'Invalid Webhook Token' });
      if (it.callbackType === undefined) return finish(res, r, 404, { code: 10015, message: 'Unknown Webhook' });
      if ((r.files ?? []).length > 0 && !(it.appPermissions & ATTACH_FILES)) return finish(res, r, 403, { code: 50013, message: 'Missing Permissions' });
      if (messageId === undefined) {
        if (m !== 'POST') return finish(res, r, 405, { message: '405: Method Not Allowed', code: 0 });
        const files = r.files ?? [];
        const problems = upload?.problem
          ? [upload.problem]
          : [...messageViolations(r.body ?? {}, { requireContent: files.length === 0 }), ...uploadViolations(r.body ?? {}, files)];
        if (problems.length) return finish(res, r, 400, invalidForm(problems));
        const msg = message(it.channelId, r.body, {
          webhook_id: applicationId,
          application_id: applicationId,
          ...(files.length ? { attachments: files.map((f) => attachment(it.channelId, f)) } : {}),
        });
        it.followups.push(msg);
        return finish(res, r, 200, msg);
      }
      const target = messageId === '@original' ? it.original : it.followups.find((f) => f.id === messageId);
      if (!target) return finish(res, r, 404, { code: 10008, message: 'Unknown Message' });
      if (m === 'GET') return finish(res, r, 200, target);
      if (m === 'DELETE') {
        if (messageId === '@original') it.original = undefined;
        else it.followups = it.followups.filter((f) => f.id !== messageId);
        return finish(res, r, 204);
      }
      if (m === 'PATCH') {
        const files = r.files ?? [];
        const problems = upload?.problem ? [upload.problem] : [...messageViolations(r.body ?? {}), ...uploadViolations(r.body ?? {}, files)];
        if (problems.length) return finish(res, r, 400, invalidForm(problems));
        const b = r.body ?? {};
        if (files.length) target.attachments = files.map((f) => attachment(it.channelId, f));
        if (b.content !== undefined) target.content = b.content ?? '';
        if (b.embeds !== undefined) target.embeds = b.embeds ?? [];
        if (b.components !== undefined) target.components = b.components ?? [];
        target.flags = (target.flags ?? 0) & ~128;
        target.edited_timestamp = new Date().toISOString();
        return finish(res, r, 200, target);
      }
      return finish(res, r, 405, { message: '405: Method Not Allowed', code: 0 });
    }

    if ((match = /^\/channels\/(\d+)\/messages$/.exec(p)) && m === 'POST') {
      if (!botAuth()) return;
      const channelId = match[1]!;
      const b = r.body ?? {};
      const files = r.files ?? [];
      const problems = upload?.problem ? [upload.problem] : [...messageViolations(b, { requireContent: files.length === 0 }), ...uploadViolations(b, files)];
      if (problems.length) return finish(res, r, 400, invalidForm(problems));
      const headers: Record<string, string> = {};
      const limit = options.channelMessageLimit;
      if (limit) {
        const now = Date.now();
        let bucket = buckets.get(channelId);
        if (!bucket || bucket.reset <= now) buckets.set(channelId, (bucket = { reset: now + limit.windowMs, used: 0 }));
        const resetAfter = ((bucket.reset - now) / 1000).toFixed(3);
        Object.assign(headers, {
          'x-ratelimit-limit': String(limit.limit),
          'x-ratelimit-reset-after': resetAfter,
          'x-ratelimit-bucket': `fake-channel-${channelId}`,
        });
        if (bucket.used >= limit.limit) {
          r.injected = 'bucket';
          return finish(
            res,
            r,
            429,
            { message: 'You are being rate limited.', retry_after: Number(resetAfter), global: false, code: 0 },
            {
              ...headers,
              'x-ratelimit-remaining': '0',
              'retry-after': resetAfter,
              'x-ratelimit-scope': 'user',
            },
          );
        }
        bucket.used += 1;
        headers['x-ratelimit-remaining'] = String(limit.limit - bucket.used);
      }
      if (b.nonce !== undefined && b.enforce_nonce) {
        const key = `${channelId}:${String(b.nonce)}`;
        const seen = nonces.get(key);
        if (seen && Date.now() - seen.at < nonceWindowMs) {
          r.deduplicated = true;
          return finish(res, r, 200, seen.message, headers);
        }
      }
      const msg = message(channelId, b, {
        ...(b.nonce !== undefined ? { nonce: b.nonce } : {}),
        // A reply (message_reference): Discord answers with the reference completed by the channel.
        ...(b.message_reference && typeof b.message_reference === 'object'
          ? { message_reference: { channel_id: channelId, ...b.message_reference }, type: 19 }
          : {}),
        ...(files.length ? { attachments: files.map((f) => attachment(channelId, f)) } : {}),
      });
      const list = messages.get(channelId) ?? [];
      list.push(msg);
      messages.set(channelId, list);
      if (b.nonce !== undefined && b.enforce_nonce) nonces.set(`${channelId}:${String(b.nonce)}`, { at: Date.now(), message: msg });
      return finish(res, r, 200, msg, headers);
    }

    if ((match = /^\/applications\/(\d+)(?:\/guilds\/(\d+))?\/commands(?:\/(\d+))?$/.exec(p))) {
      if (!botAuth()) return;
      const [, app, guildId, commandId] = match;
      if (app !== applicationId) return finish(res, r, 403, { code: 50001, message: 'Missing Access' });
      const key = guildId ?? '';
      const stored = commandStore.get(key) ?? [];
      const materialize = (c: any, previous?: any) => ({
        id: previous?.id ?? snowflake(),
        application_id: applicationId,
        version: snowflake(),
        default_member_permissions: null,
        type: 1,
        dm_permission: true,
        contexts: null,
        integration_types: [0],
        nsfw: false,
        ...(guildId ? { guild_id: guildId } : {}),
        ...c,
      });
      // Like Discord: the localization maps only with ?with_localizations=true.
      if (commandId === undefined && m === 'GET') {
        return finish(res, r, 200, r.query.with_localizations === 'true' ? stored : stored.map(withoutLocalizations));
      }
      if (commandId === undefined && m === 'PUT') {
        if (!Array.isArray(r.body)) return finish(res, r, 400, invalidForm(['body must be an array']));
        const problems = r.body.flatMap((c: any) => commandViolations(c));
        const names = r.body.map((c: any) => c.name);
        if (new Set(names).size !== names.length) problems.push('duplicate command names');
        if (problems.length) return finish(res, r, 400, invalidForm(problems));
        const next = r.body.map((c: any) =>
          materialize(
            c,
            stored.find((s) => s.name === c.name),
          ),
        );
        commandStore.set(key, next);
        return finish(res, r, 200, next);
      }
      if (commandId === undefined && m === 'POST') {
        const problems = commandViolations(r.body ?? {});
        if (problems.length) return finish(res, r, 400, invalidForm(problems));
        const previous = stored.find((s) => s.name === r.body.name);
        const created = materialize(r.body, previous);
        commandStore.set(key, [...stored.filter((s) => s.name !== r.body.name), created]);
        return finish(res, r, previous ? 200 : 201, created);
      }
      if (commandId !== undefined && m === 'DELETE') {
        if (!stored.some((s) => s.id === commandId)) return finish(res, r, 404, { code: 10063, message: 'Unknown application command' });
        commandStore.set(
          key,
          stored.filter((s) => s.id !== commandId),
        );
        return finish(res, r, 204);
      }
      if (commandId !== undefined && m === 'GET') {
        const c = stored.find((s) => s.id === commandId);
        return c ? finish(res, r, 200, c) : finish(res, r, 404, { code: 10063, message: 'Unknown application command' });
      }
    }
    return finish(res, r, 404, { message: '404: Not Found', code: 0 });
  }

  // --- gateway ---

  function frame(c: Connection, direction: 'in' | 'out', payload: any): void {
    const f: GatewayFrame = {
      at: performance.now(),
      direction,
      connection: c.n,
      ...(c.session ? { shard: c.session.shard[0] } : {}),
      op: payload.op,
      t: payload.t,
      s: payload.s,
      d: payload.d,
    };
    frames.push(f);
    for (const w of [...frameWaiters]) w(f);
  }

  function out(c: Connection, payload: any): void {
    if (c.ws.readyState !== WebSocket.OPEN) return;
    frame(c, 'out', payload);
    c.ws.send(JSON.stringify(payload));
  }

  function onConnection(ws: WebSocket): void {
    const c: Connection = { n: ++connectionCount, ws, ack: true, ready: false };
    connections.add(c);
    ws.on('message', (data: RawData, isBinary: boolean) => onFrame(c, data, isBinary));
    ws.on('close', () => {
      connections.delete(c);
      if (c.session?.connection === c) c.session.connection = undefined;
    });
    ws.on('error', () => undefined);
    out(c, { op: 10, d: { heartbeat_interval: heartbeatInterval, _trace: ['fake-discord'] }, s: null, t: null });
  }

  function onFrame(c: Connection, data: RawData, isBinary: boolean): void {
    if (isBinary) return c.ws.close(4002, 'Decode error');
    let payload: any;
    try {
      payload = JSON.parse(String(data));
    } catch {
      return c.ws.close(4002, 'Decode error');
    }
    frame(c, 'in', payload);
    switch (payload.op) {
      case 1:
        if (c.ack) out(c, { op: 11 });
        return;
      case 2: {
        if (options.token !== undefined && payload.d?.token !== options.token) return c.ws.close(4004, 'Authentication failed.');
        if (c.ready) return c.ws.close(4005, 'Already authenticated.');
        const shard = payload.d?.shard ?? [0, 1];
        const valid = Array.isArray(shard) && shard.length === 2 && shard.every(Number.isInteger) && shard[1] >= 1 && shard[0] >= 0 && shard[0] < shard[1];
        if (!valid) return c.ws.close(4010, 'Invalid shard.');
        return whenReleased(shard[0], c, () => identify(c, [shard[0], shard[1]]));
      }
      case 6: {
        const session = sessions.get(payload.d?.session_id);
        if (!session || (options.token !== undefined && payload.d?.token !== options.token)) {
          out(c, { op: 9, d: false, s: null, t: null });
          return;
        }
        return whenReleased(session.shard[0], c, () => {
          attach(c, session);
          const seen = Number(payload.d?.seq ?? 0);
          for (const e of session.events) if (e.s > seen) out(c, { op: 0, t: e.t, s: e.s, d: e.d });
          session.seq += 1;
          out(c, { op: 0, t: 'RESUMED', s: session.seq, d: { _trace: ['fake-discord'] } });
        });
      }
      default:
        return;
    }
  }

  /** Runs `answer` now, or when `holdShard`'s release is called, if the connection is still open then. */
  function whenReleased(shard: number, c: Connection, answer: () => void): void {
    const queue = held.get(shard);
    if (!queue) return answer();
    queue.push(() => {
      if (c.ws.readyState === WebSocket.OPEN) answer();
    });
  }

  function identify(c: Connection, shard: [number, number]): void {
    const session: Session = { id: randomBytes(16).toString('hex'), shard, seq: 0, events: [] };
    sessions.set(session.id, session);
    shardSessions.set(shard[0], session);
    attach(c, session);
    const mine = guilds.filter((g) => shardForGuild(g.id, shard[1]) === shard[0]);
    sessionDispatch(session, 'READY', {
      v: 10,
      user: botUser,
      // Like Discord: the shard's guilds, unavailable until their GUILD_CREATE (discord.js waits for them).
      guilds: mine.map((g) => ({ id: g.id, unavailable: true })),
      session_id: session.id,
      resume_gateway_url: gatewayUrl,
      shard,
      application: { id: applicationId, flags: 0 },
      user_settings: {},
      private_channels: [],
      presences: [],
      relationships: [],
      guild_join_requests: [],
      geo_ordered_rtc_regions: [],
      _trace: ['fake-discord'],
    });
    for (const g of mine) sessionDispatch(session, 'GUILD_CREATE', guildPayload(g));
  }

  function guildPayload(g: FakeGuild): any {
    return {
      id: g.id,
      name: g.name ?? `Guild ${g.id}`,
      icon: null,
      owner_id: '1190000000000000300',
      preferred_locale: g.locale ?? 'en-US',
      features: [],
      unavailable: false,
      large: false,
      member_count: 1,
      joined_at: new Date(0).toISOString(),
      roles: [{ id: g.id, name: '@everyone', permissions: MEMBER_PERMISSIONS, position: 0, color: 0, hoist: false, managed: false, mentionable: false }],
      channels: (g.channels ?? []).map((id, position) => ({ id, type: 0, name: `channel-${position}`, guild_id: g.id, position, permission_overwrites: [] })),
      members: [],
      threads: [],
      emojis: [],
      stickers: [],
      presences: [],
      voice_states: [],
      stage_instances: [],
      guild_scheduled_events: [],
      soundboard_sounds: [],
    };
  }

  /** The session a dispatch about this guild goes to: the owning shard's; shard 0's without a guild. */
  function sessionFor(guildId: string | undefined): Session {
    const shard = guildId === undefined ? 0 : shardOf(guildId);
    const session = shardSessions.get(shard);
    if (!session) throw new Error(`fake Discord: no gateway session for shard ${shard} yet (it has not identified)`);
    return session;
  }

  function shardOf(guildId: string): number {
    const count = shardSessions.get(0)?.shard[1] ?? [...shardSessions.values()][0]?.shard[1] ?? options.shards ?? 1;
    return shardForGuild(guildId, count);
  }

  const ofShard = (shard: number | undefined) => (c: Connection) => shard === undefined || c.session?.shard[0] === shard;

  function attach(c: Connection, session: Session): void {
    const previous = session.connection;
    if (previous && previous !== c && previous.ws.readyState === WebSocket.OPEN) previous.ws.terminate();
    session.connection = c;
    c.session = session;
    c.ready = true;
  }

  function sessionDispatch(session: Session, t: string, d: unknown): number {
    session.seq += 1;
    const s = session.seq;
    session.events.push({ s, t, d });
    if (session.events.length > 5000) session.events.splice(0, session.events.length - 5000);
    const c = session.connection;
    if (c?.ready) out(c, { op: 0, t, s, d });
    return s;
  }

  // --- interactions ---

  function buildInteraction(spec: InteractionSpec): any {
    const id = snowflake();
    const token = `aW50ZXJhY3Rpb246${id}:${randomBytes(24).toString('base64url')}`;
    const guildId = spec.dm ? undefined : (spec.guildId ?? '1190000000000000100');
    const channelId = spec.channelId ?? '1190000000000000200';
    const user = {
      id: spec.userId ?? '1190000000000000300',
      username: spec.username ?? 'tester',
      discriminator: '0',
      global_name: spec.username ?? 'Tester',
      avatar: null,
    };
    const permissions = spec.permissions !== undefined ? String(spec.permissions) : MEMBER_PERMISSIONS;
    const commandName = spec.command ?? 'niger';
    const dataOptions = spec.rawOptions ?? commandOptions(spec.path, spec.options, spec.focused);
    const type = spec.kind === 'autocomplete' ? 4 : spec.kind === 'component' ? 3 : spec.kind === 'modal_submit' ? 5 : 2;
    const data =
      spec.kind === 'component'
        ? spec.values
          ? { custom_id: spec.customId ?? '', component_type: 3, values: spec.values }
          : { custom_id: spec.customId ?? '', component_type: 2 }
        : spec.kind === 'modal_submit'
          ? {
              custom_id: spec.customId ?? '',
              components: Object.entries(spec.fields ?? {}).map(([customId, value]) => ({
                type: 1,
                components: [{ type: 4, id: 1, custom_id: customId, value }],
              })),
            }
          : {
              id: '1190000000000000400',
              name: commandName,
              type: 1,
              ...(guildId ? { guild_id: guildId } : {}),
              options: dataOptions,
            };
    return {
      id,
      token,
      type,
      ...(spec.message ? { message: spec.message } : {}),
      version: 1,
      application_id: applicationId,
      channel_id: channelId,
      channel: spec.dm ? { id: channelId, type: 1, recipients: [user] } : { id: channelId, type: 0, guild_id: guildId, name: 'general' },
      ...(spec.dm
        ? { user, context: 1 }
        : {
            guild_id: guildId,
            guild: { id: guildId, locale: 'en-US', features: [] },
            member: { user, roles: spec.roles ?? [], joined_at: new Date(0).toISOString(), deaf: false, mute: false, permissions, flags: 0 },
            context: 0,
          }),
      app_permissions: String(spec.appPermissions ?? '2248473465835073'),
      locale: spec.locale ?? 'en-US',
      ...(spec.dm ? {} : { guild_locale: spec.guildLocale ?? 'en-US' }),
      entitlements: [],
      authorizing_integration_owners: spec.dm ? { '1': user.id } : { '0': guildId },
      attachment_size_limit: 10_485_760,
      data,
    };
  }

  function dispatchInteraction(spec: InteractionSpec | { payload: any }): DispatchedInteraction {
    const payload = 'payload' in spec ? spec.payload : buildInteraction(spec);
    const at = performance.now();
    const since = requests.length;
    const session = sessionFor(payload.guild_id);
    const state: InteractionState = {
      id: payload.id,
      token: payload.token,
      at,
      followups: [],
      channelId: payload.channel_id,
      guildId: payload.guild_id,
      type: payload.type,
      ...(payload.message?.id ? { messageId: payload.message.id } : {}),
      appPermissions: BigInt(payload.app_permissions),
    };
    interactions.set(state.id, state);
    byToken.set(state.token, state);
    const seq = sessionDispatch(session, 'INTERACTION_CREATE', payload);
    return {
      id: payload.id,
      token: payload.token,
      payload,
      seq,
      shard: session.shard[0],
      at,
      result: (timeoutMs = 5000) => interactionResult(payload.id, since, timeoutMs),
    };
  }

  async function interactionResult(id: string, since: number, timeoutMs: number): Promise<InteractionResult> {
    const mine = (r: RecordedRequest) => r.interactionId === id;
    const callback = await waitFor((r) => mine(r) && r.route === 'POST /interactions/:id/:token/callback', timeoutMs, since);
    const type = callback.body?.type;
    const base = { callback, deferred: type === 5 };
    if (callback.status >= 300) return { ...base, requests: requests.slice(since).filter(mine), ephemeral: false };
    if (type === 8) return { ...base, requests: [callback], ephemeral: false, choices: callback.body.data.choices };
    if (type === 4) {
      return { ...base, requests: [callback], message: callback.body.data, ephemeral: Boolean((callback.body.data?.flags ?? 0) & 64) };
    }
    if (type === 9) return { ...base, requests: [callback], ephemeral: true, modal: callback.body.data };
    if (type === 7) return { ...base, requests: [callback], message: callback.body.data, ephemeral: false, updated: true };
    // Deferred: the answer is an edit of @original or a follow-up.
    const answer = await waitFor(
      (r) => mine(r) && r.status < 300 && (r.route === 'PATCH /webhooks/:app/:token/messages/@original' || r.route === 'POST /webhooks/:app/:token'),
      timeoutMs,
      callback.index + 1,
    );
    const msg = answer.response;
    return {
      ...base,
      requests: requests.slice(since).filter(mine),
      message: { ...msg, ...(answer.method === 'POST' ? { flags: answer.body?.flags ?? 0 } : {}) },
      ephemeral: answer.method === 'POST' ? Boolean((answer.body?.flags ?? 0) & 64) : Boolean((callback.body?.data?.flags ?? 0) & 64),
    };
  }

  // --- waiting ---

  function waitFor(predicate: (r: RecordedRequest) => boolean, timeoutMs = 5000, since = 0): Promise<RecordedRequest> {
    for (let i = since; i < requests.length; i++) if (predicate(requests[i]!)) return Promise.resolve(requests[i]!);
    return new Promise((resolve, reject) => {
      const waiter = (r: RecordedRequest) => {
        if (r.index < since || !predicate(r)) return;
        clearTimeout(timer);
        requestWaiters.delete(waiter);
        resolve(r);
      };
      const timer = setTimeout(() => {
        requestWaiters.delete(waiter);
        const recent = requests
          .slice(-5)
          .map((r) => `${r.route} → ${r.status}`)
          .join('; ');
        reject(new Error(`fake Discord: no matching request within ${timeoutMs} ms (last: ${recent || 'none'})`));
      }, timeoutMs);
      requestWaiters.add(waiter);
    });
  }

  function waitForFrame(predicate: (f: GatewayFrame) => boolean, timeoutMs = 5000, since = 0): Promise<GatewayFrame> {
    for (let i = since; i < frames.length; i++) if (predicate(frames[i]!)) return Promise.resolve(frames[i]!);
    return new Promise((resolve, reject) => {
      const waiter = (f: GatewayFrame) => {
        if (!predicate(f)) return;
        clearTimeout(timer);
        frameWaiters.delete(waiter);
        resolve(f);
      };
      const timer = setTimeout(() => {
        frameWaiters.delete(waiter);
        reject(new Error(`fake Discord: no matching gateway frame within ${timeoutMs} ms`));
      }, timeoutMs);
      frameWaiters.add(waiter);
    });
  }

  return {
    apiUrl,
    gatewayUrl,
    port,
    applicationId,
    botUser,
    requests,
    frames,
    channelMessages: (channelId) => [...(messages.get(channelId) ?? [])],
    commands: (guildId) => [...(commandStore.get(guildId ?? '') ?? [])],
    dispatch: (t, d) => sessionDispatch(sessionFor((d as { guild_id?: string } | null)?.guild_id), t, d),
    dispatchInteraction,
    waitFor,
    waitForFrame,
    failNext(count, failure, match = isChannelPost) {
      failures.push({ remaining: count, failure, match });
    },
    failNextChannelMessages(count, failure) {
      failures.push({ remaining: count, failure, match: isChannelPost });
    },
    stopAckingHeartbeats(shard) {
      for (const c of [...connections].filter(ofShard(shard))) c.ack = false;
    },
    dropConnection(code, shard) {
      for (const c of [...connections].filter(ofShard(shard))) {
        if (code === undefined) c.ws.terminate();
        else c.ws.close(code, 'fake Discord closed the connection');
      }
    },
    sendReconnect(shard) {
      for (const c of [...connections].filter(ofShard(shard))) out(c, { op: 7, d: null, s: null, t: null });
    },
    holdShard(shard) {
      if (!held.has(shard)) held.set(shard, []);
      return () => {
        const queue = held.get(shard) ?? [];
        held.delete(shard);
        for (const answer of queue) answer();
      };
    },
    readyConnections: () => [...connections].filter((c) => c.ready && c.ws.readyState === WebSocket.OPEN).length,
    shardOf,
    sessions: () =>
      [...shardSessions.values()].map((session) => ({
        shard: session.shard,
        sessionId: session.id,
        connected: session.connection?.ws.readyState === WebSocket.OPEN,
      })),
    async close() {
      for (const c of connections) c.ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A command as Discord's GET gives it without with_localizations: no *_localizations maps, at any depth. */
function withoutLocalizations(c: any): any {
  const { name_localizations: _n, description_localizations: _d, ...rest } = c;
  return { ...rest, ...(Array.isArray(c.options) ? { options: c.options.map(withoutLocalizations) } : {}) };
}

/**
 * Mention syntax Discord renders as a mention (and, in content, pings with when allowed_mentions lets it); a
 * backslash before `<` shows it as typed.
 */
const MENTION_SYNTAX = /@(?:everyone|here)|(?<!\\)<(?:@[!&]?|#)\d+>/gi;

/**
 * What Discord would act on as a mention in a message body: whatever allowed_mentions lets ping (without
 * allowed_mentions, everyone, users and roles), and mention syntax in the content or an embed outside inline
 * code — `@everyone`, `@here`, `<@id>`, `<@!id>`, `<@&id>`, `<#id>`. Empty: the message pings nobody.
 */
export function discordMentions(body: any): string[] {
  const found: string[] = [];
  const allowed = body?.allowed_mentions;
  for (const p of allowed == null ? ['everyone', 'users', 'roles'] : (allowed.parse ?? [])) found.push(`allowed_mentions.parse ${p}`);
  for (const id of allowed?.users ?? []) found.push(`allowed_mentions.users ${id}`);
  for (const id of allowed?.roles ?? []) found.push(`allowed_mentions.roles ${id}`);
  if (allowed?.replied_user) found.push('allowed_mentions.replied_user');
  const texts = [body?.content];
  for (const e of body?.embeds ?? []) {
    texts.push(e.title, e.description, e.author?.name, e.footer?.text);
    for (const f of e.fields ?? []) texts.push(f.name, f.value);
  }
  for (const text of texts) {
    if (typeof text === 'string') found.push(...(text.replace(/`[^`\n]+`/g, '').match(MENTION_SYNTAX) ?? []));
  }
  return found;
}
