/**
 * A local fake of the Slack platform for tests and benches, driven by the real @slack/bolt:
 *
 * - a Web API at `${apiUrl}<method>` (auth.test, chat.postMessage, chat.postEphemeral, users.info,
 *   conversations.history, conversations.info, views.open, views.publish, apps.connections.open, oauth.v2.access; anything else answers
 *   `unknown_method`),
 *   which checks the token and Slack's Block Kit limits the way Slack does (`invalid_blocks`,
 *   `msg_blocks_too_long`, `msg_too_long`);
 * - several workspaces (`addWorkspace`), each with a bot token of its own: the OAuth install's code exchange
 *   (`authorizationCode` stands for the user approving the install on Slack's page, oauth.v2.access gives that
 *   workspace's token for the code), and every call answered as the workspace its token belongs to (auth.test,
 *   users.info, posted messages), with the workspace recorded on the call (`ApiCall.teamId`); `revokeToken`;
 * - a `response_url` sink (`fake.responseUrl(id)`), where `respond()` posts;
 * - file uploads as Slack takes them: files.getUploadURLExternal (filename, length, `alt_txt`) hands out an upload URL
 *   on this fake, which keeps the bytes POSTed to it (raw, or a multipart part), and files.completeUploadExternal
 *   (`files` [{id, title}], channel_id, thread_ts, initial_comment) shares them in the channel as a message with
 *   `files`; every upload is in `uploads`; a token without `files:write` (`scopes`) gets `missing_scope`;
 * - a Socket Mode WebSocket (`apps.connections.open` hands out its URL; the fake says hello, pings,
 *   sends envelopes with `sendEnvelope` and records the acks).
 *
 * It keeps the messages posted per channel (`messagesIn`, and `conversations.history` with
 * `include_all_metadata`, newest first, `oldest`/`latest`/`limit`/`cursor`), records every request
 * (`requests`, and by kind `calls`, `responses`, `acks`), can be told to fail the next calls of a method
 * (`failNext`: 429 + Retry-After, ok:false errors, HTTP statuses, a slow answer, an error after the message
 * was posted, no answer at all) or to answer every call of a method slowly (`setLatency`), enforces Slack's
 * posting rate limits per channel and per workspace when given them (`postLimits`: 429s), and `waitFor`
 * waits on what it recorded, so tests never sleep. Helpers below build correctly signed slash commands
 * and Events API requests for an app in HTTP mode.
 *
 * Usage:
 *   const fake = await startFakeSlack();
 *   const app = new App({ token: 'xoxb-…', signingSecret, clientOptions: { slackApiUrl: fake.apiUrl } });
 *   const res = await sendSlashCommand(appUrl, signingSecret, slashCommandFields(fake, { text: 'help' }));
 *   const reply = await fake.waitFor(() => fake.responses[0]);
 *   await fake.close();
 */
