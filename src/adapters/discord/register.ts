import { Routes, type REST } from 'discord.js';
import { diffCommands, isUnchanged, type CommandDiff, type CommandJSON, type RemoteCommand } from './definitions.ts';

export interface RegisterOptions {
  rest: REST;
  applicationId: string;
  /** Register for this guild only (development: visible at once); otherwise globally. */
  guildId?: string;
  commands: CommandJSON[];
  /** Compare only; never write. */
  dryRun?: boolean;
}

export interface RegisterResult {
  scope: 'guild' | 'global';
  guildId?: string;
  /** True when the commands were written (PUT). */
  written: boolean;
  diff: CommandDiff;
}

/**
 * Registers the application commands, writing only when they differ from what Discord has: GET the existing
 * commands of the scope, compare normalised, and PUT (bulk overwrite) only on a difference. A PUT replaces
 * the whole scope, so commands no longer defined are removed too.
 */
export async function registerCommands(options: RegisterOptions): Promise<RegisterResult> {
  const { rest, applicationId, guildId, commands } = options;
  const route = guildId ? Routes.applicationGuildCommands(applicationId, guildId) : Routes.applicationCommands(applicationId);
  // Without with_localizations Discord leaves the localization maps out, and every comparison would differ.
  const existing = (await rest.get(route, { query: new URLSearchParams({ with_localizations: 'true' }) })) as RemoteCommand[];
  const diff = diffCommands(existing, commands);
  const base = { scope: guildId ? ('guild' as const) : ('global' as const), ...(guildId ? { guildId } : {}), diff };
  if (isUnchanged(diff) || options.dryRun) return { ...base, written: false };
  await rest.put(route, { body: commands });
  return { ...base, written: true };
}

/** One line for people: what registration did. */
export function describeRegistration(result: RegisterResult, commands: CommandJSON[], dryRun = false): string {
  const where = result.scope === 'guild' ? `guild ${result.guildId}` : 'all servers (global; may take up to an hour to show)';
  const names = commands.map((c) => `/${c.name} (${c.options.length} subcommand${c.options.length === 1 ? '' : 's'})`).join(', ');
  if (isUnchanged(result.diff)) return `Discord commands for ${where} are up to date: ${names}. Nothing written.`;
  const parts = [
    result.diff.added.length ? `added ${result.diff.added.map((n) => `/${n}`).join(', ')}` : null,
    result.diff.changed.length ? `updated ${result.diff.changed.map((n) => `/${n}`).join(', ')}` : null,
    result.diff.removed.length ? `removed ${result.diff.removed.map((n) => `/${n}`).join(', ')}` : null,
  ].filter(Boolean);
  return dryRun || !result.written
    ? `Discord commands for ${where} differ (${parts.join('; ')}); dry run, nothing written.`
    : `Registered Discord commands for ${where}: ${parts.join('; ')}.`;
}
