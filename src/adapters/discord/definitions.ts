import { ApplicationCommandOptionType, ApplicationCommandType, Locale, PermissionFlagsBits } from 'discord.js';
import {
  AUTOCOMPLETE_KINDS,
  isGroup,
  KNOWN_OPTION,
  LANG_OPTION,
  optionSpecs,
  type CommandDefinition,
  type CommandModule,
  type OptionSpec,
} from '../../core/command.ts';
import { catalogs, commandDescription, FALLBACK_LANG, optionDescription, t } from '../../core/i18n.ts';
import type { CommandRegistry } from '../../core/registry.ts';
import type { KnowledgeBase } from '../../knowledge/kb.ts';

/** The one application command users type; every bot command is a subcommand of it. */
export const ROOT_COMMAND = 'niger';
export const ROOT_DESCRIPTION = t(FALLBACK_LANG, 'discord.root.description');

/**
 * Where each command can be used (Discord's `contexts`): 0 a server, 1 the bot's DM, 2 other DMs and group DMs;
 * and how it can be installed (`integration_types`): 0 to a server, 1 to a user.
 */
export const CONTEXT = { guild: 0, botDm: 1, privateChannel: 2 } as const;
export const INTEGRATION = { guild: 0, user: 1 } as const;

/**
 * The channel-admin commands (those with the manageChannel precondition) live in top-level commands of their own,
 * `/niger-<group>` (`/niger-digest subscribe`), or `/niger-<command>` for one outside a group: server admins can
 * then gate them in Discord's own Integrations settings. Only in servers, shown to members with Manage Channels by
 * default; the core still checks the permission when one runs.
 */
export const ADMIN_PERMISSIONS = PermissionFlagsBits.ManageChannels.toString();

export function adminCommandName(moduleName: string): string {
  return `${ROOT_COMMAND}-${moduleName}`;
}

/**
 * The editors' commands (`audience: 'editors'`: propose, review, approve, reject, withdraw) live in one top-level
 * command of their own, `/niger-edit propose term`, with the same paths below it as in /niger. /niger's names and
 * descriptions must fit in Discord's 8,000 characters and the proposal kinds alone take a sixth of that; and in one
 * command of their own, server admins can give the editors' work to a role in Discord's Integrations settings. It is
 * shown to everyone by default, as /niger: anyone may propose, and editors by role have no permission Discord knows.
 */
export const EDITORS_COMMAND = `${ROOT_COMMAND}-edit`;

/** A command for the editors' work (see EDITORS_COMMAND). */
export function isForEditors(mod: CommandModule): boolean {
  return mod.audience === 'editors';
}

/**
 * The core path an interaction's command name starts with: '' for /niger and /niger-edit (their subcommands are the
 * core's commands), `digest` for /niger-digest; undefined for a command that is not ours.
 */
export function pathPrefix(commandName: string): string | undefined {
  if (commandName === ROOT_COMMAND || commandName === EDITORS_COMMAND) return '';
  const rest = commandName.startsWith(`${ROOT_COMMAND}-`) ? commandName.slice(ROOT_COMMAND.length + 1) : '';
  return rest || undefined;
}

/** A command a channel admin runs: it has the manageChannel precondition. */
export function isChannelAdmin(def: CommandDefinition): boolean {
  return (def.preconditions ?? []).some((p) => (typeof p === 'string' ? p : p.name) === 'manageChannel');
}

/** A choice's value and, per catalog language, the name Discord shows for it. */
export interface ChoiceSource {
  value: string;
  names?: Record<string, string>;
}

/** What the definitions need to know besides the registry: the values an option of a few fixed values takes. */
export interface BuildOptions {
  /** The countries with troop figures (the knowledge base's): a `country` option offers them as choices. */
  countries?: readonly (string | ChoiceSource)[];
}

/** The knowledge base's countries with figures, each named in every language the data names it in (its first name there). */
export function countryChoices(kb: KnowledgeBase): ChoiceSource[] {
  return kb.countries().map((value) => {
    const country = kb.data.countries.find((c) => c.name === value);
    const names = Object.fromEntries(Object.entries(country?.names ?? {}).flatMap(([lang, list]) => (list?.[0] ? [[lang, list[0]]] : [])));
    return { value, names };
  });
}

