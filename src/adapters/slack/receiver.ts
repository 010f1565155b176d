import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { App, InstallURLOptions, Receiver, ReceiverEvent } from '@slack/bolt';
import type { InstallProvider } from '@slack/oauth';
import type { FirstSeen } from '../../core/seen.ts';
import type { Logger } from '../../logger.ts';

/**
 * How much an unauthenticated client may make us hold, and for how long. Bolt's HTTPReceiver reads up to
 * 4 MB before it checks the signature and Node keeps an unfinished request for 300 s: 150 connections each
 * holding back the last byte of a 4 MB body pinned about 600 MB. Here the timestamp is checked before any
 * body byte is read, a body is at most `bodyBytes`, and a connection that stalls is cut off in seconds, so
 * the most an attacker can pin is about `maxConnections × bodyBytes`.
 */
export interface ReceiverLimits {
  /**
   * Largest request body read. Slash commands and mentions are a few KB; only a message near Slack's
   * 40,000-character limit (its text plus the same text as rich-text blocks) would be refused (413).
   */
  bodyBytes: number;
  /** Slack's own rule: a request whose timestamp is further than this from our clock is refused. */
  maxSkewSeconds: number;
  /** Time to receive the headers (a slow-headers client is answered 408 and dropped). */
  headersTimeoutMs: number;
  /** Time to receive the body once the headers are in. Slack wants the ack within 3 s, so later is useless anyway. */
  bodyTimeoutMs: number;
  /** Node's own bound on a whole request: a backstop for the two above. */
  requestTimeoutMs: number;
  /** An idle keep-alive connection is closed after this (Slack opens new connections freely). */
  keepAliveTimeoutMs: number;
  /** Open connections beyond this are closed at once; far above what Slack sends one app. */
  maxConnections: number;
  /** A request no listener acknowledged in this time gets 404 (Bolt's rule), so Slack does not wait forever. */
  ackTimeoutMs: number;
}

export const DEFAULT_RECEIVER_LIMITS: ReceiverLimits = {
  bodyBytes: 64 * 1024,
  maxSkewSeconds: 5 * 60,
  headersTimeoutMs: 5_000,
  bodyTimeoutMs: 5_000,
  requestTimeoutMs: 10_000,
  keepAliveTimeoutMs: 5_000,
  maxConnections: 512,
  ackTimeoutMs: 3_001,
};

/** A signature is remembered this long: past it the timestamp check refuses the request anyway (±5 min). */
export const REPLAY_TTL_MS = 2 * DEFAULT_RECEIVER_LIMITS.maxSkewSeconds * 1000 + 60_000;

export interface SlackReceiverOptions {
  signingSecret: string;
  log: Logger;
  /** Remembers the signatures answered (per instance, or shared); a second request with one is refused. */
  signatures: FirstSeen;
  path?: string;
  limits?: Partial<ReceiverLimits>;
  /** Unix milliseconds; tests move the clock. */
  now?: () => number;
  /**
   * Other GET endpoints served on the same port (/healthz, /readyz, /metrics): answered when this returns
   * true, before any Slack check. Nothing else than GET and HEAD is offered to it.
   */
  routes?: (req: IncomingMessage, res: ServerResponse) => boolean;
  /** Installing in several workspaces: Bolt's install flow on GET `installPath` and GET `redirectPath`. */
  oauth?: OAuthRoutes;
}

export interface OAuthRoutes {
  /** Sets the signed state in a cookie and sends the browser on to Slack's authorize page (with these scopes). */
  installer: InstallProvider;
  installUrlOptions: InstallURLOptions;
  /** Default /slack/install. */
  installPath?: string;
  /** Where Slack sends the browser back with a code (the manifest's redirect URL); default /slack/oauth_redirect. */
  redirectPath?: string;
}

export interface ListenOptions {
  port: number;
  host?: string;
}

class Rejection extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
  ) {
    super(reason);
  }
}

const SIGNATURE = /^v0=[0-9a-f]{64}$/;
const TIMESTAMP = /^\d{1,12}$/;

/**
 * The Events API endpoint (POST /slack/events) as a Bolt Receiver: verifies Slack's v0 request signature
 * within the limits above, refuses a signature it has already answered, and hands the parsed body to
 * `app.processEvent` with an `ack` that writes the HTTP response (JSON for an object, text for a string,
 * empty for nothing). Answers url_verification challenges and ssl_check itself. Never logs a body, a
 * header value or the secret.
 */
