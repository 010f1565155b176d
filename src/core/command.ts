import { z } from 'zod';
import type { KnowledgeBase } from '../knowledge/kb.ts';
import type { Logger } from '../logger.ts';
import type { MessageParams } from './i18n.ts';
import type { Reply } from './reply.ts';
import type { Services } from './services.ts';

/**
 * What an option's value means. The text syntax uses it to pick values out of free text
 * ("troops France 2023-09"), and adapters use it for autocomplete.
 */
export type OptionKind = 'date' | 'country' | 'person' | 'place' | 'topic' | 'text' | 'time' | 'timezone' | 'command';

export const AUTOCOMPLETE_KINDS: readonly OptionKind[] = ['country', 'person', 'place', 'topic', 'timezone'];

/** Who is asking, from where. Adapters fill it in; commands never look at the platform name to decide an answer. */
export interface Caller {
  platform: string;
  userId: string;
  channelId: string;
  /** Slack team or Discord guild. */
  workspaceId?: string;
  /**
   * May this caller change the channel's settings (digest subscriptions)? Adapters derive it from
   * platform permissions; it is a function so platforms that need an API call make it only when asked.
   */
  canManageChannel: () => Promise<boolean>;
  /**
   * May this caller review, approve and reject knowledge proposals (issue 13)? Absent: no. The shell's local user
   * is an editor; on Slack the users in SLACK_EDITOR_USER_IDS and workspace admins and owners; on Discord members
   * with Manage Server or the role in DISCORD_EDITOR_ROLE_ID.
   */
  isEditor?: () => Promise<boolean>;
  /**
   * The platform can show a form (Slack modal, Discord modal): a command that has one, asked for with no options,
   * answers with its form instead of "missing option". The shell has none.
   */
  forms?: FormCapabilities;
  /**
   * The language the caller reads, as the platform states it: a BCP 47 tag ("fr", "de-DE", "en-GB") or a
   * POSIX locale ("fr_FR.UTF-8"). The core maps it to a catalog language; absent or without a catalog:
   * English. It may be a lookup (Slack asks users.info).
   */
  locale?: () => string | undefined | Promise<string | undefined>;
  /** The language of the channel or server (Discord `guild_locale`): what digests default to. */
  channelLocale?: string;
  /**
   * Can the bot post in this channel on its own (digests)? Absent: it can. Slack answers from conversations.info
   * (a private channel the bot was not invited to cannot be posted in); a lookup that fails says yes, so an
   * outage never blocks a subscription.
   */
  canPostHere?: () => Promise<boolean>;
  /**
   * The conversation the request belongs to (a Slack thread), as a key the adapter makes unique across its
   * platform: a follow-up there ("and in 2024?") is read against the last answer in it (see conversations.ts).
   */
  conversation?: string;
}

export interface CommandContext {
  kb: KnowledgeBase;
  now: () => Date;
  caller: Caller;
  /** The language to answer in (an explicit `lang:` option, else the caller's, else English). */
  lang: string;
  /** The language the request asked for with `lang:`, when it did: it wins over the language of a question. */
  explicitLang?: string;
  /**
   * The language for what the bot posts in the channel on its own (digests): an explicit `lang:` option,
   * else the channel's or server's language, else the caller's.
   */
  channelLang: string;
  /** A catalog message in `lang`. */
  t: (key: string, params?: MessageParams) => string;
  log: Logger;
  services: Services;
  /** The loaded commands, read-only (src/core/registry.ts's CommandRegistry is one). */
  registry: CommandCatalog;
  /**
   * Runs another command with structured options (how `ask` routes a question), in `lang` when given (`ask`
   * answers in the question's language), else in this request's.
   */
  run: (path: string, options: Record<string, unknown>, lang?: string) => Promise<Reply>;
}

export type OptionsSchema = z.ZodObject<z.ZodRawShape>;

/** What a platform's forms hold: Discord modals 5 inputs with labels of 45 characters; Slack modals far more. */
export interface FormCapabilities {
  maxFields: number;
  maxLabel: number;
  maxPlaceholder: number;
  maxTitle: number;
}

/** A permission the core checks before a command's handler runs (as Sapphire's preconditions). */
export type PreconditionName = 'editor' | 'manageChannel';

/** A precondition with the catalog key of its refusal (default `permission.<name>`). */
export interface Precondition {
  name: PreconditionName;
  refusal?: string;
}

/**
 * How a command's form lays out its options on a platform with few inputs (Discord modals hold 5): `fields`
 * become one input whose value is their values joined by `separator`, split again by the core.
 */
export interface FormCombination {
  name: string;
  label: string;
  fields: string[];
  separator: string;
}

export interface FormSpec {
  /** The form's title, a catalog key. */
  title: string;
  /** Options written over several lines (text areas). */
  multiline?: string[];
  /** Applied, in order, only when a platform has fewer inputs than the form has options. */
  combine?: FormCombination[];
  /**
   * Opened only from a button (a `form` action, such as the App Home's Change): the command typed with no options
   * runs as it always did (`digest subscribe` subscribes with the defaults).
   */
  pressOnly?: boolean;
  /**
   * On a platform whose commands declare typed options (Discord), the options are given in the form only: the
   * command is declared without them and, sent alone, opens its form. Long text reads better in a form, and
   * Discord's 8000 characters for all of /niger's names and descriptions do not hold every kind of proposal.
   * The text syntax still takes every option.
   */
  formOnly?: boolean;
}