/** Discord's limits for application commands. */
export const COMMAND_LIMITS = {
  name: 32,
  description: 100,
  /** Options (or subcommands) per level. */
  options: 25,
  choices: 25,
  choiceName: 100,
  choiceValue: 100,
  /** Names, descriptions and choice names/values of one command together. */
  total: 8000,
  stringLength: 6000,
  /** Discord accepts numbers in ±2^53. */
  number: 2 ** 53,
} as const;

/**
 * The Discord locales a translation is offered in: every Discord locale whose language has a catalog ("fr",
 * "de"; a future "es" catalog gives "es-ES" and "es-419"). English is the commands' own text.
 */
function localesWithCatalogs(): { locale: string; lang: string }[] {
  return Object.values(Locale)
    .map((locale) => ({ locale, lang: locale.split('-')[0]!.toLowerCase() }))
    .filter(({ lang }) => lang !== FALLBACK_LANG && catalogs().languages().includes(lang))
    .sort((a, b) => a.locale.localeCompare(b.locale));
}

/** `description_localizations`: the text in each catalog language, cut to Discord's length. */
function localized(text: (lang: string) => string, english: string, fallback: string): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  for (const { locale, lang } of localesWithCatalogs()) {
    const value = describe(text(lang), fallback);
    if (value !== english) out[locale] = value;
  }
  return Object.keys(out).length ? out : undefined;
}

/**
 * `name_localizations`: the command's or option's name in each catalog language (`commandName.<path>`,
 * `optionName.<option>`), where the catalog has one. Discord shows it; interactions still carry the English
 * name, so the core reads them unchanged. A name Discord would refuse is a developer mistake (DefinitionError).
 */
function localizedName(key: string, english: string, where: string): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  for (const { locale, lang } of localesWithCatalogs()) {
    if (!catalogs().has(lang, key)) continue;
    const value = checkName(t(lang, key), `${where} (${locale})`);
    if (value !== english) out[locale] = value;
  }
  return Object.keys(out).length ? out : undefined;
}

/** Discord's rule for command and option names (lowercase where a letter has a case). */
const NAME = /^[-_\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$/u;

export interface ChoiceJSON {
  name: string;
  name_localizations?: Record<string, string>;
  value: string | number;
}

/** An application command option as Discord's API takes it (the subset this bot uses). */
export interface OptionJSON {
  type: ApplicationCommandOptionType;
  name: string;
  name_localizations?: Record<string, string>;
  description: string;
  description_localizations?: Record<string, string>;
  required?: boolean;
  choices?: ChoiceJSON[];
  autocomplete?: boolean;
  min_value?: number;
  max_value?: number;
  min_length?: number;
  max_length?: number;
  options?: OptionJSON[];
}

export interface CommandJSON {
  type: ApplicationCommandType.ChatInput;
  name: string;
  description: string;
  description_localizations?: Record<string, string>;
  options: OptionJSON[];
  /** A permission bitfield as text ("16": Manage Channels); absent: everyone. */
  default_member_permissions?: string;
  /** See CONTEXT; absent: Discord's default, everywhere. */
  contexts?: number[];
  /** See INTEGRATION; absent: Discord's default, servers only. */
  integration_types?: number[];
}

/** A command definition that Discord would refuse (a developer mistake, reported before anything is sent). */
export class DefinitionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DefinitionError';
  }
}

const TYPES: Record<OptionSpec['type'], ApplicationCommandOptionType> = {
  string: ApplicationCommandOptionType.String,
  integer: ApplicationCommandOptionType.Integer,
  number: ApplicationCommandOptionType.Number,
  boolean: ApplicationCommandOptionType.Boolean,
};

/**
 * The application commands for the registry: one `/niger` whose subcommands (type 1) are the bot's commands
 * and whose subcommand groups (type 2) are its command groups, with typed options generated from the same
 * zod schemas the core validates with; users may install it too, and use it in DMs. The channel-admin commands
 * go to `/niger-<group>` instead (see ADMIN_PERMISSIONS). Pure; throws DefinitionError for what Discord would reject.
 */