export class SlackReceiver implements Receiver {
  /** Bolt takes its `authorize` from here (each request gets its workspace's token from the installation store). */
  readonly installer: InstallProvider | undefined;
  private app: App | undefined;
  private server: Server | undefined;
  private readonly limits: ReceiverLimits;
  private readonly path: string;
  private readonly now: () => number;

  constructor(private readonly options: SlackReceiverOptions) {
    this.limits = { ...DEFAULT_RECEIVER_LIMITS, ...options.limits };
    this.path = options.path ?? '/slack/events';
    this.now = options.now ?? Date.now;
    this.installer = options.oauth?.installer;
  }

  init(app: App): void {
    this.app = app;
  }

  start(listen: ListenOptions): Promise<Server> {
    if (this.server) return Promise.reject(new Error('The Slack receiver is already started.'));
    const l = this.limits;
    const server = createServer(
      {
        headersTimeout: l.headersTimeoutMs,
        requestTimeout: l.requestTimeoutMs,
        keepAliveTimeout: l.keepAliveTimeoutMs,
        // Node checks the two timeouts above only this often (default 30 s).
        connectionsCheckingInterval: Math.min(1000, l.headersTimeoutMs),
      },
      (req, res) => void this.handle(req, res),
    );
    server.maxConnections = l.maxConnections;
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', (err) => {
        this.server = undefined;
        server.close();
        reject(err);
      });
      server.listen({ port: listen.port, ...(listen.host ? { host: listen.host } : {}) }, () => resolve(server));
    });
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    // Requests in flight get a moment to finish; a stalled upload does not hold the shutdown.
    const force = setTimeout(() => server.closeAllConnections(), 2000);
    force.unref();
    await closed;
    clearTimeout(force);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if ((req.method === 'GET' || req.method === 'HEAD') && this.options.routes?.(req, res)) return;
    if (req.method === 'GET' && this.options.oauth && (await this.install(req, res, this.options.oauth))) return;
    try {
      const rawBody = await this.readVerified(req);
      if (!(await this.options.signatures.first(header(req, 'x-slack-signature')!))) {
        throw new Rejection(401, 'replayed request (its signature was answered before)');
      }
      await this.dispatch(req, res, rawBody);
    } catch (err) {
      if (err instanceof Rejection) {
        this.reject(req, res, err);
        return;
      }
      this.options.log.error({ err }, 'Slack request failed');
      if (!res.headersSent) send(res, 500);
    }
  }

  /**
   * The browser's part of the OAuth install, which Slack does not sign: the install path and the redirect
   * back. @slack/oauth verifies the state (signed with SLACK_STATE_SECRET, and equal to the cookie this
   * browser got from the install path) before it exchanges the code, and answers refusals itself (400).
   */
  private async install(req: IncomingMessage, res: ServerResponse, oauth: OAuthRoutes): Promise<boolean> {
    const path = (req.url ?? '/').split('?', 1)[0];
    const log = this.options.log;
    try {
      if (path === (oauth.installPath ?? '/slack/install')) {
        await oauth.installer.handleInstallPath(req, res, undefined, oauth.installUrlOptions);
        return true;
      }
      if (path === (oauth.redirectPath ?? '/slack/oauth_redirect')) {
        await oauth.installer.handleCallback(req, res);
        return true;
      }
    } catch (err) {
      log.error({ err }, 'the Slack install flow failed');
      if (!res.headersSent) send(res, 500);
      return true;
    }
    return false;
  }

  /** Checks everything that can be checked from the headers, then reads the body (bounded) and checks the signature. */
  private readVerified(req: IncomingMessage): Promise<Buffer> {
    const url = req.url ?? '/';
    const path = url.split('?', 1)[0];
    if (req.method !== 'POST' || path !== this.path) throw new Rejection(404, 'not the Slack events endpoint');
    const l = this.limits;
    const length = req.headers['content-length'];
    if (length !== undefined && !(Number(length) <= l.bodyBytes)) throw new Rejection(413, 'body larger than the limit');
    const timestamp = header(req, 'x-slack-request-timestamp');
    if (!timestamp || !TIMESTAMP.test(timestamp)) throw new Rejection(401, 'no request timestamp');
    if (Math.abs(this.now() / 1000 - Number(timestamp)) > l.maxSkewSeconds) throw new Rejection(401, 'request timestamp more than 5 minutes off');
    const signature = header(req, 'x-slack-signature');
    if (!signature || !SIGNATURE.test(signature)) throw new Rejection(401, 'no v0 request signature');

    return new Promise<Buffer>((resolve, reject) => {
      let chunks: Buffer[] = [];
      let size = 0;
      let done = false;
      const finish = (error: Rejection | undefined) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        req.removeListener('data', onData);
        const body = Buffer.concat(chunks);
        chunks = [];
        if (error) reject(error);
        else if (!validSignature(this.options.signingSecret, timestamp, body, signature)) reject(new Rejection(401, 'bad request signature'));
        else resolve(body);
      };
      const onData = (chunk: Buffer) => {
        size += chunk.length;
        if (size > l.bodyBytes) finish(new Rejection(413, 'body larger than the limit'));
        else chunks.push(chunk);
      };
      const timer = setTimeout(() => finish(new Rejection(408, 'body not received in time')), l.bodyTimeoutMs);
      req.on('data', onData);
      req.once('end', () => finish(undefined));
      // The client went away: nobody to answer.
      req.once('close', () => {
        if (!req.complete) finish(new Rejection(400, 'connection closed before the body was complete'));
      });
    });
  }

  private async dispatch(req: IncomingMessage, res: ServerResponse, rawBody: Buffer): Promise<void> {
    let body: Record<string, unknown>;
    try {
      body = parseBody(rawBody.toString('utf8'), String(req.headers['content-type'] ?? ''));
    } catch {
      throw new Rejection(400, 'malformed request body');
    }
    if (body.ssl_check === '1') {
      send(res, 200);
      return;
    }
    if (body.type === 'url_verification') {
      send(res, 200, { challenge: body.challenge });
      return;
    }
    const log = this.options.log;
    let acked = false;
    const unanswered = setTimeout(() => {
      if (acked) return;
      acked = true;
      log.error(`A Slack request was not acknowledged within ${this.limits.ackTimeoutMs} ms`);
      if (!res.headersSent) send(res, 404);
    }, this.limits.ackTimeoutMs);
    const event: ReceiverEvent = {
      body,
      retryNum: retryNum(header(req, 'x-slack-retry-num')),
      retryReason: header(req, 'x-slack-retry-reason'),
      ack: async (response?: unknown) => {
        if (acked) throw new Error('ack() was already called (or the request timed out)');
        acked = true;
        clearTimeout(unanswered);
        send(res, 200, response);
      },
    };
    try {
      if (!this.app) throw new Error('The Slack receiver was started without an app.');
      await this.app.processEvent(event);
    } catch (err) {
      log.error({ err }, 'Bolt could not process a Slack request');
      if (!acked) {
        acked = true;
        clearTimeout(unanswered);
        send(res, 500);
      }
    }
  }

  private reject(req: IncomingMessage, res: ServerResponse, rejection: Rejection): void {
    const fields = { status: rejection.status, reason: rejection.reason, remoteAddress: req.socket.remoteAddress };
    if (rejection.status === 404) this.options.log.debug(fields, 'Slack request refused');
    else this.options.log.warn(fields, 'Slack request refused');
    if (res.headersSent || res.destroyed) return;
    // Close the connection: whatever is left of the body is discarded, never read into memory.
    send(res, rejection.status, undefined, { connection: 'close' });
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return typeof value === 'string' ? value : undefined;
}

function retryNum(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d+$/.test(value)) return undefined;
  return Number(value);
}

/** HMAC-SHA256 of `v0:{timestamp}:{body}`, compared in constant time. */
export function validSignature(secret: string, timestamp: string, body: Buffer, signature: string): boolean {
  const hmac = createHmac('sha256', secret);
  hmac.update(`v0:${timestamp}:`);
  hmac.update(body);
  const expected = Buffer.from(`v0=${hmac.digest('hex')}`);
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Form posts (slash commands; interactivity as a `payload` JSON field) or JSON (events). */
function parseBody(raw: string, contentType: string): Record<string, unknown> {
  let parsed: unknown;
  if (contentType.startsWith('application/x-www-form-urlencoded')) {
    const form = new URLSearchParams(raw);
    const payload = form.get('payload');
    parsed = payload !== null ? JSON.parse(payload) : Object.fromEntries(form);
  } else {
    parsed = JSON.parse(raw);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
  return parsed as Record<string, unknown>;
}

function send(res: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}): void {
  if (body === undefined || body === null || body === '') {
    res.writeHead(status, headers).end();
  } else if (typeof body === 'string') {
    res.writeHead(status, headers).end(body);
  } else {
    res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
  }
}
