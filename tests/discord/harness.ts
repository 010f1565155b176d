import { startDiscord, type DiscordAdapter, type DiscordAdapterOptions } from '../../src/adapters/discord/client.ts';
import { buildCommands, type OptionJSON } from '../../src/adapters/discord/definitions.ts';
import type { Bot } from '../../src/core/bot.ts';
import type { DiscordConfig } from '../../src/config.ts';
import type { Logger } from '../../src/logger.ts';
import { captureLogger } from '../helpers/bot.ts';
import { startFakeDiscord, type FakeDiscord, type FakeDiscordOptions, type OptionValue } from '../fakes/discord.ts';

/** Token-shaped (so the logger's secret pattern would match it) but fake. */
export const TEST_TOKEN = 'MTE5MDAwMDAwMDAwMDAwMDAwMg.GfAkEx.tEsTtOkEnNoTrEaLaBcDeFgHiJkLmNoPqRsTuV';
export const APPLICATION_ID = '1190000000000000001';
export const GUILD_ID = '1190000000000000100';

export interface Harness {
  fake: FakeDiscord;
  adapter: DiscordAdapter;
  config: DiscordConfig;
  logLines: () => string[];
  close(): Promise<void>;
}

/** The fake Discord plus the real adapter connected to it. */
export async function startHarness(
  bot: Bot,
  options: {
    fake?: FakeDiscordOptions;
    adapter?: DiscordAdapterOptions;
    log?: { log: Logger; lines: () => string[] };
    guildId?: string;
    /** DISCORD_SHARDS. */
    shards?: DiscordConfig['shards'];
    /** More settings (the editor role, the editors' channel). */
    config?: Partial<DiscordConfig>;
  } = {},
): Promise<Harness> {
  const fake = await startFakeDiscord({ token: TEST_TOKEN, applicationId: APPLICATION_ID, ...options.fake });
  const captured = options.log ?? captureLogger('info');
  const config: DiscordConfig = {
    token: TEST_TOKEN,
    applicationId: APPLICATION_ID,
    apiUrl: fake.apiUrl,
    ...(options.guildId ? { guildId: options.guildId } : {}),
    ...(options.shards !== undefined ? { shards: options.shards } : {}),
    ...options.config,
  };
  let adapter: DiscordAdapter;
  try {
    adapter = await startDiscord(bot, config, captured.log, { checkRegistration: false, ...options.adapter });
  } catch (err) {
    await fake.close();
    throw err;
  }
  return {
    fake,
    adapter,
    config,
    logLines: captured.lines,
    async close() {
      await adapter.stop();
      await fake.close();
    },
  };
}

/**
 * The Discord options for a line in the shared text syntax, the way Discord's client would send them:
 * the core parses the line, and each value gets the type the generated command definition gives it.
 */
export function interactionFor(bot: Bot, text: string): { path: string; options: Record<string, OptionValue> } {
  const { path, options } = bot.parseText(text);
  const [root] = buildCommands(bot.registry);
  const [first, second] = path.split(' ');
  let sub = root!.options.find((o) => o.name === first);
  if (second) sub = sub?.options?.find((o) => o.name === second);
  const defs: OptionJSON[] = sub?.options ?? [];
  const typed: Record<string, OptionValue> = {};
  for (const [name, value] of Object.entries(options)) {
    const def = defs.find((d) => d.name === name);
    const type = def?.type ?? 3;
    if (type === 4 || type === 10) typed[name] = { type, value: Number(value) };
    else if (type === 5) typed[name] = { type, value: value === 'true' };
    else typed[name] = { type: 3, value };
  }
  return { path, options: typed };
}
