import { Bot } from './core/bot.ts';
import { CommandRegistry, DEFAULT_COMMANDS_DIR } from './core/registry.ts';
import type { RequestMetrics } from './core/metrics.ts';
import type { Services } from './core/services.ts';
import { KnowledgeBase } from './knowledge/kb.ts';
import { BOT_LOAD_OPTIONS, DEFAULT_DATA_DIR } from './knowledge/load.ts';
import { createLogger, type Logger } from './logger.ts';

export interface CreateBotOptions {
  dataDir?: string;
  commandsDir?: string;
  now?: () => Date;
  log?: Logger;
  services?: Services;
  /** See BotOptions.answerCacheSize. */
  answerCacheSize?: number;
  /** See BotOptions.metrics. */
  metrics?: RequestMetrics;
}

/** Loads the knowledge base and discovers the commands: the one core every adapter shares. */
export async function createBot(options: CreateBotOptions = {}): Promise<Bot> {
  const kb = KnowledgeBase.load(options.dataDir ?? DEFAULT_DATA_DIR, BOT_LOAD_OPTIONS);
  const registry = await CommandRegistry.discover(options.commandsDir ?? DEFAULT_COMMANDS_DIR);
  return new Bot({
    kb,
    registry,
    log: options.log ?? createLogger(),
    now: options.now,
    services: options.services,
    answerCacheSize: options.answerCacheSize,
    metrics: options.metrics,
  });
}
