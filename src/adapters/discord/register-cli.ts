// `npm run discord:register [-- --dry-run | --print]`: registers /niger for DISCORD_GUILD_ID (development)
// or globally, writing only when the definitions changed.
import { DiscordAPIError, REST } from 'discord.js';
import { ConfigError, loadConfig } from '../../config.ts';
import { CommandRegistry } from '../../core/registry.ts';
import { KnowledgeBase } from '../../knowledge/kb.ts';
import { BOT_LOAD_OPTIONS, DEFAULT_DATA_DIR } from '../../knowledge/load.ts';
import { maskSecrets } from '../../logger.ts';
import { buildCommands, countryChoices, DefinitionError } from './definitions.ts';
import { describeRegistration, registerCommands } from './register.ts';
import { discordRestOptions, scrubUrl } from './rest.ts';

async function main(argv: string[]): Promise<number> {
  const print = argv.includes('--print');
  const dryRun = argv.includes('--dry-run');
  let commands: ReturnType<typeof buildCommands>;
  try {
    // The countries with figures become the `country` options' choices, as the bot itself builds them.
    const kb = KnowledgeBase.load(DEFAULT_DATA_DIR, BOT_LOAD_OPTIONS);
    commands = buildCommands(await CommandRegistry.discover(), { countries: countryChoices(kb) });
  } catch (err) {
    if (err instanceof DefinitionError) {
      process.stderr.write(`Cannot register: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
  if (print) {
    process.stdout.write(`${JSON.stringify(commands, null, 2)}\n`);
    return 0;
  }
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      return 2;
    }
    throw err;
  }
  if (!config.discord) {
    process.stderr.write('Cannot register: set DISCORD_TOKEN and DISCORD_APPLICATION_ID (and DISCORD_GUILD_ID for one server).\n');
    return 2;
  }
  const { token, applicationId, guildId } = config.discord;
  const rest = new REST(discordRestOptions(config.discord)).setToken(token);
  try {
    const result = await registerCommands({ rest, applicationId, guildId, commands, dryRun });
    process.stdout.write(`${describeRegistration(result, commands, dryRun)}\n`);
    return 0;
  } catch (err) {
    process.stderr.write(`${explain(err, guildId)}\n`);
    return 1;
  }
}

function explain(err: unknown, guildId: string | undefined): string {
  if (err instanceof DiscordAPIError) {
    if (err.status === 401) return 'Discord refused DISCORD_TOKEN (401 Unauthorized): check the bot token.';
    if (err.status === 403 || err.status === 404) {
      return guildId
        ? `Discord refused the registration for guild ${guildId} (${err.status} ${err.message}): check DISCORD_GUILD_ID, DISCORD_APPLICATION_ID, and that the bot was invited with the applications.commands scope.`
        : `Discord refused the registration (${err.status} ${err.message}): check DISCORD_APPLICATION_ID.`;
    }
    return `Discord refused the commands (${err.status}): ${maskSecrets(err.message)}`;
  }
  return `Cannot register: ${scrubUrl(err instanceof Error ? err.message : String(err))}`;
}

process.exitCode = await main(process.argv.slice(2));