export function buildCommands(registry: CommandRegistry, build: BuildOptions = {}): CommandJSON[] {
  const ctx: OptionContext = { commands: registry.list().map((m) => m.name), countries: build.countries };
  const options: OptionJSON[] = [];
  const editing: OptionJSON[] = [];
  const admin: CommandJSON[] = [];
  for (const mod of registry.list()) {
    const into = isForEditors(mod) ? editing : options;
    if (isGroup(mod)) {
      const everyone = mod.subcommands.filter((s) => !isChannelAdmin(s));
      const admins = mod.subcommands.filter(isChannelAdmin);
      if (everyone.length) into.push(group(mod, everyone, ctx));
      if (admins.length) {
        admin.push(
          adminCommand(
            mod,
            admins.map((sub) => subcommand(sub, `${mod.name} ${sub.name}`, ctx)),
          ),
        );
      }
    } else if (isChannelAdmin(mod)) {
      admin.push(adminCommand(mod, subcommand(mod, mod.name, ctx).options ?? []));
    } else {
      into.push(subcommand(mod, mod.name, ctx));
    }
  }
  checkCount(options.length, `/${ROOT_COMMAND}`);
  const rootLocalized = localized((lang) => t(lang, 'discord.root.description'), ROOT_DESCRIPTION, ROOT_COMMAND);
  const command: CommandJSON = {
    type: ApplicationCommandType.ChatInput,
    name: ROOT_COMMAND,
    description: ROOT_DESCRIPTION,
    ...(rootLocalized ? { description_localizations: rootLocalized } : {}),
    options,
    contexts: [CONTEXT.guild, CONTEXT.botDm, CONTEXT.privateChannel],
    integration_types: [INTEGRATION.guild, INTEGRATION.user],
  };
  const all = [command, ...admin, ...(editing.length ? [editorsCommand(editing)] : [])];
  const names = all.map((c) => c.name);
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice) throw new DefinitionError(`/${twice} is defined twice: rename the command that takes its name.`);
  for (const c of all) {
    const size = commandSize(c);
    if (size > COMMAND_LIMITS.total) {
      throw new DefinitionError(`/${c.name} has ${size} characters of names and descriptions; Discord allows ${COMMAND_LIMITS.total}.`);
    }
  }
  return all;
}

/** `/niger-edit`: the editors' commands, where /niger is usable (see EDITORS_COMMAND); the core checks who may run each. */
function editorsCommand(options: OptionJSON[]): CommandJSON {
  checkCount(options.length, `/${EDITORS_COMMAND}`);
  const description = describe(t(FALLBACK_LANG, 'discord.edit.description'), EDITORS_COMMAND);
  const localizations = localized((lang) => t(lang, 'discord.edit.description'), description, EDITORS_COMMAND);
  return {
    type: ApplicationCommandType.ChatInput,
    name: EDITORS_COMMAND,
    description,
    ...(localizations ? { description_localizations: localizations } : {}),
    options,
    contexts: [CONTEXT.guild, CONTEXT.botDm, CONTEXT.privateChannel],
    integration_types: [INTEGRATION.guild, INTEGRATION.user],
  };
}

function group(mod: CommandModule & { subcommands: CommandDefinition[] }, subs: CommandDefinition[], ctx: OptionContext): OptionJSON {
  checkCount(subs.length, `/${ROOT_COMMAND} ${mod.name}`);
  const description = describe(mod.description, mod.name);
  const localizations = localized((lang) => commandDescription(lang, mod.name, mod.description), description, mod.name);
  const names = localizedName(`commandName.${mod.name}`, mod.name, mod.name);
  return {
    type: ApplicationCommandOptionType.SubcommandGroup,
    name: checkName(mod.name, mod.name),
    ...(names ? { name_localizations: names } : {}),
    description,
    ...(localizations ? { description_localizations: localizations } : {}),
    options: subs.map((sub) => subcommand(sub, `${mod.name} ${sub.name}`, ctx)),
  };
}