import { createHmac, randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';

export const FAKE_TEAM_ID = 'T0FAKE001';
export const FAKE_BOT_USER_ID = 'U0FAKEBOT';
export const FAKE_BOT_ID = 'B0FAKEBOT';
export const FAKE_APP_ID = 'A0FAKEAPP';

function mintToken(teamId: string): string {
  return `xoxb-${teamId}-${randomBytes(6).toString('hex')}`;
}

/** The bot scopes oauth.v2.access grants (the manifest's). */
export const INSTALL_SCOPES = [
  'app_mentions:read',
  'channels:history',
  'channels:read',
  'chat:write',
  'chat:write.public',
  'commands',
  'files:write',
  'groups:history',
  'groups:read',
  'im:history',
  'mpim:history',
  'users:read',
];

/** The limits Slack enforces on a message (see tests/fakes/slack.ts `checkMessage`). */
export const FAKE_SLACK_LIMITS = {
  blocks: 50,
  headerText: 150,
  sectionText: 3000,
  fields: 10,
  fieldText: 2000,
  contextElements: 10,
  textObject: 3000,
  /** JSON characters of all blocks; Slack answers msg_blocks_too_long above roughly 13,000. */
  blocksJson: 13_000,
  /** Top-level `text`. */
  text: 40_000,
};

export interface FakeUser {
  id: string;
  name?: string;
  is_admin?: boolean;
  is_owner?: boolean;
  is_primary_owner?: boolean;
  is_bot?: boolean;
  /** What users.info gives as `locale` when asked with include_locale ("fr-FR"); absent: "en-US". */
  locale?: string;
  deleted?: boolean;
}

export interface FakeSlackOptions {
  /** The bot token the Web API accepts; by default any `xoxb-` token. */
  botToken?: string;
  /** The app-level token apps.connections.open accepts; by default any `xapp-` token. */
  appToken?: string;
  teamId?: string;
  botUserId?: string;
  botId?: string;
  appId?: string;
  /** Users users.info knows; an unknown id is an ordinary member (not admin, not owner). */
  users?: FakeUser[];
  /** Answer messages beyond Slack's Block Kit limits with Slack's errors (default true). */
  enforceLimits?: boolean;
  /** How often the fake pings Socket Mode clients (default 10 s; Bolt gives up after 30 s without). */
  pingIntervalMs?: number;
  /** The app's credentials oauth.v2.access accepts; without them it answers `invalid_client_id`. */
  oauth?: { clientId: string; clientSecret: string };
  /** Accept only tokens this fake issued (`botToken`, workspaces' tokens): any other is `invalid_auth`. */
  strictTokens?: boolean;
  /**
   * Rate limits on chat.postMessage, as Slack applies them (per channel, per workspace), enforced over a sliding
   * window with HTTP 429, `Retry-After` (whole seconds) and `{ok:false,error:'ratelimited'}`. Default: none.
   */
  postLimits?: { perChannel?: RateWindow; perWorkspace?: RateWindow };
  /** The bot's scopes (default INSTALL_SCOPES): the files.* methods answer `missing_scope` without `files:write`. */
  scopes?: string[];
}

/** A file upload, from files.getUploadURLExternal to files.completeUploadExternal. */
export interface FakeUpload {
  fileId: string;
  filename: string;
  /** The length declared to files.getUploadURLExternal. */
  length: number;
  /** Its `alt_txt` (Slack's name for the alt text); undefined when none was sent. */
  altTxt?: string;
  /** The bytes POSTed to the upload URL; undefined until then. */
  bytes?: Buffer;
  /** Set by files.completeUploadExternal. */
  completed?: { title?: string; channel?: string; threadTs?: string; initialComment?: string };
  teamId: string;
}

/** At most `limit` calls in any `windowMs`. */
export interface RateWindow {
  limit: number;
  windowMs: number;
}

/** A workspace the app can be installed in; `botToken` is what the install gives the app there. */
export interface FakeWorkspace {
  teamId: string;
  teamName: string;
  botUserId: string;
  botId: string;
  botToken: string;
}

/** Any HTTP request the fake received. */
export interface FakeRequest {
  kind: 'api' | 'response_url' | 'other';
  httpMethod: string;
  path: string;
  headers: IncomingHttpHeaders;
  rawBody: string;
  status: number;
  at: number;
}

/**
 * A Web API call. `args` are the form fields as sent (strings: `link_names: 'false'`), with `blocks`,
 * `attachments` and `metadata` parsed from their JSON strings.
 */
export interface ApiCall {
  method: string;
  /** The token sent (Authorization: Bearer, or the `token` field). */
  token?: string;
  /** The workspace that token belongs to, when the fake knows it (a token of `addWorkspace`, or `botToken`). */
  teamId?: string;
  args: Record<string, unknown>;
  status: number;
  /** What the fake answered (the JSON body, or the text of a non-JSON failure). */
  response: unknown;
  /** Set when an injected failure answered this call. */
  failure?: FakeFailure;
  at: number;
}

/** A POST to a response_url (what Bolt's `respond()` sends). */
export interface ResponseUrlPost {
  id: string;
  body: Record<string, unknown>;
  status: number;
  /** The Slack error when the fake refused the message (e.g. invalid_blocks). */
  error?: string;
  at: number;
}

/** A Socket Mode acknowledgement from the app. */
export interface SocketAck {
  envelope_id: string;
  payload?: unknown;
  at: number;
}

export type FakeFailure =
  /** HTTP 429 with `Retry-After: seconds` and `{ok:false,error:'ratelimited'}`. */
  | { rateLimited: number }
  /** HTTP 200 `{ok:false,error}`: channel_not_found, not_in_channel, invalid_blocks, msg_too_long, … */
  | { error: string }
  /** A bare HTTP status (500, 503…) with a text body. */
  | { status: number }
  /** The call is carried out (a message is posted) but answered only after `delayMs`. */
  | { delayMs: number }
  /** The call is carried out (a message is posted), then answered with this HTTP status: the outcome the caller cannot know. */
  | { statusAfterPosting: number }
  /** The call is carried out, and never answered (the connection stays open until the fake closes). */
  | { hangAfterPosting: true };

export interface FakeChannel {
  id: string;
  is_private?: boolean;
  is_member?: boolean;
}

/** A message the fake holds in a channel (what conversations.history returns). */
export interface FakeMessage {
  type: 'message';
  ts: string;
  text?: unknown;
  blocks?: unknown;
  user?: string;
  bot_id?: string;
  /** The workspace of the token that posted it. */
  team?: string;
  metadata?: unknown;
  /** Set by chat.update. */
  edited?: { user: string; ts: string };
  /** Files shared with the message (files.completeUploadExternal). */
  files?: { id: string; name: string; title: string; mimetype: string; size: number; alt_txt?: string }[];
  /** The thread the message is in. */
  thread_ts?: string;
}

/** A modal opened with views.open: the trigger it used and the view as Slack holds it (with its id). */
export interface OpenedView {
  trigger: string;
  view: Record<string, any>;
}

export interface FakeSlack {
  /** Modals opened (views.open that succeeded), in order. */
  readonly views: OpenedView[];
  /** Home tabs published (views.publish that succeeded), in order: the user and the view. */
  readonly homes: { user: string; view: Record<string, any> }[];
  /** Web API base, with the trailing slash (`clientOptions.slackApiUrl`, `SLACK_API_URL`). */
  readonly apiUrl: string;
  /** `http://127.0.0.1:PORT` */
  readonly baseUrl: string;
  readonly port: number;
  readonly teamId: string;
  readonly botUserId: string;
  readonly botId: string;
  readonly appId: string;
  /** Every HTTP request, in arrival order. */
  readonly requests: FakeRequest[];
  /** Web API calls, in arrival order. */
  readonly calls: ApiCall[];
  /** response_url posts, in arrival order. */
  readonly responses: ResponseUrlPost[];
  /** Socket Mode acks, in arrival order. */
  readonly acks: SocketAck[];
  /** File uploads, in the order their URLs were asked for. */
  readonly uploads: FakeUpload[];
  /** Web API calls of one method. */
  callsTo(method: string): ApiCall[];
  /** The messages posted into a channel (chat.postMessage that succeeded at the fake), oldest first. */
  messagesIn(channel: string): FakeMessage[];
  /** Every call of `method` is answered `ms` later (0 turns it off); the work is done at once. */
  setLatency(method: string, ms: number): void;
  /** A fresh response_url on this fake (`id` defaults to a random one). */
  responseUrl(id?: string): string;
  /** The next `times` calls of `method` fail as described (failures queue in order). */
  failNext(method: string, failure: FakeFailure, times?: number): void;
  setUser(user: FakeUser): void;
  /**
   * A channel as conversations.info shows it. A private one the bot is not a member of is invisible to it
   * (conversations.info: channel_not_found) and chat.postMessage there answers not_in_channel; a public one takes
   * posts without membership (chat:write.public). Channels never set are public, with the bot a member.
   */
  setChannel(channel: FakeChannel): void;
  /** A workspace with a bot token of its own (minted unless given), for OAuth installs. */
  addWorkspace(workspace: Partial<FakeWorkspace> & { teamId: string }): FakeWorkspace;
  /**
   * What Slack puts in the redirect after a user approves the install in `teamId` (the authorize page, which
   * the browser sees and the bot never does): a one-time code for oauth.v2.access.
   */
  authorizationCode(teamId: string): string;
  /** The token stops working (`token_revoked`), as after an uninstall. */
  revokeToken(token: string): void;
  /** Resolves with the predicate's first truthy value, re-checked on every new recording. */
  waitFor<T>(predicate: () => T | undefined | null | false, timeoutMs?: number, what?: string): Promise<T>;
  /** Resolves when the response_url `id` has been posted to. */
  waitForResponse(id: string, timeoutMs?: number): Promise<ResponseUrlPost>;
  /** Number of open Socket Mode connections. */
  socketCount(): number;
  /** Sends a Socket Mode envelope and resolves with the app's ack. */
  sendEnvelope(type: 'slash_commands' | 'events_api' | 'interactive', payload: unknown, timeoutMs?: number): Promise<SocketAck>;
  /** Asks the Socket Mode clients to reconnect (`{"type":"disconnect"}`). */
  disconnectSockets(reason?: string): void;
  /** Forgets recordings and pending failures (users stay). */
  reset(): void;
  close(): Promise<void>;
}

/** Starts the fake on 127.0.0.1 and an ephemeral port. */
export async function startFakeSlack(options: FakeSlackOptions = {}): Promise<FakeSlack> {
  const teamId = options.teamId ?? FAKE_TEAM_ID;
  const botUserId = options.botUserId ?? FAKE_BOT_USER_ID;
  const botId = options.botId ?? FAKE_BOT_ID;
  const appId = options.appId ?? FAKE_APP_ID;
  const enforceLimits = options.enforceLimits ?? true;
  const users = new Map<string, FakeUser>((options.users ?? []).map((u) => [u.id, u]));
  const failures = new Map<string, FakeFailure[]>();
  const latency = new Map<string, number>();
  const channels = new Map<string, FakeMessage[]>();
  const channelInfo = new Map<string, FakeChannel>();
  const events = new EventEmitter();
  events.setMaxListeners(0);
  const responseWaiters = new Map<string, (post: ResponseUrlPost) => void>();
  const ackWaiters = new Map<string, (ack: SocketAck) => void>();
  const requests: FakeRequest[] = [];
  const calls: ApiCall[] = [];
  const responses: ResponseUrlPost[] = [];
  const acks: SocketAck[] = [];
  let tsCounter = 0;
  let ticket = 0;
  let viewCounter = 0;
  const usedTriggers = new Set<string>();
  const views: OpenedView[] = [];
  const homes: { user: string; view: Record<string, any> }[] = [];
  const defaultWorkspace: Omit<FakeWorkspace, 'botToken'> = { teamId, teamName: 'Fake Workspace', botUserId, botId };
  const workspaces = new Map<string, FakeWorkspace>();
  const byToken = new Map<string, FakeWorkspace>();
  const codes = new Map<string, string>();
  const revoked = new Set<string>();
  // Arrival times of the posts Slack accepted, per rate-limit key (sliding windows).
  const postTimes = new Map<string, number[]>();
  const scopes = new Set(options.scopes ?? INSTALL_SCOPES);
  const uploads: FakeUpload[] = [];
  let fileCounter = 0;

  /** The seconds to wait when a post now would go over one of `postLimits`, else null (and the post is counted). */
  function overPostLimit(channel: string, teamId: string, now: number): number | null {
    const keyed: [string, RateWindow | undefined][] = [
      [`channel:${channel}`, options.postLimits?.perChannel],
      [`workspace:${teamId}`, options.postLimits?.perWorkspace],
    ];
    let waitMs = 0;
    for (const [key, limit] of keyed) {
      if (!limit) continue;
      const times = (postTimes.get(key) ?? []).filter((t) => t > now - limit.windowMs);
      postTimes.set(key, times);
      if (times.length >= limit.limit) waitMs = Math.max(waitMs, times[0]! + limit.windowMs - now);
    }
    if (waitMs > 0) return Math.max(1, Math.ceil(waitMs / 1000));
    for (const [key, limit] of keyed) if (limit) postTimes.get(key)!.push(now);
    return null;
  }

  const recorded = () => events.emit('record');

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const bytes = Buffer.concat(chunks);
      if (req.method === 'POST' && (req.url ?? '').startsWith('/upload/')) {
        void receiveUpload(req, res, bytes).catch((err: unknown) => send(res, 500, `fake error: ${String(err)}`));
        return;
      }
      const rawBody = bytes.toString('utf8');
      try {
        route(req, res, rawBody);
      } catch (err) {
        send(res, 500, { ok: false, error: 'fake_internal_error', detail: String(err) });
      }
    });
  });

  function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    res.writeHead(status, {
      'content-type': typeof body === 'string' ? 'text/plain' : 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(text),
      ...headers,
    });
    res.end(text);
  }

  function record(req: IncomingMessage, kind: FakeRequest['kind'], path: string, rawBody: string, status: number): void {
    requests.push({ kind, httpMethod: req.method ?? '', path, headers: req.headers, rawBody, status, at: Date.now() });
  }

  function route(req: IncomingMessage, res: ServerResponse, rawBody: string): void {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const path = url.pathname;
    if (req.method === 'POST' && path.startsWith('/api/')) {
      const status = handleApi(req, res, path.slice('/api/'.length), rawBody);
      record(req, 'api', path, rawBody, status);
    } else if (req.method === 'POST' && path.startsWith('/respond/')) {
      const status = handleResponseUrl(res, decodeURIComponent(path.slice('/respond/'.length)), rawBody);
      record(req, 'response_url', path, rawBody, status);
    } else {
      send(res, 404, 'not found');
      record(req, 'other', path, rawBody, 404);
    }
    recorded();
  }

  /** The upload URL's end: the bytes as sent (raw), or the file part of a multipart form, kept with the upload. */
  async function receiveUpload(req: IncomingMessage, res: ServerResponse, bytes: Buffer): Promise<void> {
    const id = decodeURIComponent((req.url ?? '').slice('/upload/'.length).split('?')[0]!);
    const upload = uploads.find((u) => u.fileId === id);
    let status = 404;
    if (upload) {
      const type = String(req.headers['content-type'] ?? '');
      let data = bytes;
      if (/^multipart\/form-data\b/i.test(type)) {
        const form = await new Response(bytes, { headers: { 'content-type': type } }).formData();
        const file = [...form.values()].find((v) => typeof v !== 'string') as Blob | undefined;
        data = file ? Buffer.from(await file.arrayBuffer()) : Buffer.alloc(0);
      }
      upload.bytes = data;
      status = 200;
    }
    send(res, status, status === 200 ? `OK - ${bytes.length}` : 'not found');
    record(req, 'other', req.url ?? '', '', status);
    recorded();
  }

  function parseArgs(req: IncomingMessage, rawBody: string): Record<string, unknown> {
    const type = String(req.headers['content-type'] ?? '');
    let args: Record<string, unknown> = {};
    if (type.includes('application/json')) {
      args = rawBody ? (JSON.parse(rawBody) as Record<string, unknown>) : {};
    } else {
      args = Object.fromEntries(new URLSearchParams(rawBody));
    }
    for (const key of ['blocks', 'attachments', 'metadata']) {
      const v = args[key];
      if (typeof v === 'string') {
        try {
          args[key] = JSON.parse(v);
        } catch {
          // keep the string: checkMessage reports invalid_blocks
        }
      }
    }
    return args;
  }

  function handleApi(req: IncomingMessage, res: ServerResponse, method: string, rawBody: string): number {
    let args: Record<string, unknown>;
    try {
      args = parseArgs(req, rawBody);
    } catch {
      const body = { ok: false, error: 'invalid_form_data' };
      calls.push({ method, args: {}, status: 200, response: body, at: Date.now() });
      send(res, 200, body);
      return 200;
    }
    const auth = String(req.headers.authorization ?? '');
    const token = auth.startsWith('Bearer ') ? auth.slice('Bearer '.length) : typeof args.token === 'string' ? args.token : undefined;
    // Whose token it is: a workspace's own, else (the single-token setup) the default workspace.
    const issued = token ? byToken.get(token) : undefined;
    const workspace = issued ?? (token && options.botToken && token === options.botToken ? { ...defaultWorkspace, botToken: token } : undefined);
    const call: ApiCall = {
      method,
      ...(token ? { token } : {}),
      ...(workspace ? { teamId: workspace.teamId } : {}),
      args,
      status: 200,
      response: undefined,
      at: Date.now(),
    };
    calls.push(call);

    const queue = failures.get(method);
    const failure = queue?.shift();
    // Failures that happen after the work is done: the call is carried out, only its answer is lost or late.
    const after = failure && ('delayMs' in failure || 'statusAfterPosting' in failure || 'hangAfterPosting' in failure) ? failure : undefined;
    const delay = after && 'delayMs' in after ? after.delayMs : (latency.get(method) ?? 0);
    const reply = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      call.status = status;
      call.response = body;
      if (after) call.failure = after;
      if (after && 'hangAfterPosting' in after) return status;
      if (after && 'statusAfterPosting' in after) {
        call.status = after.statusAfterPosting;
        call.response = `fake HTTP ${after.statusAfterPosting}`;
        send(res, after.statusAfterPosting, `fake HTTP ${after.statusAfterPosting}`);
        return after.statusAfterPosting;
      }
      if (delay > 0) setTimeout(() => send(res, status, body, headers), delay);
      else send(res, status, body, headers);
      return status;
    };

    if (failure && !after) {
      call.failure = failure;
      if ('rateLimited' in failure) return reply(429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(failure.rateLimited) });
      if ('error' in failure) return reply(200, { ok: false, error: failure.error });
      if ('status' in failure) return reply(failure.status, `fake HTTP ${failure.status}`);
    }

    // The app's own credentials, not a token: the install's code exchange.
    if (method === 'oauth.v2.access') return reply(200, oauthAccess(req, args));

    const appLevel = method === 'apps.connections.open';
    const tokenOk = appLevel
      ? token !== undefined && (options.appToken ? token === options.appToken : token.startsWith('xapp-'))
      : token !== undefined &&
        (issued !== undefined || (options.botToken ? token === options.botToken : !options.strictTokens && token.startsWith('xoxb-') && !revoked.has(token)));
    if (!token) return reply(200, { ok: false, error: 'not_authed' });
    if (revoked.has(token)) return reply(200, { ok: false, error: 'token_revoked' });
    if (!tokenOk) return reply(200, { ok: false, error: appLevel && token.startsWith('xoxb-') ? 'not_allowed_token_type' : 'invalid_auth' });
    const as = workspace ?? { ...defaultWorkspace, botToken: token };

    switch (method) {
      case 'auth.test':
        return reply(200, {
          ok: true,
          url: `https://${as.teamName.toLowerCase().replace(/\W+/g, '-')}.slack.com/`,
          team: as.teamName,
          user: 'niger-watch',
          team_id: as.teamId,
          user_id: as.botUserId,
          bot_id: as.botId,
          is_enterprise_install: false,
        });
      case 'apps.connections.open':
        ticket += 1;
        return reply(200, { ok: true, url: `ws://127.0.0.1:${port()}/link/?ticket=fake-${ticket}` });
      case 'chat.postMessage':
      case 'chat.postEphemeral': {
        if (typeof args.channel !== 'string' || !args.channel) return reply(200, { ok: false, error: 'channel_not_found' });
        if (method === 'chat.postEphemeral' && (typeof args.user !== 'string' || !args.user)) {
          return reply(200, { ok: false, error: 'user_not_in_channel' });
        }
        const problem = enforceLimits ? checkMessage(args) : undefined;
        if (problem) return reply(200, { ok: false, error: problem.error, errors: problem.details });
        const info = channelInfo.get(args.channel);
        if (info?.is_private && !info.is_member) return reply(200, { ok: false, error: 'not_in_channel' });
        const retryAfter = method === 'chat.postMessage' ? overPostLimit(args.channel, as.teamId, call.at) : null;
        if (retryAfter !== null) return reply(429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(retryAfter) });
        tsCounter += 1;
        const ts = `${Math.floor(Date.now() / 1000)}.${String(tsCounter).padStart(6, '0')}`;
        if (method === 'chat.postEphemeral') return reply(200, { ok: true, message_ts: ts });
        const message: FakeMessage = {
          type: 'message',
          user: as.botUserId,
          bot_id: as.botId,
          team: as.teamId,
          ts,
          text: args.text,
          blocks: args.blocks,
          ...(args.metadata && typeof args.metadata === 'object' ? { metadata: args.metadata } : {}),
          ...(typeof args.thread_ts === 'string' ? { thread_ts: args.thread_ts } : {}),
        };
        const held = channels.get(args.channel) ?? [];
        held.push(message);
        channels.set(args.channel, held);
        const { metadata: _metadata, ...shown } = message;
        return reply(200, { ok: true, channel: args.channel, ts, message: shown });
      }
      case 'chat.update': {
        // Like Slack: the bot's own message in the channel, by ts; the same Block Kit checks as a post.
        const held = typeof args.channel === 'string' ? channels.get(args.channel) : undefined;
        if (!held) return reply(200, { ok: false, error: 'channel_not_found' });
        const target = held.find((m) => m.ts === args.ts);
        if (!target) return reply(200, { ok: false, error: 'message_not_found' });
        if (target.user !== as.botUserId) return reply(200, { ok: false, error: 'cant_update_message' });
        const problem = enforceLimits ? checkMessage(args) : undefined;
        if (problem) return reply(200, { ok: false, error: problem.error, errors: problem.details });
        target.text = args.text;
        target.blocks = args.blocks;
        target.edited = { user: as.botUserId, ts: slackTs() };
        return reply(200, { ok: true, channel: args.channel, ts: target.ts, text: args.text });
      }
      case 'views.open': {
        // A trigger works once and for 3 s, as Slack's do; the view is checked as Slack checks modals.
        const trigger = typeof args.trigger_id === 'string' ? args.trigger_id : '';
        if (!trigger) return reply(200, { ok: false, error: 'invalid_arguments' });
        if (usedTriggers.has(trigger)) return reply(200, { ok: false, error: 'invalid_trigger_id' });
        const issued = Number(trigger.split('.')[0]);
        if (Number.isFinite(issued) && issued > 1e12 && Date.now() - issued > 3000) return reply(200, { ok: false, error: 'expired_trigger_id' });
        usedTriggers.add(trigger);
        // @slack/web-api sends nested objects as JSON text in the form, as Slack accepts them.
        let view: Record<string, unknown> | undefined;
        try {
          view = typeof args.view === 'string' ? (JSON.parse(args.view) as Record<string, unknown>) : (args.view as Record<string, unknown> | undefined);
        } catch {
          return reply(200, { ok: false, error: 'invalid_arguments' });
        }
        const problems = checkView(view);
        if (problems.length) return reply(200, { ok: false, error: 'invalid_arguments', response_metadata: { messages: problems } });
        viewCounter += 1;
        const opened = { id: `V${String(viewCounter).padStart(8, '0')}`, team_id: as.teamId, app_id: appId, ...view, state: { values: {} }, hash: 'h' };
        views.push({ trigger, view: opened });
        return reply(200, { ok: true, view: opened });
      }
      case 'conversations.info': {
        const id = typeof args.channel === 'string' ? args.channel : '';
        const info = channelInfo.get(id) ?? { id, is_private: false, is_member: true };
        if (!id || (info.is_private && !info.is_member)) return reply(200, { ok: false, error: 'channel_not_found' });
        return reply(200, {
          ok: true,
          channel: {
            id,
            name: id.toLowerCase(),
            is_channel: !info.is_private,
            is_group: false,
            is_im: false,
            is_private: info.is_private ?? false,
            is_member: info.is_member ?? true,
          },
        });
      }
      case 'views.publish': {
        // A Home tab for one user: the view is checked as Slack checks one (type home, 100 blocks, each block valid).
        const user = typeof args.user_id === 'string' ? args.user_id : '';
        if (!/^[UW][A-Z0-9]+$/.test(user)) return reply(200, { ok: false, error: 'invalid_arguments' });
        let view: Record<string, any> | undefined;
        try {
          view = typeof args.view === 'string' ? (JSON.parse(args.view) as Record<string, any>) : (args.view as Record<string, any> | undefined);
        } catch {
          return reply(200, { ok: false, error: 'invalid_arguments' });
        }
        const problems = checkHomeView(view);
        if (problems.length) return reply(200, { ok: false, error: 'invalid_arguments', response_metadata: { messages: problems } });
        viewCounter += 1;
        const published = { id: `V${String(viewCounter).padStart(8, '0')}`, team_id: as.teamId, app_id: appId, ...view, hash: 'h' };
        homes.push({ user, view: published });
        return reply(200, { ok: true, view: published });
      }
      case 'conversations.history': {
        // Newest first, like Slack; metadata only with include_all_metadata. The cursor is an offset here.
        if (typeof args.channel !== 'string' || !args.channel) return reply(200, { ok: false, error: 'channel_not_found' });
        const oldest = Number(args.oldest ?? 0);
        const latest = args.latest === undefined ? Infinity : Number(args.latest);
        const limit = Math.min(999, Math.max(1, Number(args.limit ?? 100)));
        const offset = Number(args.cursor ?? 0);
        const withMetadata = args.include_all_metadata === true || args.include_all_metadata === 'true';
        const inRange = (channels.get(args.channel) ?? []).filter((m) => Number(m.ts) > oldest && Number(m.ts) < latest).reverse();
        const page = inRange.slice(offset, offset + limit).map((m) => {
          if (withMetadata) return m;
          const { metadata: _metadata, ...shown } = m;
          return shown;
        });
        const more = offset + limit < inRange.length;
        return reply(200, { ok: true, messages: page, has_more: more, response_metadata: { next_cursor: more ? String(offset + limit) : '' } });
      }
      case 'users.info': {
        const id = typeof args.user === 'string' ? args.user : '';
        if (!/^[UW][A-Z0-9]+$/.test(id)) return reply(200, { ok: false, error: 'user_not_found' });
        const u = users.get(id) ?? { id };
        return reply(200, {
          ok: true,
          user: {
            id,
            team_id: as.teamId,
            name: u.name ?? id.toLowerCase(),
            deleted: u.deleted ?? false,
            is_admin: u.is_admin ?? false,
            is_owner: u.is_owner ?? false,
            is_primary_owner: u.is_primary_owner ?? false,
            is_bot: u.is_bot ?? false,
            // Like Slack: the locale only when asked for.
            ...(args.include_locale === true || args.include_locale === 'true' ? { locale: u.locale ?? 'en-US' } : {}),
          },
        });
      }
      case 'files.getUploadURLExternal': {
        if (!scopes.has('files:write')) return reply(200, { ok: false, error: 'missing_scope', needed: 'files:write', provided: [...scopes].join(',') });
        const length = Number(args.length);
        if (typeof args.filename !== 'string' || !args.filename || args.length === undefined) return reply(200, { ok: false, error: 'invalid_arguments' });
        if (!Number.isInteger(length) || length <= 0) return reply(200, { ok: false, error: 'missing_argument' });
        if (typeof args.alt_txt === 'string' && args.alt_txt.length > 1000) return reply(200, { ok: false, error: 'alt_txt_too_large' });
        fileCounter += 1;
        const fileId = `F0FAKE${String(fileCounter).padStart(5, '0')}`;
        uploads.push({
          fileId,
          filename: args.filename,
          length,
          ...(typeof args.alt_txt === 'string' ? { altTxt: args.alt_txt } : {}),
          teamId: as.teamId,
        });
        return reply(200, { ok: true, upload_url: `${baseUrl}/upload/${fileId}`, file_id: fileId });
      }
      case 'files.completeUploadExternal': {
        if (!scopes.has('files:write')) return reply(200, { ok: false, error: 'missing_scope', needed: 'files:write', provided: [...scopes].join(',') });
        let listed: unknown;
        try {
          listed = typeof args.files === 'string' ? JSON.parse(args.files) : args.files;
        } catch {
          return reply(200, { ok: false, error: 'invalid_arguments' });
        }
        if (!Array.isArray(listed) || listed.length === 0 || listed.length > 10) return reply(200, { ok: false, error: 'invalid_arguments' });
        if (args.thread_ts !== undefined && typeof args.channel_id !== 'string') return reply(200, { ok: false, error: 'invalid_arguments' });
        const done: FakeUpload[] = [];
        for (const f of listed as { id?: unknown; title?: unknown }[]) {
          const u = uploads.find((x) => x.fileId === f?.id && x.teamId === as.teamId);
          // Never uploaded, or not the length declared: Slack cannot finish it.
          if (!u?.bytes || u.bytes.length !== u.length || u.completed) return reply(200, { ok: false, error: 'file_not_found' });
          done.push(u);
          u.completed = { ...(typeof f.title === 'string' ? { title: f.title } : {}) };
        }
        const channel = typeof args.channel_id === 'string' ? args.channel_id : undefined;
        const threadTs = typeof args.thread_ts === 'string' ? args.thread_ts : undefined;
        const initialComment = typeof args.initial_comment === 'string' ? args.initial_comment : undefined;
        const shown = done.map((u) => ({
          id: u.fileId,
          name: u.filename,
          title: u.completed!.title ?? u.filename,
          mimetype: u.filename.endsWith('.png') ? 'image/png' : 'application/octet-stream',
          size: u.bytes!.length,
          ...(u.altTxt !== undefined ? { alt_txt: u.altTxt } : {}),
        }));
        for (const u of done) Object.assign(u.completed!, { channel, threadTs, initialComment });
        if (channel) {
          tsCounter += 1;
          const ts = `${Math.floor(Date.now() / 1000)}.${String(tsCounter).padStart(6, '0')}`;
          const held = channels.get(channel) ?? [];
          held.push({
            type: 'message',
            user: as.botUserId,
            bot_id: as.botId,
            team: as.teamId,
            ts,
            text: initialComment ?? '',
            files: shown,
            ...(threadTs ? { thread_ts: threadTs } : {}),
          });
          channels.set(channel, held);
        }
        return reply(200, { ok: true, files: shown.map(({ id, title }) => ({ id, title })) });
      }
      default:
        return reply(200, { ok: false, error: 'unknown_method' });
    }
  }

  /**
   * oauth.v2.access: the app authenticates with its client id and secret (form fields, as @slack/web-api sends
   * them, or HTTP Basic) and trades a one-time code for the bot token of the workspace that approved it.
   */
  function oauthAccess(req: IncomingMessage, args: Record<string, unknown>): Record<string, unknown> {
    const basic = /^Basic (.+)$/.exec(String(req.headers.authorization ?? ''));
    const [basicId, basicSecret] = basic ? Buffer.from(basic[1]!, 'base64').toString('utf8').split(':') : [];
    const clientId = typeof args.client_id === 'string' ? args.client_id : basicId;
    const clientSecret = typeof args.client_secret === 'string' ? args.client_secret : basicSecret;
    if (!options.oauth || clientId !== options.oauth.clientId) return { ok: false, error: 'invalid_client_id' };
    if (clientSecret !== options.oauth.clientSecret) return { ok: false, error: 'bad_client_secret' };
    const code = typeof args.code === 'string' ? args.code : '';
    const team = codes.get(code);
    // A code works once, as Slack's do.
    codes.delete(code);
    const ws = team ? workspaces.get(team) : undefined;
    if (!ws) return { ok: false, error: 'invalid_code' };
    // Installing again after an uninstall gives the app a new token (the workspace object shows it).
    if (revoked.has(ws.botToken)) {
      ws.botToken = mintToken(ws.teamId);
      byToken.set(ws.botToken, ws);
    }
    return {
      ok: true,
      app_id: appId,
      authed_user: { id: 'U0INSTALLER' },
      scope: INSTALL_SCOPES.join(','),
      token_type: 'bot',
      access_token: ws.botToken,
      bot_user_id: ws.botUserId,
      team: { id: ws.teamId, name: ws.teamName },
      enterprise: null,
      is_enterprise_install: false,
    };
  }

  function handleResponseUrl(res: ServerResponse, id: string, rawBody: string): number {
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(rawBody) as Record<string, unknown>;
    } catch {
      body = { text: rawBody };
    }
    const problem = enforceLimits ? checkMessage(body) : undefined;
    const status = problem ? 400 : 200;
    const post: ResponseUrlPost = { id, body, status, ...(problem ? { error: problem.error } : {}), at: Date.now() };
    responses.push(post);
    if (problem) send(res, 400, { ok: false, error: problem.error, errors: problem.details });
    else send(res, 200, { ok: true });
    const waiter = responseWaiters.get(id);
    if (waiter) {
      responseWaiters.delete(id);
      waiter(post);
    }
    return status;
  }

  // Socket Mode.
  const wss = new WebSocketServer({ noServer: true });
  const sockets = new Set<WebSocket>();
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (!url.pathname.startsWith('/link')) {
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });
  wss.on('connection', (ws) => {
    sockets.add(ws);
    ws.on('close', () => {
      sockets.delete(ws);
      recorded();
    });
    ws.on('message', (data) => {
      let msg: { envelope_id?: string; payload?: unknown };
      try {
        msg = JSON.parse(String(data)) as typeof msg;
      } catch {
        return;
      }
      if (!msg.envelope_id) return;
      const ack: SocketAck = { envelope_id: msg.envelope_id, ...(msg.payload !== undefined ? { payload: msg.payload } : {}), at: Date.now() };
      acks.push(ack);
      ackWaiters.get(msg.envelope_id)?.(ack);
      ackWaiters.delete(msg.envelope_id);
      recorded();
    });
    ws.send(JSON.stringify({ type: 'hello', num_connections: sockets.size, debug_info: { host: 'fake' }, connection_info: { app_id: appId } }));
    recorded();
  });
  const pinger = setInterval(() => {
    for (const ws of sockets) if (ws.readyState === WebSocket.OPEN) ws.ping();
  }, options.pingIntervalMs ?? 10_000);
  pinger.unref();

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = () => (server.address() as AddressInfo).port;
  const baseUrl = `http://127.0.0.1:${port()}`;

  const fake: FakeSlack = {
    apiUrl: `${baseUrl}/api/`,
    baseUrl,
    port: port(),
    teamId,
    botUserId,
    botId,
    appId,
    requests,
    calls,
    responses,
    acks,
    homes,
    uploads,
    callsTo: (method) => calls.filter((c) => c.method === method),
    messagesIn: (channel) => [...(channels.get(channel) ?? [])],
    setChannel(channel) {
      channelInfo.set(channel.id, channel);
    },
    setLatency(method, ms) {
      if (ms > 0) latency.set(method, ms);
      else latency.delete(method);
    },
    responseUrl: (id = randomBytes(6).toString('hex')) => `${baseUrl}/respond/${encodeURIComponent(id)}`,
    failNext(method, failure, times = 1) {
      const queue = failures.get(method) ?? [];
      for (let i = 0; i < times; i++) queue.push(failure);
      failures.set(method, queue);
    },
    setUser(user) {
      users.set(user.id, user);
    },
    addWorkspace(w) {
      const n = workspaces.size + 1;
      const ws: FakeWorkspace = {
        teamName: `Workspace ${w.teamId}`,
        botUserId: `U0BOT${n}${w.teamId.slice(-3)}`,
        botId: `B0BOT${n}${w.teamId.slice(-3)}`,
        botToken: mintToken(w.teamId),
        ...w,
      };
      workspaces.set(ws.teamId, ws);
      byToken.set(ws.botToken, ws);
      return ws;
    },
    authorizationCode(team) {
      if (!workspaces.has(team)) throw new Error(`fake Slack: no workspace ${team} (addWorkspace first)`);
      const code = `code-${team}-${randomBytes(6).toString('hex')}`;
      codes.set(code, team);
      return code;
    },
    revokeToken(token) {
      revoked.add(token);
      byToken.delete(token);
    },
    waitFor(predicate, timeoutMs = 5000, what = 'condition') {
      return new Promise((resolve, reject) => {
        const check = () => {
          let value: ReturnType<typeof predicate>;
          try {
            value = predicate();
          } catch (err) {
            done();
            reject(err as Error);
            return;
          }
          if (value) {
            done();
            resolve(value);
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`fake Slack: timed out after ${timeoutMs} ms waiting for ${what}`));
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          events.off('record', check);
        };
        events.on('record', check);
        check();
      });
    },
    waitForResponse(id, timeoutMs = 5000) {
      const existing = responses.find((r) => r.id === id);
      if (existing) return Promise.resolve(existing);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          responseWaiters.delete(id);
          reject(new Error(`fake Slack: no response_url post for ${id} within ${timeoutMs} ms`));
        }, timeoutMs);
        responseWaiters.set(id, (post) => {
          clearTimeout(timer);
          resolve(post);
        });
      });
    },
    views,
    socketCount: () => sockets.size,
    async sendEnvelope(type, payload, timeoutMs = 5000) {
      await fake.waitFor(() => [...sockets].find((s) => s.readyState === WebSocket.OPEN), timeoutMs, 'a Socket Mode connection');
      const ws = [...sockets].find((s) => s.readyState === WebSocket.OPEN)!;
      const envelopeId = randomBytes(8).toString('hex');
      const acked = new Promise<SocketAck>((resolve, reject) => {
        const timer = setTimeout(() => {
          ackWaiters.delete(envelopeId);
          reject(new Error(`fake Slack: envelope ${type} was not acknowledged within ${timeoutMs} ms`));
        }, timeoutMs);
        ackWaiters.set(envelopeId, (ack) => {
          clearTimeout(timer);
          resolve(ack);
        });
      });
      ws.send(
        JSON.stringify({
          envelope_id: envelopeId,
          type,
          accepts_response_payload: type !== 'events_api',
          payload,
          ...(type === 'events_api' ? { retry_attempt: 0, retry_reason: '' } : {}),
        }),
      );
      return acked;
    },
    disconnectSockets(reason = 'refresh_requested') {
      for (const ws of sockets) ws.send(JSON.stringify({ type: 'disconnect', reason, debug_info: { host: 'fake' } }));
    },
    reset() {
      requests.length = 0;
      calls.length = 0;
      uploads.length = 0;
      responses.length = 0;
      acks.length = 0;
      failures.clear();
      latency.clear();
      channels.clear();
      postTimes.clear();
      views.length = 0;
      homes.length = 0;
      usedTriggers.clear();
    },
    async close() {
      clearInterval(pinger);
      for (const ws of sockets) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return fake;
}

