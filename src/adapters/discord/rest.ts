import { DiscordAPIError, HTTPError, RateLimitError, type RateLimitData, type RESTOptions } from 'discord.js';
import { Agent } from 'undici';
import type { DiscordConfig } from '../../config.ts';
import { maskSecrets } from '../../logger.ts';

/** How long a channel post may wait out a rate limit before the poster gives up with `rate_limited`. */
export const DEFAULT_MAX_RATE_LIMIT_WAIT_MS = 10_000;

export interface DiscordRestSettings {
  /** Longest rate-limit wait for a channel message before RateLimitError (default 10 s). */
  maxRateLimitWaitMs?: number;
  /** Per-request timeout (discord.js default 15 s). */
  timeoutMs?: number;
}

/**
 * REST options shared by the client and the registration CLI: the API base (DISCORD_API_URL, for the fake in
 * tests), API v10, and a bound on rate-limit waits for channel posts. Interaction responses are never held
 * back by this (they must beat Discord's 3-second window and have no shared bucket).
 *
 * The REST client sends through an Agent of its own, from undici 6 (the line discord.js 14 is built on, one copy
 * in the tree with ours). Without one, discord.js uses the process-wide dispatcher, and that is not its own:
 * @slack/socket-mode requires undici 7, whose lib/global.js installs a v7 Agent under the v6 global-dispatcher
 * symbol (`undici.globalDispatcher.1`) when it loads. A v7 Agent only encodes FormData it created itself
 * (`webidl.is.FormData`), so every upload discord.js sends (a multipart body built from Node's FormData) failed
 * with "action is not a function" whenever Bolt was loaded in the same process.
 */
export function discordRestOptions(config: Pick<DiscordConfig, 'apiUrl'>, settings: DiscordRestSettings = {}): Partial<RESTOptions> {
  const maxWait = settings.maxRateLimitWaitMs ?? DEFAULT_MAX_RATE_LIMIT_WAIT_MS;
  return {
    ...(config.apiUrl ? { api: config.apiUrl.replace(/\/+$/, '') } : {}),
    version: '10',
    agent: new Agent(),
    ...(settings.timeoutMs ? { timeout: settings.timeoutMs } : {}),
    rejectOnRateLimit: (data: RateLimitData) =>
      data.route === '/channels/:id/messages' && data.method.toUpperCase() === 'POST' && Math.max(data.retryAfter, data.timeToReset) > maxWait,
  };
}

/** Interaction and webhook tokens travel in URL paths: never log them. */
export function scrubUrl(url: string): string {
  return maskSecrets(
    url
      .replace(/(\/interactions\/\d+\/)[^/?]+/g, '$1[token]')
      .replace(/(\/webhooks\/\d+\/)[^/?]+/g, '$1[token]')
      // REST handler ids carry "<application id>/<interaction token>" as their major parameter.
      .replace(/(\b\d{17,20}\/)[A-Za-z0-9_.:-]{30,}/g, '$1[token]')
      // discord.js's own "censored" token keeps its first two parts.
      .replace(/[A-Za-z0-9_-]{23,28}\.[A-Za-z0-9_-]{6,7}\.\*+/g, '[redacted]'),
  );
}

/**
 * A loggable summary of an error from discord.js: name, message, status, Discord's code and the request's
 * method and URL with tokens removed. (DiscordAPIError keeps the request body and the tokenised URL.)
 */
export function describeDiscordError(err: unknown): Record<string, unknown> {
  if (err instanceof DiscordAPIError) {
    return { name: 'DiscordAPIError', message: maskSecrets(err.message), status: err.status, code: err.code, method: err.method, url: scrubUrl(err.url) };
  }
  if (err instanceof HTTPError) {
    return { name: 'HTTPError', message: maskSecrets(err.message), status: err.status, method: err.method, url: scrubUrl(err.url) };
  }
  if (err instanceof RateLimitError) {
    return { name: 'RateLimitError', route: err.route, method: err.method, retryAfter: err.retryAfter, global: err.global, scope: err.scope };
  }
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return { name: err.name, message: scrubUrl(err.message), ...(code !== undefined ? { code } : {}), stack: scrubUrl(err.stack ?? '') };
  }
  return { message: scrubUrl(String(err)) };
}