/** `/niger-<name>`: a group's admin subcommands, or a command's own options; servers only, Manage Channels. */
function adminCommand(mod: CommandModule, options: OptionJSON[]): CommandJSON {
  const name = checkName(adminCommandName(mod.name), adminCommandName(mod.name));
  checkCount(options.length, `/${name}`);
  const description = describe(t(FALLBACK_LANG, 'discord.admin.description', { root: ROOT_COMMAND, name: mod.name }), name);
  const localizations = localized((lang) => t(lang, 'discord.admin.description', { root: ROOT_COMMAND, name: mod.name }), description, name);
  return {
    type: ApplicationCommandType.ChatInput,
    name,
    description,
    ...(localizations ? { description_localizations: localizations } : {}),
    options,
    default_member_permissions: ADMIN_PERMISSIONS,
    contexts: [CONTEXT.guild],
    integration_types: [INTEGRATION.guild],
  };
}

/** What options with a few fixed values choose from: the commands (`help`'s), the countries. */
interface OptionContext {
  commands: readonly string[];
  countries?: readonly (string | ChoiceSource)[];
}

function subcommand(def: CommandDefinition, path: string, ctx: OptionContext): OptionJSON {
  // A command with a form takes its options in the form when none is given (`/niger propose troops` alone opens
  // it), so Discord must not demand them; the core still refuses a partial set by name.
  const specs = def.form ? optionSpecs(def.options).map((o) => ({ ...o, required: false })) : optionSpecs(def.options);
  // Discord demands required options first; the order among each kind is kept. Every command also takes
  // the options the core declares once (LANG_OPTION, KNOWN_OPTION), last.
  const ordered = def.form?.formOnly ? [] : [...specs.filter((s) => s.required), ...specs.filter((s) => !s.required), langSpec(), knownSpec()];
  checkCount(ordered.length, path);
  const options = ordered.map((s) => option(withChoices(s, ctx), path));
  const description = describe(def.description, def.name);
  const localizations = localized((lang) => commandDescription(lang, path, def.description), description, def.name);
  const names = localizedName(`commandName.${path.replace(/ /g, '.')}`, def.name, path);
  return {
    type: ApplicationCommandOptionType.Subcommand,
    name: checkName(def.name, path),
    ...(names ? { name_localizations: names } : {}),
    description,
    ...(localizations ? { description_localizations: localizations } : {}),
    ...(options.length ? { options } : {}),
  };
}

/**
 * An option of a kind with few values gets them as choices where they fit (Discord: 25): a command's name, a
 * country with figures. Without the list (or with too many) it keeps its autocomplete.
 */
function withChoices(spec: OptionSpec, ctx: OptionContext): OptionSpec & { choiceNames?: Map<string, Record<string, string>> } {
  if (spec.choices) return spec;
  const sources = (spec.kind === 'command' ? ctx.commands : spec.kind === 'country' ? ctx.countries : undefined)?.map((c) =>
    typeof c === 'string' ? { value: c } : c,
  );
  if (!sources?.length || sources.length > COMMAND_LIMITS.choices || sources.some((c) => c.value.length > COMMAND_LIMITS.choiceValue)) return spec;
  const choiceNames = new Map(sources.flatMap((c) => (c.names ? [[c.value, c.names] as const] : [])));
  return { ...spec, choices: sources.map((c) => c.value), ...(choiceNames.size ? { choiceNames } : {}) };
}

function langSpec(): OptionSpec {
  return { name: LANG_OPTION, description: t(FALLBACK_LANG, 'discord.lang.description'), type: 'string', required: false, choices: catalogs().languages() };
}

function knownSpec(): OptionSpec {
  return { name: KNOWN_OPTION, description: t(FALLBACK_LANG, 'discord.known.description'), type: 'string', required: false, maxLength: 10 };
}

/** The catalog key of the description of an option the core declares, which no command's catalog entry describes. */
const CORE_OPTION_DESCRIPTIONS: Record<string, string> = { [LANG_OPTION]: 'discord.lang.description', [KNOWN_OPTION]: 'discord.known.description' };

/** A language by its own name ("English", "français", "Deutsch"): how a language menu lists it. */
function endonym(lang: string): string {
  const name = new Intl.DisplayNames(lang, { type: 'language', fallback: 'code' }).of(lang) ?? lang;
  return name.charAt(0).toLocaleUpperCase(lang) + name.slice(1);
}

