import { createBot } from './app.ts';
import { ConfigError, loadConfig } from './config.ts';
import { DataError } from './knowledge/load.ts';
import { createLogger } from './logger.ts';
import { runShell } from './adapters/shell/shell.ts';

/**
 * Composition root: reads the environment, builds the core once, and starts the adapters whose
 * tokens are set. With no token it starts the local shell, like Hubot.
 */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const platforms = Boolean(config.slack || config.discord);
  // In the shell, logs would interleave with the prompt: only warnings and worse go to stderr.
  const log = createLogger({ level: config.logLevel ?? (platforms ? 'info' : 'warn') });
  let bot;
  try {
    bot = await createBot({ log });
  } catch (err) {
    if (err instanceof DataError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  if (!platforms) {
    await runShell(bot);
    return;
  }
  const stops: (() => Promise<void>)[] = [];
  // --- platform adapters start here (each adapter adds its own block) ---
  // --- end of platform adapters ---
  const shutdown = async (signal: string) => {
    log.info({ signal }, 'shutting down');
    for (const stop of stops.reverse()) await stop().catch((err: unknown) => log.error({ err }, 'stop failed'));
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
}

await main();