// ---------------------------------------------------------------------------------------------------
// Slack's message checks

interface TextObject {
  type?: string;
  text?: unknown;
}

/**
 * What Slack would refuse in a message (chat.postMessage, chat.postEphemeral, response_url): more than 50
 * blocks, a header over 150 characters, section text over 3,000, more than 10 fields or one over 2,000,
 * an empty or non-text object, blocks over ~13,000 JSON characters, `text` over 40,000.
 */
export function checkMessage(message: Record<string, unknown>): { error: string; details: string[] } | undefined {
  const details: string[] = [];
  const text = message.text;
  if (typeof text === 'string' && text.length > FAKE_SLACK_LIMITS.text) return { error: 'msg_too_long', details: ['text too long'] };
  const blocks = message.blocks;
  if (blocks === undefined) {
    if (typeof text !== 'string' || !text) return { error: 'no_text', details: ['no text or blocks'] };
    return undefined;
  }
  if (!Array.isArray(blocks)) return { error: 'invalid_blocks_format', details: ['blocks must be an array'] };
  if (blocks.length > FAKE_SLACK_LIMITS.blocks) details.push(`no more than ${FAKE_SLACK_LIMITS.blocks} items allowed [json-pointer:/blocks]`);
  const textObject = (t: TextObject | undefined, max: number, where: string, types = ['plain_text', 'mrkdwn']) => {
    if (!t || typeof t.text !== 'string' || !types.includes(String(t.type))) {
      details.push(`invalid text object [json-pointer:${where}]`);
      return;
    }
    if (t.text.length < 1) details.push(`must be more than 0 characters [json-pointer:${where}/text]`);
    if (t.text.length > max) details.push(`must be less than ${max + 1} characters [json-pointer:${where}/text]`);
  };
  blocks.forEach((raw, i) => {
    const b = raw as { type?: string; text?: TextObject; fields?: TextObject[]; elements?: TextObject[] };
    const at = `/blocks/${i}`;
    switch (b.type) {
      case 'header':
        textObject(b.text, FAKE_SLACK_LIMITS.headerText, `${at}/text`, ['plain_text']);
        break;
      case 'section':
        if (b.text === undefined && b.fields === undefined) details.push(`section needs text or fields [json-pointer:${at}]`);
        if (b.text !== undefined) textObject(b.text, FAKE_SLACK_LIMITS.sectionText, `${at}/text`);
        if (b.fields !== undefined) {
          if (!Array.isArray(b.fields) || b.fields.length > FAKE_SLACK_LIMITS.fields) details.push(`no more than 10 fields [json-pointer:${at}/fields]`);
          else
            b.fields.forEach((f, j) => {
              textObject(f, FAKE_SLACK_LIMITS.fieldText, `${at}/fields/${j}`);
            });
        }
        break;
      case 'context':
        if (!Array.isArray(b.elements) || b.elements.length === 0 || b.elements.length > FAKE_SLACK_LIMITS.contextElements) {
          details.push(`context needs 1 to 10 elements [json-pointer:${at}/elements]`);
        } else {
          b.elements.forEach((e, j) => {
            textObject(e, FAKE_SLACK_LIMITS.textObject, `${at}/elements/${j}`);
          });
        }
        break;
      case 'divider':
        break;
      case 'actions': {
        // Slack: 1 to 25 elements; a button's text up to 75 characters, action_id 255, value 2,000.
        const elements = (b as { elements?: unknown[] }).elements;
        if (!Array.isArray(elements) || elements.length === 0 || elements.length > 25)
          details.push(`actions needs 1 to 25 elements [json-pointer:${at}/elements]`);
        else
          elements.forEach((raw, j) => {
            const e = raw as {
              type?: string;
              text?: TextObject;
              action_id?: unknown;
              value?: unknown;
              style?: unknown;
              url?: unknown;
              initial_date?: unknown;
              placeholder?: TextObject;
            };
            const where = `${at}/elements/${j}`;
            if (typeof e.action_id !== 'string' || e.action_id.length > 255) details.push(`invalid action_id [json-pointer:${where}]`);
            if (e.type === 'datepicker') {
              // Slack: initial_date YYYY-MM-DD, a plain_text placeholder of up to 150 characters.
              if (e.initial_date !== undefined && (typeof e.initial_date !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(e.initial_date)))
                details.push(`invalid initial_date [json-pointer:${where}/initial_date]`);
              if (e.placeholder !== undefined) textObject(e.placeholder, 150, `${where}/placeholder`, ['plain_text']);
              return;
            }
            if (e.type !== 'button') details.push(`unsupported element ${String(e.type)} [json-pointer:${where}]`);
            textObject(e.text, 75, `${where}/text`, ['plain_text']);
            if (e.value !== undefined && (typeof e.value !== 'string' || e.value.length > 2000)) details.push(`invalid value [json-pointer:${where}]`);
            if (e.url !== undefined && (typeof e.url !== 'string' || e.url.length > 3000 || !/^https?:\/\//.test(e.url)))
              details.push(`invalid url [json-pointer:${where}/url]`);
            if (e.style !== undefined && e.style !== 'primary' && e.style !== 'danger') details.push(`invalid style [json-pointer:${where}]`);
          });
        break;
      }
      case 'context_actions': {
        // Slack: 1 to 5 feedback_buttons or icon_button elements; each feedback button a plain_text of up to 75
        // characters and a value of up to 2,000.
        const elements = (b as { elements?: unknown[] }).elements;
        if (!Array.isArray(elements) || elements.length === 0 || elements.length > 5)
          details.push(`context_actions needs 1 to 5 elements [json-pointer:${at}/elements]`);
        else
          elements.forEach((raw, j) => {
            const e = raw as {
              type?: string;
              positive_button?: { text?: TextObject; value?: unknown };
              negative_button?: { text?: TextObject; value?: unknown };
            };
            const where = `${at}/elements/${j}`;
            if (e.type !== 'feedback_buttons') {
              details.push(`unsupported element ${String(e.type)} [json-pointer:${where}]`);
              return;
            }
            for (const side of ['positive_button', 'negative_button'] as const) {
              const button = e[side];
              textObject(button?.text, 75, `${where}/${side}/text`, ['plain_text']);
              if (typeof button?.value !== 'string' || button.value.length > 2000) details.push(`invalid value [json-pointer:${where}/${side}/value]`);
            }
          });
        break;
      }
      default:
        details.push(`unsupported block type ${String(b.type)} [json-pointer:${at}]`);
    }
  });
  if (details.length) return { error: 'invalid_blocks', details };
  if (JSON.stringify(blocks).length > FAKE_SLACK_LIMITS.blocksJson) return { error: 'msg_blocks_too_long', details: ['blocks too long'] };
  return undefined;
}

/** What Slack refuses in a Home tab (views.publish): not a home view, more than 100 blocks, a block a message could not hold. */
export function checkHomeView(view: Record<string, any> | undefined): string[] {
  if (view?.type !== 'home') return ['view.type must be home'];
  if (!Array.isArray(view.blocks) || view.blocks.length < 1 || view.blocks.length > 100) return ['blocks: 1 to 100'];
  const ids = new Set<string>();
  const problems: string[] = [];
  view.blocks.forEach((b: any, i: number) => {
    if (typeof b.block_id === 'string') {
      if (ids.has(b.block_id)) problems.push(`blocks/${i}: duplicate block_id`);
      ids.add(b.block_id);
    }
    const problem = checkMessage({ blocks: [b] });
    if (problem) problems.push(...problem.details.map((d) => `blocks/${i}: ${d}`));
  });
  return problems;
}

/**
 * What Slack refuses in a modal (views.open): not a modal, a title over 24 characters or a submit over 24, more than
 * 100 blocks, private_metadata over 3,000, an input block without a label (≤ 2,000) or a plain_text_input element with
 * an action_id, a block_id used twice, a placeholder over 150, max_length over 3,000.
 */
export function checkView(view: Record<string, any> | undefined): string[] {
  if (view?.type !== 'modal') return ['view.type must be modal'];
  const problems: string[] = [];
  const text = (t: any, max: number, where: string) => {
    if (t?.type !== 'plain_text' || typeof t.text !== 'string' || t.text.length < 1 || t.text.length > max)
      problems.push(`${where}: plain_text of 1 to ${max} characters`);
  };
  text(view.title, 24, 'title');
  if (view.submit !== undefined) text(view.submit, 24, 'submit');
  if (typeof view.private_metadata === 'string' && view.private_metadata.length > 3000) problems.push('private_metadata over 3000 characters');
  if (!Array.isArray(view.blocks) || view.blocks.length > 100) return [...problems, 'blocks: 1 to 100'];
  const ids = new Set<string>();
  view.blocks.forEach((b: any, i: number) => {
    if (typeof b.block_id === 'string') {
      if (ids.has(b.block_id)) problems.push(`blocks/${i}: duplicate block_id`);
      ids.add(b.block_id);
    }
    if (b.type !== 'input') return;
    text(b.label, 2000, `blocks/${i}/label`);
    const e = b.element;
    if (e?.type !== 'plain_text_input' || typeof e.action_id !== 'string') problems.push(`blocks/${i}/element: a plain_text_input with an action_id`);
    if (e?.placeholder !== undefined) text(e.placeholder, 150, `blocks/${i}/element/placeholder`);
    if (e?.max_length !== undefined && (e.max_length < 1 || e.max_length > 3000)) problems.push(`blocks/${i}/element/max_length: 1 to 3000`);
  });
  return problems;
}

// ---------------------------------------------------------------------------------------------------
// Signed requests to an app in HTTP mode

/** `v0=` + hex HMAC-SHA256(signing secret, `v0:${timestamp}:${rawBody}`), as Slack signs requests. */
export function slackSignature(signingSecret: string, timestamp: number, rawBody: string): string {
  return `v0=${createHmac('sha256', signingSecret).update(`v0:${timestamp}:${rawBody}`).digest('hex')}`;
}

export interface SignOptions {
  /** Unix seconds; default now. Older than 5 minutes is refused by Bolt. */
  timestamp?: number;
  /** Replaces the computed signature (to send a bad one). */
  signature?: string;
  /** Headers to leave out, e.g. ['x-slack-signature']. */
  omitHeaders?: string[];
}

/** The headers Slack sends with a request body. */
export function signedHeaders(signingSecret: string, rawBody: string, contentType: string, options: SignOptions = {}): Record<string, string> {
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  const headers: Record<string, string> = {
    'content-type': contentType,
    'x-slack-request-timestamp': String(timestamp),
    'x-slack-signature': options.signature ?? slackSignature(signingSecret, timestamp, rawBody),
  };
  for (const h of options.omitHeaders ?? []) delete headers[h.toLowerCase()];
  return headers;
}

/** The form fields of a slash command; `response_url` points at the fake (a fresh id per call). */
export function slashCommandFields(fake: Pick<FakeSlack, 'responseUrl' | 'teamId' | 'appId'>, overrides: Record<string, string> = {}): Record<string, string> {
  return {
    token: 'legacy-verification-token',
    team_id: fake.teamId,
    team_domain: 'fake-workspace',
    channel_id: 'C0CHANNEL1',
    channel_name: 'general',
    user_id: 'U0USER0001',
    user_name: 'ann',
    command: '/niger',
    text: '',
    api_app_id: fake.appId,
    is_enterprise_install: 'false',
    response_url: fake.responseUrl(),
    trigger_id: `${Date.now()}.${randomBytes(4).toString('hex')}`,
    ...overrides,
  };
}

/** A signed, form-encoded slash command request: `{ body, headers }`. */
export function signedSlashCommand(
  signingSecret: string,
  fields: Record<string, string>,
  options: SignOptions = {},
): { body: string; headers: Record<string, string> } {
  const body = new URLSearchParams(fields).toString();
  return { body, headers: signedHeaders(signingSecret, body, 'application/x-www-form-urlencoded', options) };
}

export interface AppResponse {
  status: number;
  body: string;
}

/** POSTs a signed slash command to the app (`appUrl` is e.g. `http://127.0.0.1:PORT/slack/events`). */
export async function sendSlashCommand(appUrl: string, signingSecret: string, fields: Record<string, string>, options: SignOptions = {}): Promise<AppResponse> {
  const { body, headers } = signedSlashCommand(signingSecret, fields, options);
  const res = await fetch(appUrl, { method: 'POST', headers, body });
  return { status: res.status, body: await res.text() };
}

/** An Events API `event_callback` body around `event`. */
export function eventCallback(
  fake: Pick<FakeSlack, 'teamId' | 'appId' | 'botUserId'>,
  event: Record<string, unknown>,
  eventId = `Ev${randomBytes(5).toString('hex').toUpperCase()}`,
): Record<string, unknown> {
  return {
    token: 'legacy-verification-token',
    team_id: fake.teamId,
    api_app_id: fake.appId,
    event: { event_ts: event.ts, ...event },
    type: 'event_callback',
    event_id: eventId,
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [{ enterprise_id: null, team_id: fake.teamId, user_id: fake.botUserId, is_bot: true, is_enterprise_install: false }],
    is_ext_shared_channel: false,
  };
}

/** A message timestamp like Slack's (`1700000000.000100`). */
export function slackTs(): string {
  return `${Math.floor(Date.now() / 1000)}.${String(Math.floor(Math.random() * 999_999)).padStart(6, '0')}`;
}

/** POSTs a signed Events API request (JSON) to the app. */
export async function sendEvent(appUrl: string, signingSecret: string, body: Record<string, unknown>, options: SignOptions = {}): Promise<AppResponse> {
  const raw = JSON.stringify(body);
  const res = await fetch(appUrl, { method: 'POST', headers: signedHeaders(signingSecret, raw, 'application/json', options), body: raw });
  return { status: res.status, body: await res.text() };
}

/** The id of a response_url made by `fake.responseUrl(id)` (what `waitForResponse` takes). */
export function responseUrlId(responseUrl: string): string {
  return decodeURIComponent(new URL(responseUrl).pathname.replace(/^\/respond\//, ''));
}

/** Polls `predicate` every `intervalMs` until it returns a truthy value (for state outside the fake). */
export async function waitFor<T>(
  predicate: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  timeoutMs = 5000,
  what = 'condition',
  intervalMs = 5,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await predicate();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

// ---------------------------------------------------------------------------------------------------
// What a user sees

interface AnyBlock {
  type?: string;
  text?: TextObject;
  fields?: TextObject[];
  elements?: TextObject[];
}

/** Slack's display of escaped text: `<url|label>` → `label`, `<url>` → `url`, entities decoded. */
export function displayText(text: string): string {
  return text
    .replace(/<([^<>|]*)\|([^<>]*)>/g, '$2')
    .replace(/<([^<>]*)>/g, '$1')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/** The visible text of a message's blocks (or its `text` when there are none), one block a line. */
export function visibleText(message: { blocks?: unknown; text?: unknown }): string {
  const blocks = Array.isArray(message.blocks) ? (message.blocks as AnyBlock[]) : [];
  if (!blocks.length) return typeof message.text === 'string' ? displayText(message.text) : '';
  const texts: string[] = [];
  for (const b of blocks) {
    if (b.text?.text !== undefined) texts.push(String(b.text.text));
    // A mrkdwn field shows `*label*` in bold, without the asterisks.
    for (const f of b.fields ?? []) texts.push(f.type === 'mrkdwn' ? String(f.text ?? '').replace(/\*([^*\n]+)\*/g, '$1') : String(f.text ?? ''));
    for (const e of b.elements ?? []) if (typeof e.text === 'string') texts.push(e.text);
  }
  return texts.map(displayText).join('\n');
}

/** Every text string in a message's blocks, raw (as sent, still escaped). */
export function rawTexts(message: { blocks?: unknown; text?: unknown }): string[] {
  const out: string[] = typeof message.text === 'string' ? [message.text] : [];
  for (const b of (Array.isArray(message.blocks) ? message.blocks : []) as AnyBlock[]) {
    if (b.text?.text !== undefined) out.push(String(b.text.text));
    for (const f of b.fields ?? []) out.push(String(f.text ?? ''));
    for (const e of b.elements ?? []) if (typeof e.text === 'string') out.push(e.text);
  }
  return out;
}

/** Mention markup Slack acts on wherever it appears: special mentions, user groups, users. */
const MENTION_MARKUP = /<(?:!(?:channel|here|everyone|subteam\^[^>|]*)|@[UW][A-Z0-9]+)(?:\|[^>]*)?>/g;
/** The special mentions typed out, which Slack turns into pings where it parses names. */
const BARE_MENTION = /(?<![\w@])@(?:channel|here|everyone)\b/gi;

/**
 * What Slack would act on as a mention in a message: `<!channel>`, `<!here>`, `<!everyone>`, user-group and
 * user markup anywhere; a typed-out `@channel`, `@here` or `@everyone` where Slack parses names — a mrkdwn
 * text object without `verbatim: true`, and the top-level `text` unless the message has `parse: "none"` and
 * `link_names: false`. Empty: the message pings nobody.
 */
export function slackMentions(message: Record<string, unknown>): string[] {
  const found: string[] = [];
  const scan = (text: unknown, namesParsed: boolean) => {
    if (typeof text !== 'string') return;
    found.push(...(text.match(MENTION_MARKUP) ?? []));
    if (namesParsed) found.push(...(text.match(BARE_MENTION) ?? []));
  };
  // Web API calls send their fields form-encoded, where `false` arrives as the text 'false'.
  scan(message.text, !(message.parse === 'none' && (message.link_names === false || message.link_names === 'false')));
  const textObject = (o: (TextObject & { verbatim?: boolean }) | undefined) => scan(o?.text, o?.type === 'mrkdwn' && o.verbatim !== true);
  for (const b of (Array.isArray(message.blocks) ? message.blocks : []) as AnyBlock[]) {
    textObject(b.text);
    for (const f of b.fields ?? []) textObject(f);
    for (const e of b.elements ?? []) textObject(e);
  }
  return found;
}

/** POSTs a signed interactivity request (block_actions, view_submission): `payload=<JSON>` form-encoded, as Slack does. */
export async function sendInteraction(
  appUrl: string,
  signingSecret: string,
  payload: Record<string, unknown>,
  options: SignOptions = {},
): Promise<AppResponse> {
  const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
  const res = await fetch(appUrl, { method: 'POST', headers: signedHeaders(signingSecret, body, 'application/x-www-form-urlencoded', options), body });
  return { status: res.status, body: await res.text() };
}

/** A fresh trigger id, as Slack sends with slash commands and button presses (valid 3 s). */
export function triggerId(): string {
  return `${Date.now()}.${randomBytes(4).toString('hex')}`;
}

/** A user pressing a button of a message in a channel: Slack's block_actions payload. */
export function blockActions(
  fake: Pick<FakeSlack, 'teamId' | 'appId' | 'responseUrl'>,
  where: { channel: string; message: FakeMessage; userId: string },
  button: { action_id: string; value?: string; block_id?: string },
): Record<string, unknown> {
  return {
    type: 'block_actions',
    team: { id: fake.teamId, domain: 'fake-workspace' },
    user: { id: where.userId, username: where.userId.toLowerCase(), team_id: fake.teamId },
    api_app_id: fake.appId,
    token: 'legacy-verification-token',
    container: { type: 'message', message_ts: where.message.ts, channel_id: where.channel, is_ephemeral: false },
    trigger_id: triggerId(),
    channel: { id: where.channel, name: 'editors' },
    message: where.message,
    response_url: fake.responseUrl(),
    actions: [{ type: 'button', action_id: button.action_id, block_id: button.block_id ?? 'actions', value: button.value, action_ts: slackTs() }],
  };
}

/**
 * A user choosing a day in a message's date picker (`selected_date`), or pressing one of its feedback buttons (the
 * button's `value`): Slack's block_actions payloads for those elements. `ephemeral`: the message was one only the
 * user sees (a slash command's answer), which Slack can replace only through the response_url.
 */
export function elementAction(
  fake: Pick<FakeSlack, 'teamId' | 'appId' | 'responseUrl'>,
  where: { channel: string; message: FakeMessage | Record<string, unknown>; userId: string; ephemeral?: boolean },
  action: { type: 'datepicker'; action_id: string; selected_date: string } | { type: 'feedback_buttons'; action_id: string; value: string },
): Record<string, unknown> {
  const message = where.message as FakeMessage;
  const base = blockActions(fake, { channel: where.channel, message, userId: where.userId }, { action_id: action.action_id });
  return {
    ...base,
    container: { type: 'message', message_ts: message.ts, channel_id: where.channel, is_ephemeral: where.ephemeral ?? false },
    ...(where.ephemeral ? { message: undefined } : {}),
    actions: [{ ...action, block_id: 'nw-actions', action_ts: slackTs() }],
  };
}

/** The buttons of a message as posted (its `actions` blocks' elements). */
export function buttonsOf(message: { blocks?: unknown }): { action_id: string; value?: string; text: { text: string }; style?: string }[] {
  const blocks = Array.isArray(message.blocks) ? (message.blocks as any[]) : [];
  return blocks.filter((b) => b.type === 'actions').flatMap((b) => b.elements ?? []);
}

/**
 * A user submitting a modal the app opened: Slack's view_submission payload, with `values` by block id (each input's
 * single element answered as a plain_text_input; an empty value as null, as Slack sends it).
 */
export function viewSubmission(
  fake: Pick<FakeSlack, 'teamId' | 'appId'>,
  opened: OpenedView,
  userId: string,
  values: Record<string, string>,
): Record<string, unknown> {
  const state: Record<string, Record<string, { type: string; value: string | null }>> = {};
  for (const block of opened.view.blocks ?? []) {
    if (block.type !== 'input') continue;
    const value = values[block.block_id];
    state[block.block_id] = { [block.element.action_id]: { type: 'plain_text_input', value: value === undefined || value === '' ? null : value } };
  }
  return {
    type: 'view_submission',
    team: { id: fake.teamId, domain: 'fake-workspace' },
    user: { id: userId, username: userId.toLowerCase(), team_id: fake.teamId },
    api_app_id: fake.appId,
    token: 'legacy-verification-token',
    trigger_id: triggerId(),
    view: { ...opened.view, state: { values: state } },
    response_urls: [],
  };
}
