import { createBot } from './app.ts';
import { chartService } from './charts/service.ts';
import { ConfigError, loadConfig, loadEnvFile } from './config.ts';
import { DataError } from './knowledge/load.ts';
import { createLogger } from './logger.ts';
import { shellAdapter, shellUserArg, terminalLocale } from './adapters/shell/shell.ts';
import { AdapterStartError, type Adapter } from './core/adapter.ts';
import { languageOf } from './core/i18n.ts';
import type { Bot } from './core/bot.ts';
import type { ChannelPoster } from './core/delivery.ts';
import { openDigestRuntime, type DigestRuntime } from './digest/runtime.ts';
import type { HealthRoutes, ReadinessCheck } from './ops/health.ts';
import type { Metrics } from './ops/metrics.ts';
import { StorageError } from './storage/open.ts';
import type { LiveKnowledge } from './live-knowledge.ts';
import { answerFromStore, storeServices } from './knowledge-store.ts';
import type { Services } from './core/services.ts';

/** The health and metrics port could not be opened: the message names METRICS_PORT. */
class HealthStartError extends Error {}

/**
 * Composition root: reads the environment, builds the core once, and runs the adapters whose tokens are
 * set (one loop over src/core/adapter.ts's interface). With no token it runs the local shell, like Hubot.
 */