function option(spec: OptionSpec & { choiceNames?: Map<string, Record<string, string>> }, path: string): OptionJSON {
  const type = TYPES[spec.type];
  const core = CORE_OPTION_DESCRIPTIONS[spec.name];
  const description = describe(spec.description, spec.name);
  const localizations = localized((lang) => (core ? t(lang, core) : optionDescription(lang, path, spec.name, spec.description)), description, spec.name);
  const names = localizedName(`optionName.${spec.name}`, spec.name, `${path} ${spec.name}`);
  const out: OptionJSON = {
    type,
    name: checkName(spec.name, `${path} ${spec.name}`),
    ...(names ? { name_localizations: names } : {}),
    description,
    ...(localizations ? { description_localizations: localizations } : {}),
  };
  if (spec.required) out.required = true;
  if (spec.choices) {
    if (spec.choices.length > COMMAND_LIMITS.choices) {
      throw new DefinitionError(`${path} ${spec.name}: ${spec.choices.length} choices; Discord allows ${COMMAND_LIMITS.choices}.`);
    }
    out.choices = spec.choices.map((c) => {
      const value = type === ApplicationCommandOptionType.String ? String(c) : Number(c);
      if (String(c).length > COMMAND_LIMITS.choiceValue) {
        throw new DefinitionError(`${path} ${spec.name}: the choice "${String(c).slice(0, 30)}…" is longer than ${COMMAND_LIMITS.choiceValue} characters.`);
      }
      const name = spec.name === LANG_OPTION ? endonym(String(c)) : String(c);
      const names = choiceLocalizations(name, spec.choiceNames?.get(String(c)));
      return { name, ...(names ? { name_localizations: names } : {}), value };
    });
  } else if (spec.kind && AUTOCOMPLETE_KINDS.includes(spec.kind) && type === ApplicationCommandOptionType.String) {
    // Autocomplete and choices are mutually exclusive on Discord.
    out.autocomplete = true;
  }
  if (type === ApplicationCommandOptionType.Integer || type === ApplicationCommandOptionType.Number) {
    if (spec.min !== undefined && Math.abs(spec.min) < COMMAND_LIMITS.number) out.min_value = spec.min;
    if (spec.max !== undefined && Math.abs(spec.max) < COMMAND_LIMITS.number) out.max_value = spec.max;
  }
  if (type === ApplicationCommandOptionType.String) {
    if (spec.minLength !== undefined && spec.minLength > 0) out.min_length = Math.min(spec.minLength, COMMAND_LIMITS.stringLength);
    if (spec.maxLength !== undefined) out.max_length = Math.max(1, Math.min(spec.maxLength, COMMAND_LIMITS.stringLength));
  }
  return out;
}

/** A choice's name in each Discord locale whose language names it otherwise (France → "Frankreich" for de). */
function choiceLocalizations(english: string, byLang: Record<string, string> | undefined): Record<string, string> | undefined {
  if (!byLang) return undefined;
  const out: Record<string, string> = {};
  for (const { locale, lang } of localesWithCatalogs()) {
    const value = byLang[lang];
    if (value && value !== english && value.length <= COMMAND_LIMITS.choiceName) out[locale] = value;
  }
  return Object.keys(out).length ? out : undefined;
}

function checkName(name: string, where: string): string {
  if (!NAME.test(name) || name !== name.toLowerCase()) {
    throw new DefinitionError(`"${where}": Discord names must be 1–${COMMAND_LIMITS.name} lowercase letters, digits, - or _ (got "${name}").`);
  }
  return name;
}

function checkCount(n: number, where: string): void {
  if (n > COMMAND_LIMITS.options) throw new DefinitionError(`${where} has ${n} options or subcommands; Discord allows ${COMMAND_LIMITS.options}.`);
}

/** A description within Discord's 1–100 characters. */
export function describe(text: string, fallback: string): string {
  const clean = text.replace(/\s+/g, ' ').trim() || fallback;
  return clean.length <= COMMAND_LIMITS.description ? clean : `${clean.slice(0, COMMAND_LIMITS.description - 1).trimEnd()}…`;
}

