import { createBot } from './app.ts';
import { ConfigError, loadConfig } from './config.ts';
import { DataError } from './knowledge/load.ts';
import { createLogger } from './logger.ts';
import { runShell } from './adapters/shell/shell.ts';
import type { Bot } from './core/bot.ts';
import type { ChannelPoster } from './core/delivery.ts';
import { openDigestRuntime, type DigestRuntime } from './digest/runtime.ts';
import { createShellPoster } from './digest/shell-poster.ts';
import { StorageError } from './storage/open.ts';

/**
 * Composition root: reads the environment, builds the core once, and starts the adapters whose
 * tokens are set. With no token it starts the local shell, like Hubot.
 */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    stopOnOperatorError(err, ConfigError);
  }
  const platforms = Boolean(config.slack || config.discord);
  // In the shell, logs would interleave with the prompt: only warnings and worse go to stderr.
  const log = createLogger({ level: config.logLevel ?? (platforms ? 'info' : 'warn') });
  // A promise some library forgot to handle should not take every channel's bot down with it: log it (the
  // logger masks secrets) and keep answering.
  process.on('unhandledRejection', (reason) => log.error({ err: reason }, 'unhandled promise rejection'));
  // Digests: the store opens before the bot, whose commands reach it through `services`.
  let bot: Bot;
  let digest: DigestRuntime | undefined;
  try {
    digest = await openDigestRuntime({
      databaseUrl: config.databaseUrl,
      catchupMinutes: config.digestCatchupMinutes,
      log,
      kb: () => bot.kb,
    });
  } catch (err) {
    // The shell still answers questions without a database; a platform bot would miss its digests.
    if (platforms) stopOnOperatorError(err, StorageError);
    if (!(err instanceof StorageError)) throw err;
    process.stderr.write(`Digests are off: ${err.message}\n`);
  }
  try {
    bot = await createBot({ log, services: digest ? { digest: digest.service } : {} });
  } catch (err) {
    stopOnOperatorError(err, DataError);
  }
  if (!platforms) {
    digest?.start([createShellPoster(process.stdout)]);
    // A terminal closed or a container stopped under the shell: finish a digest being printed, then exit 0.
    for (const signal of ['SIGTERM', 'SIGHUP'] as const) {
      process.once(signal, () => void (digest?.stop() ?? Promise.resolve()).finally(() => process.exit(0)));
    }
    await runShell(bot);
    await digest?.stop();
    return;
  }
  const stops: (() => Promise<void>)[] = [];
  // Installed before anything listens, so a signal during start-up also stops what has started so far.
  const shutdown = async (signal: string) => {
    log.info({ signal }, 'shutting down');
    for (const stop of [...stops].reverse()) await stop().catch((err: unknown) => log.error({ err }, 'stop failed'));
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  // Each adapter adds its ChannelPoster here, for digests.
  const posters: ChannelPoster[] = [];
  if (config.slack) {
    // Slack: Events API over HTTP (SLACK_SIGNING_SECRET) or Socket Mode (SLACK_APP_TOKEN).
    // The digest store also keeps the event ids and request signatures already handled, for every instance.
    // Bolt and discord.js are imported only when their tokens are set: the shell does not pay for them.
    const { SlackStartError, startSlack } = await import('./adapters/slack/app.ts');
    const slack = await startSlack(bot, config.slack, log, digest ? { seen: digest.store } : {}).catch((err: unknown) =>
      stopOnOperatorError(err, SlackStartError),
    );
    stops.push(() => slack.stop());
    posters.push(slack.poster);
  }
  if (config.discord) {
    // Discord: gateway (Guilds intent) for /niger interactions; REST for replies and digest posts.
    const { DiscordStartError, startDiscord } = await import('./adapters/discord/client.ts');
    const discord = await startDiscord(bot, config.discord, log).catch((err: unknown) => stopOnOperatorError(err, DiscordStartError));
    stops.push(() => discord.stop());
    posters.push(discord.poster);
  }
  // Digests: a node-cron tick every 15 s asks the store what is due and posts through the adapters above.
  if (digest) {
    const runtime = digest;
    runtime.start(posters);
    stops.push(() => runtime.stop());
  }
  // Everything is up (digests included): the fault suite waits for this line.
  log.info('running; SIGTERM or SIGINT stops it');
}

/**
 * A start failure of one of these kinds has a message meant for the operator (a bad setting, broken data, a
 * refused token): it is printed alone and the process exits with code 2. Anything else is a bug: rethrown,
 * with its stack.
 */
function stopOnOperatorError(err: unknown, ...kinds: (abstract new (...args: never[]) => Error)[]): never {
  if (!kinds.some((kind) => err instanceof kind)) throw err;
  process.stderr.write(`${(err as Error).message}\n`);
  process.exit(2);
}

await main();