async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    loadEnvFile();
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
  // Health and metrics (src/ops): on PORT beside Slack's HTTP receiver, or on METRICS_PORT; neither, no port.
  // The metrics are made once the commands are known; until then the counters below have nowhere to go.
  const serveHealth = platforms && (config.metricsPort !== undefined || config.slack?.mode === 'http');
  let metrics: Metrics | undefined;
  // Digests: the store opens before the bot, whose commands reach it through `services`.
  let bot: Bot;
  let digest: DigestRuntime | undefined;
  // Charts load their libraries on the first one drawn: a bot never asked for one never pays for them.
  const charts = chartService();
  try {
    digest = await openDigestRuntime({
      databaseUrl: config.databaseUrl,
      catchupMinutes: config.digestCatchupMinutes,
      log,
      kb: () => bot.kb,
      charts,
      ...(config.tokenEncryptionKey ? { tokenKey: config.tokenEncryptionKey } : {}),
      ...(serveHealth
        ? { onDatabaseError: () => metrics?.databaseError(), scheduler: { metrics: { count: (event, n) => metrics?.digests.count(event, n) } } }
        : {}),
    });
  } catch (err) {
    // The shell still answers questions without a database; a platform bot would miss its digests.
    if (platforms) stopOnOperatorError(err, StorageError);
    if (!(err instanceof StorageError)) throw err;
    process.stderr.write(`Digests are off: ${err.message}\n`);
  }
  let live: LiveKnowledge | undefined;
  const services: Services = {
    charts,
    // After an approval: the knowledge reloads before the reply, then the corrections it calls for go out.
    ...(digest
      ? {
          digest: digest.service,
          ...storeServices(
            digest.store,
            () => live,
            () => void digest?.corrections.run(),
          ),
        }
      : {}),
  };
  try {
    bot = await createBot({
      log,
      services,
      ...(serveHealth ? { metrics: { request: (event) => metrics?.requests.request(event) } } : {}),
    });
  } catch (err) {
    stopOnOperatorError(err, DataError);
  }
  // The seed goes into the store once the loader has checked it (across files too); then answers come from the
  // store's current revisions, reloaded live. A shell whose store cannot take the seed answers from data/ alone; a
  // platform bot stops, as for digests.
  if (digest) {
    try {
      live = await answerFromStore(digest.store, bot, services, log);
    } catch (err) {
      if (platforms) stopOnOperatorError(err, StorageError, DataError);
      if (!(err instanceof StorageError)) throw err;
      process.stderr.write(`Knowledge revisions were not imported: ${err.message}\n`);
    }
  }
  const stops: (() => Promise<void>)[] = [];
  let stopping = false;
  // Installed before anything listens, so a signal during start-up also stops what has started so far.
  const shutdown = async (why: { signal: string } | { ended: string }) => {
    if (stopping) return; // a second signal, or the shell closing while a signal stops it
    stopping = true; // /readyz answers 503 from now on, so a load balancer stops sending us work
    log.info(why, 'shutting down');
    for (const stop of [...stops].reverse()) await stop().catch((err: unknown) => log.error({ err }, 'stop failed'));
    process.exit(0);
  };
  if (live) {
    const running = live;
    stops.push(() => running.stop());
  }
  // SIGHUP: the terminal the bot runs in was closed (the shell's, or a foreground `npm start`).
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(signal, () => void shutdown({ signal }));
  const checks: ReadinessCheck[] = [
    { name: 'accepting', check: () => !stopping },
    { name: 'knowledge', check: () => bot.kb !== undefined },
    { name: 'database', check: async () => void (await digest!.store.migrations()) },
  ];
  let slackRoutes: HealthRoutes | undefined;
  if (serveHealth) {
    const [{ createMetrics }, { healthRoutes, startHealthServer }] = await Promise.all([import('./ops/metrics.ts'), import('./ops/health.ts')]);
    metrics = createMetrics({
      platforms: [...(config.slack ? ['slack'] : []), ...(config.discord ? ['discord'] : [])],
      commands: bot.registry.runnable().map((r) => r.path),
    });
    const routes = healthRoutes({ checks: () => checks, metrics, log });
    if (config.metricsPort !== undefined) {
      const port = config.metricsPort;
      const server = await startHealthServer(routes, port).catch((err: unknown) =>
        stopOnOperatorError(
          new HealthStartError(
            `Cannot serve health and metrics on port ${port}: ${(err as { code?: string }).code ?? (err as Error).message}. Check METRICS_PORT.`,
          ),
          HealthStartError,
        ),
      );
      stops.push(() => server.stop());
      log.info({ port: server.port, paths: ['/healthz', '/readyz', '/metrics'] }, 'health and metrics listening');
      // Slack's public port keeps only the health checks a load balancer needs; /metrics is on METRICS_PORT.
      slackRoutes = healthRoutes({ checks: () => checks, log });
    } else {
      slackRoutes = routes;
    }
  }
  // The adapters the settings ask for, in start order; with no platform token, the local shell (like Hubot).
  // Bolt and discord.js are imported only when their tokens are set: the shell does not pay for them.
  const adapters: Adapter[] = [];
  if (config.slack) {
    // Events API over HTTP (SLACK_SIGNING_SECRET) or Socket Mode (SLACK_APP_TOKEN). The digest store also keeps
    // the event ids and request signatures already handled, for every instance, and the installations (OAuth),
    // and turns an uninstalled workspace's digests off.
    const { slackAdapter } = await import('./adapters/slack/app.ts');
    adapters.push(
      slackAdapter(bot, config.slack, log, {
        ...(digest ? { seen: digest.store, installations: digest.store } : {}),
        ...(slackRoutes ? { routes: slackRoutes } : {}),
      }),
    );
  }
  if (config.discord) {
    // Gateway (Guilds intent) for /niger interactions; REST for replies and digest posts.
    const { discordAdapter } = await import('./adapters/discord/client.ts');
    adapters.push(discordAdapter(bot, config.discord, log));
  }
  if (!platforms) {
    // `npm start -- --as NAME`: who the shell's user is in proposals (default the OS user).
    const asUser = shellUserArg(process.argv.slice(2), languageOf(terminalLocale()));
    if (asUser.error) stopOnOperatorError(new ConfigError(asUser.error), ConfigError);
    adapters.push(shellAdapter(bot, asUser.name ? { user: asUser.name } : {}));
  }
  // Each adapter, once started, is stopped on shutdown (in reverse), gives its ChannelPoster to the digests
  // and its readiness to /readyz.
  const posters: ChannelPoster[] = [];
  for (const adapter of adapters) {
    await adapter.start().catch((err: unknown) => stopOnOperatorError(err, AdapterStartError));
    stops.push(() => adapter.stop());
    if (adapter.poster) posters.push(adapter.poster());
    const ready = adapter.ready?.bind(adapter);
    if (ready) checks.push({ name: adapter.platform, check: ready });
  }
  if (slackRoutes && config.slack?.mode === 'http') {
    log.info({ paths: ['/healthz', '/readyz', ...(config.metricsPort === undefined ? ['/metrics'] : [])] }, 'health endpoints on the Slack port');
  }
  // Digests: a node-cron tick every 15 s asks the store what is due and posts through the adapters above.
  // They stop first on shutdown: a digest being posted still has its adapter to finish on.
  if (digest) {
    const runtime = digest;
    runtime.start(posters);
    stops.push(() => runtime.stop());
  }
  // Everything is up (digests included): the fault suite waits for this line.
  log.info('running; SIGTERM or SIGINT stops it');
  // An adapter that ends by itself (the shell at `exit` or the end of its input) ends the bot as a signal
  // would. Listened to only now, so a digest already due when the shell opened is printed before it ends.
  for (const adapter of adapters) void adapter.ended?.then(() => shutdown({ ended: adapter.platform }));
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
