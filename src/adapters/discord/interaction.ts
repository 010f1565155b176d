import { ApplicationCommandOptionType, PermissionFlagsBits } from 'discord.js';

/** An option as it arrives in an interaction (discord.js's CommandInteractionOption, or the raw API object). */
export interface ReceivedOption {
  name: string;
  type: number;
  value?: string | number | boolean;
  focused?: boolean;
  options?: readonly ReceivedOption[];
}

export interface Invocation {
  /** The core's command path: "troops", or "digest subscribe" for a subcommand of a group. */
  path: string;
  /** The leaf options by name, typed as Discord delivered them (strings, numbers, booleans). */
  options: Record<string, unknown>;
  /** For autocomplete: the option being typed and its partial value. */
  focused?: { name: string; value: string };
}

/**
 * Reads `/niger <sub> [options]` or `/niger <group> <sub> [options]` from an interaction's options into the
 * core's path and options. Generic over groups: nothing here knows a command by name.
 */
export function readInvocation(data: readonly ReceivedOption[], prefix = ''): Invocation {
  const within = (path: string) => (prefix && path ? `${prefix} ${path}` : prefix || path);
  const first = data[0];
  // `prefix`: the path the top-level command itself names (`digest` for /niger-digest, see definitions.ts).
  if (first?.type === ApplicationCommandOptionType.SubcommandGroup) {
    const sub = first.options?.[0];
    return leaves(within(sub ? `${first.name} ${sub.name}` : first.name), sub?.options ?? []);
  }
  if (first?.type === ApplicationCommandOptionType.Subcommand) return leaves(within(first.name), first.options ?? []);
  if (!prefix && !first) return { path: 'help', options: {} };
  // Options directly on the top-level command: /niger-<command> for an admin command outside a group.
  return leaves(prefix, data);
}

function leaves(path: string, opts: readonly ReceivedOption[]): Invocation {
  const options: Record<string, unknown> = {};
  let focused: Invocation['focused'];
  for (const o of opts) {
    if (o.value === undefined) continue;
    options[o.name] = o.value;
    if (o.focused) focused = { name: o.name, value: String(o.value) };
  }
  return { path, options, ...(focused ? { focused } : {}) };
}

const MANAGE = PermissionFlagsBits.ManageChannels | PermissionFlagsBits.Administrator;

/**
 * May the member change this channel's settings? True with Manage Channels or Administrator in the
 * member's permission bitfield for the channel (interaction `member.permissions`); false without one (DMs).
 */
export function canManageChannel(permissions: bigint | string | null | undefined): boolean {
  if (permissions === null || permissions === undefined || permissions === '') return false;
  try {
    return (BigInt(permissions) & MANAGE) !== 0n;
  } catch {
    return false;
  }
}

/**
 * Is the member an editor of the knowledge base? Manage Server (or Administrator) in the interaction's permission
 * bitfield, or the configured editor role among the member's roles; never in a DM (no member there).
 */
export function isEditor(permissions: bigint | string | null | undefined, roles: readonly string[] | undefined, editorRoleId: string | undefined): boolean {
  if (editorRoleId && roles?.includes(editorRoleId)) return true;
  if (permissions === null || permissions === undefined || permissions === '') return false;
  try {
    return (BigInt(permissions) & (PermissionFlagsBits.ManageGuild | PermissionFlagsBits.Administrator)) !== 0n;
  } catch {
    return false;
  }
}