function commandSize(c: { name: string; description: string; options?: OptionJSON[] }): number {
  return (
    c.name.length +
    c.description.length +
    (c.options ?? []).reduce((n, o) => n + commandSize(o) + (o.choices ?? []).reduce((m, ch) => m + ch.name.length + String(ch.value).length, 0), 0)
  );
}

// --- comparing with what Discord has -------------------------------------------------------------

/** A command as returned by Discord's GET (extra fields such as id, version, localizations are ignored). */
export interface RemoteCommand {
  name: string;
  description: string;
  type?: number;
  options?: RemoteOption[];
  default_member_permissions?: string | null;
  contexts?: number[] | null;
  integration_types?: number[] | null;
  nsfw?: boolean;
  [key: string]: unknown;
}

interface RemoteOption {
  type: number;
  name: string;
  description: string;
  required?: boolean;
  choices?: { name: string; name_localizations?: Record<string, string> | null; value: string | number }[];
  autocomplete?: boolean;
  min_value?: number;
  max_value?: number;
  min_length?: number;
  max_length?: number;
  options?: RemoteOption[];
  [key: string]: unknown;
}

/**
 * The fields of a command that this bot defines, with Discord's defaults filled in, in a fixed key order:
 * two commands are the same registration when their normalised JSON is equal.
 */
export function normalizeCommand(c: RemoteCommand | CommandJSON) {
  return {
    type: c.type ?? ApplicationCommandType.ChatInput,
    name: c.name,
    name_localizations: localizationsOf('name_localizations' in c ? c.name_localizations : undefined),
    description: c.description,
    description_localizations: localizationsOf(c.description_localizations),
    default_member_permissions: ('default_member_permissions' in c ? c.default_member_permissions : null) ?? null,
    nsfw: ('nsfw' in c ? c.nsfw : false) ?? false,
    // Discord's defaults when a command sets none: every context (null), installed to servers only.
    contexts: sortedOrNull(c.contexts),
    integration_types: sortedOrNull(c.integration_types) ?? [INTEGRATION.guild],
    options: (c.options ?? []).map(normalizeOption),
  };
}

function normalizeOption(o: RemoteOption | OptionJSON): unknown {
  return {
    type: o.type,
    name: o.name,
    name_localizations: localizationsOf(o.name_localizations),
    description: o.description,
    description_localizations: localizationsOf(o.description_localizations),
    required: o.required ?? false,
    autocomplete: o.autocomplete ?? false,
    choices: (o.choices ?? []).map((ch) => ({ name: ch.name, name_localizations: localizationsOf(ch.name_localizations), value: ch.value })),
    min_value: o.min_value ?? null,
    max_value: o.max_value ?? null,
    min_length: o.min_length ?? null,
    max_length: o.max_length ?? null,
    options: (o.options ?? []).map(normalizeOption),
  };
}

/**
 * Localizations in a fixed key order, none as null: Discord answers null (or leaves the field out) where
 * there are none, and may list the locales in another order than they were sent.
 */
function localizationsOf(value: unknown): Record<string, string> | null {
  if (!value || typeof value !== 'object') return null;
  const entries = Object.entries(value as Record<string, string>).sort(([a], [b]) => a.localeCompare(b));
  return entries.length ? Object.fromEntries(entries) : null;
}

function sortedOrNull(values: readonly number[] | null | undefined): number[] | null {
  return values ? [...values].sort((a, b) => a - b) : null;
}

export interface CommandDiff {
  added: string[];
  removed: string[];
  changed: string[];
}

/** What registering `wanted` would change on Discord, by command name. */
export function diffCommands(existing: readonly RemoteCommand[], wanted: readonly CommandJSON[]): CommandDiff {
  const have = new Map(existing.map((c) => [c.name, JSON.stringify(normalizeCommand(c))]));
  const want = new Map(wanted.map((c) => [c.name, JSON.stringify(normalizeCommand(c))]));
  return {
    added: [...want.keys()].filter((n) => !have.has(n)),
    removed: [...have.keys()].filter((n) => !want.has(n)),
    changed: [...want.keys()].filter((n) => have.has(n) && have.get(n) !== want.get(n)),
  };
}

export function isUnchanged(diff: CommandDiff): boolean {
  return diff.added.length === 0 && diff.removed.length === 0 && diff.changed.length === 0;
}