export interface CommandDefinition<S extends OptionsSchema = OptionsSchema> {
  name: string;
  description: string;
  options: S;
  /** Example invocations in the shared text syntax, shown in help. */
  examples: string[];
  /**
   * The answer depends only on the options, the knowledge base and the day it is asked: never on who asks,
   * where, or any stored state. The core then reuses it for the rest of the day (see AnswerCache).
   */
  cacheable?: boolean;
  /** Who may run it, checked by the core before the handler; the refusal changes nothing. */
  preconditions?: readonly (PreconditionName | Precondition)[];
  /**
   * The editors' work on the knowledge base (proposing, reviewing, deciding): a platform that lists commands in one
   * tree under a size limit may give these a place of their own (Discord: /niger-edit). Who may run each is still
   * its preconditions'.
   */
  audience?: 'editors';
  /** The command has a form (its options as fields), opened when it is asked for with no options (see Caller.forms). */
  form?: FormSpec;
  handler: (input: z.output<S>, ctx: CommandContext) => Reply | Promise<Reply>;
  /**
   * The days the answer changes on (ISO), for the options given: what an As of… choice offers where a platform has
   * no date picker (a Discord select). Absent: the picker alone.
   */
  asOfChoices?: (input: z.output<S>, kb: KnowledgeBase) => string[];
}

export interface CommandGroup {
  name: string;
  description: string;
  /** Asked for without a subcommand on a platform with forms: a choice of its subcommands' forms, titled by this key. */
  formChoice?: string;
  /**
   * The editors' work on the knowledge base (proposing, reviewing, deciding): a platform that lists commands in one
   * tree under a size limit may give these a place of their own (Discord: /niger-edit). Who may run each is still
   * its preconditions'.
   */
  audience?: 'editors';
  subcommands: CommandDefinition[];
}

export type CommandModule = CommandDefinition | CommandGroup;

export function defineCommand<S extends OptionsSchema>(def: CommandDefinition<S>): CommandDefinition<S> {
  return def;
}

export function defineGroup(def: CommandGroup): CommandGroup {
  return def;
}

export function isGroup(def: CommandModule): def is CommandGroup {
  return 'subcommands' in def;
}

/**
 * The option every command takes, declared here once rather than in each command: `lang:fr` answers in
 * French whatever the caller's own language. Its values are the catalog languages (src/core/i18n.ts).
 */
export const LANG_OPTION = 'lang';

/**
 * The other option every command takes: `known:2026-11-30` answers as the bot knew it at the end of that day (UTC),
 * from the revisions recorded by then ("what did we say then?"). Declared once, like LANG_OPTION.
 */
export const KNOWN_OPTION = 'known';

/** One option as every transport sees it, derived from the zod schema. */
export interface OptionSpec {
  name: string;
  description: string;
  type: 'string' | 'integer' | 'number' | 'boolean';
  required: boolean;
  kind?: OptionKind;
  choices?: string[];
  min?: number;
  max?: number;
  minLength?: number;
  maxLength?: number;
  default?: unknown;
}

interface JsonSchemaProperty {
  type?: string;
  description?: string;
  enum?: string[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  default?: unknown;
  kind?: OptionKind;
}

const specCache = new WeakMap<OptionsSchema, OptionSpec[]>();

/** Reads option specs from the zod schema (via its JSON Schema), in declaration order. */
export function optionSpecs(schema: OptionsSchema): OptionSpec[] {
  const cached = specCache.get(schema);
  if (cached) return cached;
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as {
    properties?: Record<string, JsonSchemaProperty>;
    required?: string[];
  };
  const required = new Set(json.required ?? []);
  const specs = Object.entries(json.properties ?? {}).map(([name, p]): OptionSpec => {
    const type = p.type === 'integer' || p.type === 'number' || p.type === 'boolean' ? p.type : 'string';
    return {
      name,
      description: p.description ?? name,
      type,
      required: required.has(name) && p.default === undefined,
      ...(p.kind ? { kind: p.kind } : {}),
      ...(p.enum ? { choices: p.enum } : {}),
      ...(p.minimum !== undefined ? { min: p.minimum } : {}),
      ...(p.maximum !== undefined ? { max: p.maximum } : {}),
      ...(p.minLength !== undefined ? { minLength: p.minLength } : {}),
      ...(p.maxLength !== undefined ? { maxLength: p.maxLength } : {}),
      ...(p.default !== undefined ? { default: p.default } : {}),
    };
  });
  specCache.set(schema, specs);
  return specs;
}

/** What a command may read of the registry (`help` lists and looks up commands). */
export interface CommandCatalog {
  list(): CommandModule[];
  get(name: string): CommandModule | undefined;
}
