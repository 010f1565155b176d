import { createSlackApp, type SlackAdapter, type SlackAppOptions } from '../../src/adapters/slack/app.ts';
import type { Bot } from '../../src/core/bot.ts';
import type { Caller } from '../../src/core/command.ts';
import type { SlackConfig } from '../../src/config.ts';
import { captureLogger } from '../helpers/bot.ts';
import {
  responseUrlId,
  sendSlashCommand,
  slashCommandFields,
  startFakeSlack,
  type FakeSlack,
  type FakeSlackOptions,
  type SignOptions,
} from '../fakes/slack.ts';

export const BOT_TOKEN = 'xoxb-1234567890-0987654321-FakeBotTokenForTests';
export const APP_TOKEN = 'xapp-1-A0FAKEAPP-1234567890-fakeapptokenfortests';
export const SIGNING_SECRET = '5e1f0c2a9b7d4e3f8a6b0c1d2e3f4a5b';

/** Fast retries so a 429 test takes about its Retry-After and no more. */
export const TEST_RETRY = { retries: 2, factor: 1, minTimeout: 10, maxTimeout: 50 };

export interface Harness {
  fake: FakeSlack;
  slack: SlackAdapter;
  /** HTTP mode: `http://127.0.0.1:PORT/slack/events`. */
  appUrl: string;
  /** Everything the adapter and Bolt logged (at `logLevel`). */
  logLines: () => string[];
  /** Texts and callers the core was asked to handle, in order. */
  handled: { text: string; caller: Caller }[];
  /** Texts the adapter looked up among the answers the core already knows (bot.knownAnswer), in order. */
  lookedUp: string[];
  close(): Promise<void>;
}

export interface HarnessOptions {
  mode?: 'http' | 'socket';
  adminUserIds?: string[];
  /** More settings (editors, the editors' channel). */
  config?: Partial<SlackConfig>;
  fake?: FakeSlackOptions;
  app?: SlackAppOptions;
  logLevel?: string;
}

/** A Bot whose handleText and knownAnswer calls are recorded (the real core answers). */
function recordingBot(bot: Bot, handled: Harness['handled'], lookedUp: string[]): Bot {
  return new Proxy(bot, {
    get(target, prop, receiver) {
      if (prop === 'handleText') {
        return (text: string, caller: Caller) => {
          handled.push({ text, caller });
          return target.handleText(text, caller);
        };
      }
      if (prop === 'knownAnswer') {
        return (text: string, locale?: string) => {
          lookedUp.push(text);
          return target.knownAnswer(text, locale);
        };
      }
      return Reflect.get(target, prop, receiver) as unknown;
    },
  });
}

/**
 * The real bot, answering `handleText` only after a delay and knowing no answer in advance: drives the slow
 * (response_url) path.
 */
export function slowedBot(bot: Bot, delayMs: number): Bot {
  return new Proxy(bot, {
    get: (target, prop, receiver) => {
      if (prop === 'knownAnswer') return () => undefined;
      if (prop === 'handleText') {
        return async (text: string, caller: Parameters<Bot['handleText']>[1]) => {
          await new Promise((r) => setTimeout(r, delayMs));
          return target.handleText(text, caller);
        };
      }
      return Reflect.get(target, prop, receiver) as unknown;
    },
  });
}

/** The real adapter on real Bolt, against a fresh fake Slack, on 127.0.0.1 and ephemeral ports. */

export async function startHarness(bot: Bot, options: HarnessOptions = {}): Promise<Harness> {
  const mode = options.mode ?? 'http';
  const fake = await startFakeSlack({ botToken: BOT_TOKEN, appToken: APP_TOKEN, ...options.fake });
  const config: SlackConfig = {
    botToken: BOT_TOKEN,
    mode,
    ...(mode === 'socket' ? { appToken: APP_TOKEN } : { signingSecret: SIGNING_SECRET }),
    apiUrl: fake.apiUrl,
    port: 0,
    adminUserIds: options.adminUserIds ?? [],
    ...options.config,
  };
  const { log, lines } = captureLogger(options.logLevel ?? 'debug');
  const handled: Harness['handled'] = [];
  const lookedUp: string[] = [];
  const slack = createSlackApp(recordingBot(bot, handled, lookedUp), config, log, { host: '127.0.0.1', retryConfig: TEST_RETRY, ...options.app });
  await slack.start();
  const appUrl = mode === 'http' ? `http://127.0.0.1:${slack.port()}/slack/events` : '';
  return {
    fake,
    slack,
    appUrl,
    logLines: lines,
    handled,
    lookedUp,
    async close() {
      await slack.stop();
      await fake.close();
    },
  };
}

/** How a slash command was answered: in the ack's body, or through the response_url. */
export interface SlashAnswer {
  /** HTTP status of the ack. */
  status: number;
  ackMs: number;
  via: 'ack' | 'response_url';
  /** The message payload (response_type, blocks, text, …). */
  message: Record<string, unknown>;
  responseUrlId: string;
}

/** Sends a signed slash command over HTTP and returns the answer, wherever it came. */
export async function slashOverHttp(h: Harness, text: string, overrides: Record<string, string> = {}, sign?: SignOptions): Promise<SlashAnswer> {
  const fields = slashCommandFields(h.fake, { text, ...overrides });
  const id = responseUrlId(fields.response_url!);
  const t0 = performance.now();
  const res = await sendSlashCommand(h.appUrl, SIGNING_SECRET, fields, sign);
  const ackMs = performance.now() - t0;
  if (res.status !== 200) throw new Error(`Bolt answered ${res.status}: ${res.body}`);
  if (res.body) return { status: res.status, ackMs, via: 'ack', message: JSON.parse(res.body) as Record<string, unknown>, responseUrlId: id };
  const post = await h.fake.waitForResponse(id);
  if (post.error) throw new Error(`the fake Slack refused the response_url message: ${post.error}`);
  return { status: res.status, ackMs, via: 'response_url', message: post.body, responseUrlId: id };
}

/** Sends a slash_commands envelope over Socket Mode and returns the answer (ack payload or response_url). */
export async function slashOverSocket(h: Harness, text: string, overrides: Record<string, string> = {}): Promise<SlashAnswer> {
  const fields = slashCommandFields(h.fake, { text, ...overrides });
  const id = responseUrlId(fields.response_url!);
  const t0 = performance.now();
  const ack = await h.fake.sendEnvelope('slash_commands', fields);
  const ackMs = performance.now() - t0;
  if (ack.payload && typeof ack.payload === 'object' && Object.keys(ack.payload).length > 0) {
    return { status: 200, ackMs, via: 'ack', message: ack.payload as Record<string, unknown>, responseUrlId: id };
  }
  const post = await h.fake.waitForResponse(id);
  if (post.error) throw new Error(`the fake Slack refused the response_url message: ${post.error}`);
  return { status: 200, ackMs, via: 'response_url', message: post.body, responseUrlId: id };
}
