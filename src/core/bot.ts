import { randomBytes } from 'node:crypto';
import type { z } from 'zod';
import { DateParseError } from '../knowledge/dates.ts';
import type { KnowledgeBase } from '../knowledge/kb.ts';
import type { Logger } from '../logger.ts';
import { AnswerCache, DEFAULT_ANSWER_CACHE_SIZE } from './answer-cache.ts';
import {
  isGroup,
  KNOWN_OPTION,
  LANG_OPTION,
  optionSpecs,
  type Caller,
  type CommandContext,
  type CommandDefinition,
  type CommandGroup,
  type FormCapabilities,
  type OptionSpec,
} from './command.ts';
import { ConversationMemory, mergeFollowUp, type ConversationMemoryOptions, type ConversationTurn } from './conversations.ts';
import { describeDateError, PermissionError, UserError } from './errors.ts';
import { catalogs, FALLBACK_LANG, optionDescription, t, type MessageParams } from './i18n.ts';
import { quote as clip } from './sanitize.ts';
import type { RequestMetrics } from './metrics.ts';
import { completeKind, extractKind } from './option-kinds.ts';
import { type CommandRegistry, closest } from './registry.ts';
import { answerActions, feedbackOnQuestion, rerunText, sharedReply, sourcesReply } from './answer-actions.ts';
import { renderText } from './render-text.ts';
import { decodeAction, reply, type FormField, type Reply, type ReplyForm, type Rerun } from './reply.ts';
import { cleanInput, exceedsInput, MAX_INPUT_CHARS, quote } from './sanitize.ts';
import type { Services } from './services.ts';

export interface BotOptions {
  kb: KnowledgeBase;
  registry: CommandRegistry;
  log: Logger;
  now?: () => Date;
  services?: Services;
  /** Answers of cacheable commands kept for reuse within the day; 0 turns the cache off. */
  answerCacheSize?: number;
  /** Told about every request answered (platform, command, outcome, cache, latency); see metrics.ts. */
  metrics?: RequestMetrics;
  /** How many conversations (Slack threads) are remembered for follow-ups, and for how long. */
  conversations?: ConversationMemoryOptions;
}

/** A question rather than a command: "who ruled Niger in June 2023?", "how many French troops are left". */
const QUESTION_START =
  /^(who|what|when|where|how|which|why|is|are|was|were|did|does|do|has|have|can|tell|give|show|list)\s+(is|was|are|were|did|does|do|ruled|rules|rule|runs|ran|leads|led|governs|governed|many|much|long|has|had|the|a|an|me|us|french|foreign|troops|soldiers|forces|still|in|of|there|niger)\b/i;

/** The text syntax the adapters share: `/niger troops country:France date:2023-09`. */
const KEY_VALUE = /^([a-z][a-z_]*):(.*)$/i;

/** `lang:fr` anywhere in a line of text: the language option every command takes (LANG_OPTION). */
const LANG_TOKEN = new RegExp(`(^|\\s)${LANG_OPTION}:(\\S*)(?=\\s|$)`, 'i');

/** `known:2026-11-30` anywhere in a line of text (KNOWN_OPTION). */
const KNOWN_TOKEN = new RegExp(`(^|\\s)${KNOWN_OPTION}:(\\S*)(?=\\s|$)`, 'i');

export interface ParsedCommand {
  path: string;
  options: Record<string, string>;
}

/**
 * The catalog key labelling a form field: the command's own (`form.field.propose.event.date`, where one option name
 * means different things in different forms), else the option's (`form.field.date`); none: the option's name.
 */
function fieldLabelKey(path: string, name: string): string | undefined {
  const own = `form.field.${path.replace(/ /g, '.')}.${name}`;
  if (catalogs().has(FALLBACK_LANG, own)) return own;
  return catalogs().has(FALLBACK_LANG, `form.field.${name}`) ? `form.field.${name}` : undefined;
}

/** The core: turns text or structured options into a Reply. Knows no platform. */
export class Bot {
  private knowledge: KnowledgeBase;
  readonly registry: CommandRegistry;
  readonly log: Logger;
  readonly now: () => Date;
  readonly services: Services;
  private readonly answers: AnswerCache | null;
  private readonly metrics: RequestMetrics | undefined;
  /** The command each cached answer came from, so that a cache hit is counted under it too. */
  private readonly commandOf = new WeakMap<Reply, string>();
  /** The command each cached answer ran as, so a conversation remembers it on a cache hit too. */
  private readonly turnOf = new WeakMap<Reply, Omit<ConversationTurn, 'text'>>();
  private readonly conversations: ConversationMemory;

  constructor(options: BotOptions) {
    this.knowledge = options.kb;
    this.registry = options.registry;
    this.log = options.log;
    this.now = options.now ?? (() => new Date());
    this.services = options.services ?? {};
    const size = options.answerCacheSize ?? DEFAULT_ANSWER_CACHE_SIZE;
    this.answers = size > 0 ? new AnswerCache(size) : null;
    this.metrics = options.metrics;
    this.conversations = new ConversationMemory(options.conversations);
  }

  /** The knowledge base answers come from now (see replaceKnowledge). */
  get kb(): KnowledgeBase {
    return this.knowledge;
  }

  /**
   * Answers from `kb` from now on (an approved revision, loaded live): the cached answers came from the old one,
   * so they all go. A request already running finishes on the knowledge base it started with.
   */
  replaceKnowledge(kb: KnowledgeBase): void {
    this.knowledge = kb;
    this.answers?.clear();
  }

  /**
   * Answers a line of text: a command in the shared syntax, or a plain question for `ask`. In a conversation
   * (Caller.conversation), a follow-up that only brings a date or a country ("and in 2024?", "what about
   * Germany?") re-runs the last command answered there with it; so does one that is not understood alone but
   * reads as such a follow-up with the last question's words.
   */
  async handleText(text: string, caller: Caller): Promise<Reply> {
    const turn = caller.conversation ? this.conversations.get(caller.conversation, this.now().getTime()) : undefined;
    if (!turn) return this.handleAlone(text, caller);
    const elliptical = await this.followUp(text, caller, turn, true);
    if (elliptical) return elliptical;
    const alone = await this.handleAlone(text, caller);
    if (alone.kind !== 'error' && alone.answered) return alone;
    return (await this.followUp(text, caller, turn, false)) ?? alone;
  }

  /** Is there a last answer in this conversation to follow up on? A cheap check, before anything else is done. */
  hasConversation(key: string): boolean {
    return this.conversations.get(key, this.now().getTime()) !== undefined;
  }

  /**
   * Only a follow-up's answer: the text is answered when, in a conversation with a last answer, it brings nothing
   * but a date or a country for it; else undefined and nothing is answered (a message in a thread the bot was not
   * addressed in: "thanks!" gets no reply).
   */
  async followUpIn(text: string, caller: Caller): Promise<Reply | undefined> {
    const turn = caller.conversation ? this.conversations.get(caller.conversation, this.now().getTime()) : undefined;
    return turn && this.followUp(text, caller, turn, true);
  }

  /** The follow-up's answer, or undefined when the text is not one (a command of its own, or more than a date and a country). */
  private async followUp(text: string, caller: Caller, turn: ConversationTurn, strict: boolean): Promise<Reply | undefined> {
    const clean = cleanInput(text).replace(/^\/?niger\b\s*/i, '');
    const first = clean.split(' ')[0]?.toLowerCase() ?? '';
    if (!clean || this.registry.get(first) || LANG_TOKEN.test(clean) || KEY_VALUE.test(first)) return undefined;
    const def = this.registry.resolve(turn.path);
    const merged = def && mergeFollowUp(clean, turn, def, this.kb, this.now(), strict);
    if (!merged) return undefined;
    const answer = await this.run(turn.path, { ...merged, [LANG_OPTION]: turn.lang }, caller);
    // run() remembered the new turn when it answered; it keeps the words asked so far, for the next follow-up.
    const key = caller.conversation!;
    const next = this.conversations.get(key, this.now().getTime());
    if (next && next !== turn) this.conversations.set(key, { ...next, text: `${turn.text} ${clean}` }, this.now().getTime());
    if (answer.kind !== 'answer') return answer;
    const readAs = [turn.path, ...Object.entries(merged).map(([k, v]) => `${k}:${v}`)].join(' ');
    return { ...answer, notes: [...answer.notes, t(answer.lang ?? turn.lang, 'conversation.readAs', { command: readAs })] };
  }

  /** Remembers the command a conversation's answer ran as (nothing outside a conversation, or for no answer). */
  private remember(caller: Caller, text: string, turn: Omit<ConversationTurn, 'text'> | undefined): void {
    if (caller.conversation && turn) this.conversations.set(caller.conversation, { ...turn, text }, this.now().getTime());
  }

  private async handleAlone(text: string, caller: Caller): Promise<Reply> {
    const started = performance.now();
    // One clock reading per request, so parsing and answering agree on the day.
    const now = this.now();
    const callerLang = await this.callerLang(caller);
    const key = textKey(text, callerLang);
    const cached = this.answers?.get(key, now);
    if (cached) {
      this.remember(caller, text, this.turnOf.get(cached));
      return this.counted(caller, started, 'hit', this.commandOf.get(cached), cached);
    }
    let lang = callerLang;
    let state: RequestState | undefined;
    const answer = await this.guard(
      'text',
      caller,
      () => lang,
      () =>
        this.keep(key, now, async (request) => {
          state = request;
          const { rest: withoutLang, explicit } = this.takeLang(text);
          if (explicit) lang = explicit;
          const langs = { lang, channelLang: explicit ?? this.channelLang(caller, lang), explicit };
          const { rest, value: known } = takeToken(KNOWN_TOKEN, withoutLang);
          const day = known === undefined ? undefined : await this.knownAt(known, now, request);
          try {
            const parsed = this.parseText(rest, now);
            return knownNote(await this.execute(parsed.path, parsed.options, caller, now, request, langs), day);
          } catch (err) {
            // "timeline of the withdrawal" is a question that starts with a command's name: when the command
            // cannot read it but every word of it is understood as a question, answer the question.
            if (err instanceof UserError && this.readsAsQuestion(rest, now)) {
              return knownNote(await this.execute('ask', { question: rest }, caller, now, request, langs), day);
            }
            throw err;
          }
        }),
    );
    this.remember(caller, text, state?.turn ?? this.turnOf.get(answer));
    return this.counted(caller, started, this.answers ? 'miss' : 'off', state?.command, answer);
  }

  /** The caller's own language (English when the platform gives none we have a catalog for). */
  private async callerLang(caller: Caller): Promise<string> {
    let tag: string | undefined;
    try {
      tag = await caller.locale?.();
    } catch (err) {
      this.log.warn({ err, platform: caller.platform }, "could not read the caller's language; answering in English");
    }
    return catalogs().resolve(tag) ?? FALLBACK_LANG;
  }

  private channelLang(caller: Caller, lang: string): string {
    return catalogs().resolve(caller.channelLocale) ?? lang;
  }

  /** Takes `lang:xx` out of a line of text; an unknown language is a UserError (in the caller's language). */
  private takeLang(text: string): { rest: string; explicit?: string } {
    const m = LANG_TOKEN.exec(text);
    if (!m) return { rest: text };
    const explicit = this.explicitLang(m[2] ?? '');
    return { rest: `${text.slice(0, m.index)}${m[1]}${text.slice(m.index + m[0].length)}`.trim(), explicit };
  }

  /**
   * Sets the request to answer from the knowledge base as known at the end of `value` (a past or present UTC day,
   * YYYY-MM-DD) and returns that day; anything else is refused, and nothing runs.
   */
  private async knownAt(value: unknown, now: Date, request: RequestState): Promise<string> {
    const day = typeof value === 'string' ? value.trim() : '';
    const today = now.toISOString().slice(0, 10);
    const parsed = Date.parse(`${day}T00:00:00Z`);
    // The round trip refuses days that do not exist (2026-02-30), which Date would roll over.
    const real = /^\d{4}-\d{2}-\d{2}$/.test(day) && !Number.isNaN(parsed) && new Date(parsed).toISOString().slice(0, 10) === day;
    if (!real || day > today) throw new UserError({ key: 'error.known.invalid', params: { value: quote(String(value), 20), today } });
    const at = this.services.knowledgeAt;
    if (!at) throw new UserError({ key: 'error.known.noStore' });
    const kb = await at(day);
    if (!kb) throw new UserError({ key: 'error.known.nothing', params: { day } });
    request.kb = kb;
    return day;
  }

  private explicitLang(value: unknown): string {
    const lang = typeof value === 'string' ? catalogs().resolve(value) : undefined;
    if (!lang) {
      throw new UserError({ key: 'error.badLang', params: { value: quote(String(value), 20), choices: catalogs().languages().join(', ') } });
    }
    return lang;
  }

  private readsAsQuestion(text: string, now: Date): boolean {
    const question = cleanInput(text).replace(/^\/?niger\b\s*/i, '');
    const words = question.split(' ');
    // Only text that starts with a command's own name, in words, not options: "trops France" and
    // "troops contry:France" keep their "did you mean".
    if (words.length < 2 || !this.registry.get(words[0]!.toLowerCase()) || words.some((w) => KEY_VALUE.test(w))) return false;
    const u = this.kb.questions.understand(question, now);
    return u.parts.length > 0 && u.free.length === 0;
  }

  /**
   * The answer `handleText` would give, if it is already known today (computed earlier and cached), without
   * waiting: adapters that must acknowledge quickly can answer at once. Undefined when it is not known.
   */
  knownAnswer(text: string, locale?: string): Reply | undefined {
    return this.answers?.get(textKey(text, catalogs().resolve(locale) ?? FALLBACK_LANG), this.now());
  }

  /** Answers a command whose options arrive already structured (Discord, tests). */
  async run(path: string, options: Record<string, unknown>, caller: Caller, how: RunOptions = {}): Promise<Reply> {
    const started = performance.now();
    const now = this.now();
    const callerLang = await this.callerLang(caller);
    const key = structuredKey(path, options, callerLang);
    const cached = key === undefined ? undefined : this.answers?.get(key, now);
    if (cached) {
      this.remember(caller, runText(path, options), this.turnOf.get(cached));
      return this.counted(caller, started, 'hit', this.commandOf.get(cached), cached);
    }
    let lang = callerLang;
    let state: RequestState | undefined;
    const answer = await this.guard(
      path,
      caller,
      () => lang,
      () =>
        this.keep(key, now, async (request) => {
          state = request;
          const { [LANG_OPTION]: asked, [KNOWN_OPTION]: known, ...rest } = options;
          const explicit = asked === undefined || asked === '' ? undefined : this.explicitLang(asked);
          if (explicit) lang = explicit;
          const day = known === undefined || known === '' ? undefined : await this.knownAt(known, now, request);
          const langs = { lang, channelLang: explicit ?? this.channelLang(caller, lang), explicit };
          return knownNote(await this.execute(path, rest, caller, now, request, langs, how), day);
        }),
    );
    this.remember(caller, runText(path, options), state?.turn ?? this.turnOf.get(answer));
    return this.counted(caller, started, this.answers && key !== undefined ? 'miss' : 'off', state?.command, answer);
  }

  /** Tells the metrics (if any) about a request answered; a failing metrics sink never costs the answer. */
  private counted(caller: Caller, started: number, cache: 'hit' | 'miss' | 'off', command: string | undefined, answer: Reply): Reply {
    if (!this.metrics) return answer;
    try {
      this.metrics.request({
        platform: caller.platform,
        command: command ?? 'none',
        outcome: answer.errorId ? 'error' : answer.answered ? 'answered' : 'declined',
        cache,
        seconds: (performance.now() - started) / 1000,
      });
    } catch (err) {
      this.log.warn({ err }, 'could not count a request in the metrics');
    }
    return answer;
  }

  /** Computes a reply and, when every command it ran is cacheable, keeps it for the rest of the day. */
  private async keep(key: string | undefined, now: Date, compute: (request: RequestState) => Promise<Reply>): Promise<Reply> {
    if (!this.answers || key === undefined) return compute({ cacheable: false });
    const request: RequestState = { cacheable: true };
    const answer = await compute(request);
    if (!request.cacheable) return answer;
    const kept = this.answers.set(key, now, answer);
    if (request.command) this.commandOf.set(kept, request.command);
    if (request.turn) this.turnOf.set(kept, request.turn);
    return kept;
  }

  /** Autocomplete choices for one option of a command. */
  complete(path: string, optionName: string, partial: string): string[] {
    const def = this.registry.resolve(path);
    const spec = def && optionSpecs(def.options).find((o) => o.name === optionName);
    if (!spec?.kind) return [];
    return completeKind(spec.kind, cleanInput(partial), this.kb);
  }

  parseText(raw: string, now: Date = this.now()): ParsedCommand {
    const text = cleanInput(raw).replace(/^\/?niger\b\s*/i, '');
    if (!text) return { path: 'help', options: {} };
    const [first = '', ...restTokens] = text.split(' ');
    const name = first.toLowerCase();
    const mod = this.registry.get(name);
    if (!mod || QUESTION_START.test(text) || (/\?$/.test(text) && restTokens.length > 1)) {
      if (!mod && restTokens.length <= 2 && !/\?$/.test(text)) {
        const guess = closest(
          name,
          this.registry.list().map((m) => m.name),
        );
        if (guess) {
          throw new UserError({ key: 'error.noCommand.guess', params: { name: quote(first, 30), guess } }, { key: 'error.tryHelp' });
        }
      }
      return { path: 'ask', options: { question: text } };
    }
    let tokens = restTokens;
    let path = mod.name;
    let def: CommandDefinition;
    if (isGroup(mod)) {
      const subName = (tokens[0] ?? '').toLowerCase();
      const sub = mod.subcommands.find((s) => s.name === subName);
      const names = mod.subcommands.map((s) => s.name);
      // A group with forms, named alone: the core offers the forms to a platform that has them (see execute).
      if (!sub && !subName && mod.formChoice) return { path: mod.name, options: {} };
      if (!sub) {
        const guess = subName ? closest(subName, names) : undefined;
        throw new UserError(
          subName
            ? guess
              ? { key: 'error.noSubcommand.guess', params: { group: mod.name, name: quote(subName, 30), guess: `${mod.name} ${guess}` } }
              : { key: 'error.noSubcommand', params: { group: mod.name, name: quote(subName, 30) } }
            : { key: 'error.needsSubcommand', params: { group: mod.name } },
          { key: 'error.chooseSubcommand', params: { choices: names.map((n) => `\`${mod.name} ${n}\``).join(', ') } },
        );
      }
      tokens = tokens.slice(1);
      path = `${mod.name} ${sub.name}`;
      def = sub;
    } else {
      def = mod;
    }
    return { path, options: this.parseOptions(path, def, tokens, now) };
  }

  private parseOptions(path: string, def: CommandDefinition, tokens: string[], now: Date): Record<string, string> {
    const specs = optionSpecs(def.options);
    const names = specs.map((s) => s.name);
    const values: Record<string, string> = {};
    const free: string[] = [];
    let current: string | null = null;
    for (const token of tokens) {
      const kv = KEY_VALUE.exec(token);
      const key = kv?.[1]?.toLowerCase();
      if (kv && key && names.includes(key)) {
        current = key;
        values[key] = kv[2] ?? '';
        continue;
      }
      // A lone text option (ask's question) takes everything; only its own key is special there.
      const onlyText = specs.length === 1 && specs[0]!.kind === 'text';
      if (kv && key && !onlyText && !/^\d+$/.test(key) && !(kv[2] ?? '').startsWith('//')) {
        const guess = closest(key, names);
        throw new UserError(
          guess
            ? { key: 'error.noOption.guess', params: { path, name: quote(key, 30), guess: `${guess}:` } }
            : { key: 'error.noOption', params: { path, name: quote(key, 30) } },
          this.usageMessage(path, def),
        );
      }
      if (current) values[current] = `${values[current]} ${token}`;
      else free.push(token);
    }
    for (const k of Object.keys(values)) values[k] = unquote(values[k]!.trim());
    let rest = unquote(free.join(' ').trim());
    // A free word that is one of an option's choices ("timeline newest") sets that option.
    for (const spec of specs) {
      if (!spec.choices || values[spec.name] !== undefined || !rest) continue;
      const words = rest.split(' ');
      const hit = words.find((w) => spec.choices!.includes(w.toLowerCase()));
      if (hit) {
        values[spec.name] = hit.toLowerCase();
        rest = words.filter((w) => w !== hit).join(' ');
      }
    }
    // Recognizable kinds first, then the option that takes whatever text is left.
    const recognizers = specs.filter((s) => s.kind && !['text', 'person', 'place', 'topic'].includes(s.kind));
    for (const spec of recognizers) {
      if (values[spec.name] !== undefined || !rest) continue;
      const found = extractKind(spec.kind!, rest, this.kb, now);
      if (found) {
        values[spec.name] = found.value;
        rest = found.rest;
      }
    }
    if (rest) {
      // Text that no recognizer took goes to a free-text option, else to the first empty typed option,
      // so "troops Narnia" is answered as an unknown country rather than as a syntax error.
      const taker =
        specs.find((s) => values[s.name] === undefined && (s.kind === 'text' || s.kind === 'person' || s.kind === 'place' || s.kind === 'topic')) ??
        specs.find((s) => values[s.name] === undefined && s.kind);
      if (!taker) {
        throw new UserError({ key: 'error.notUnderstood', params: { text: quote(rest, 40), path } }, this.usageMessage(path, def));
      }
      values[taker.name] = rest;
    }
    return values;
  }

  usage(path: string, def: CommandDefinition, lang: string = FALLBACK_LANG): string {
    const m = this.usageMessage(path, def);
    return t(lang, m.key, m.params);
  }

  private usageMessage(path: string, def: CommandDefinition): { key: string; params: MessageParams } {
    const opts = optionSpecs(def.options)
      .map((o) => (o.required ? `${o.name}:<${o.kind ?? o.type}>` : `[${o.name}:<${o.kind ?? o.type}>]`))
      .join(' ');
    const usage = `${path}${opts ? ` ${opts}` : ''}`;
    const example = def.examples[0];
    return example ? { key: 'error.usage.example', params: { usage, example } } : { key: 'error.usage', params: { usage } };
  }

  private async execute(
    path: string,
    options: Record<string, unknown>,
    caller: Caller,
    now: Date,
    request: RequestState,
    langs: { lang: string; channelLang: string; explicit?: string },
    how: RunOptions = {},
  ): Promise<Reply> {
    const def = this.registry.resolve(path);
    const group = def ? undefined : this.registry.get(path);
    if (group && isGroup(group) && group.formChoice) {
      request.cacheable = false;
      if (caller.forms) return this.formChoice(group, langs.lang);
      throw new UserError(
        { key: 'error.needsSubcommand', params: { group: group.name } },
        { key: 'error.chooseSubcommand', params: { choices: group.subcommands.map((s) => `\`${group.name} ${s.name}\``).join(', ') } },
      );
    }
    if (!def) {
      const guess = closest(
        path,
        this.registry.runnable().map((r) => r.path),
      );
      throw new UserError(
        guess ? { key: 'error.noCommand.guess', params: { name: quote(path, 30), guess } } : { key: 'error.noCommand', params: { name: quote(path, 30) } },
      );
    }
    // The command the caller asked for (not those it runs in turn): the metrics' command label.
    request.command ??= path;
    if (!def.cacheable) request.cacheable = false;
    await this.checkPreconditions(def, caller);
    if (def.form && !def.form.pressOnly && caller.forms && !how.noForm && Object.keys(options).length === 0) {
      return { ...reply({ command: path, kind: 'admin', title: '', visibility: 'ephemeral' }), form: this.formOf(path, def, {}, caller.forms, langs.lang) };
    }
    const parsed = def.options.safeParse(options);
    if (!parsed.success) throw new UserError(describeIssues(path, def, parsed.error.issues, langs.lang), this.usageMessage(path, def));
    const { lang } = langs;
    const ctx: CommandContext = {
      kb: request.kb ?? this.kb,
      now: () => now,
      caller,
      lang,
      channelLang: langs.channelLang,
      ...(langs.explicit ? { explicitLang: langs.explicit } : {}),
      t: (key, params) => t(lang, key, params),
      log: this.log,
      services: this.services,
      registry: this.registry,
      run: (p, o, l) => this.execute(p, o, caller, now, request, l && l !== lang ? { ...langs, lang: l } : langs),
    };
    const answer = await def.handler(parsed.data, ctx);
    // The first command that answered (not `ask`, which only routes): what a follow-up in a conversation re-runs.
    if (!request.turn && path !== 'ask' && answer.kind === 'answer' && answer.answered) {
      const kept = Object.entries(options).filter((e): e is [string, string] => typeof e[1] === 'string' && e[1] !== '');
      request.turn = { path, options: Object.fromEntries(kept), lang: answer.lang ?? lang };
    }
    // A reply written in another language (a digest preview, in the digest's) keeps it.
    const shown = answer.lang ? answer : { ...answer, lang };
    // The innermost command that answered is what a button runs again (`ask` routes to troops: troops reruns);
    // feedback is on the question as asked, where a button can carry it.
    if (shown.rerun && typeof options.question === 'string' && path === 'ask') return feedbackOnQuestion(shown, options.question);
    if (shown.rerun || shown.kind !== 'answer') return shown;
    return this.withActions(shown, path, def, options, parsed.data, ctx.kb);
  }

  /** An answer with what produced it (Rerun) and the buttons that run it again (see answer-actions.ts). */
  private withActions(answer: Reply, path: string, def: CommandDefinition, options: Record<string, unknown>, input: unknown, kb: KnowledgeBase): Reply {
    const given: Record<string, string> = {};
    // Discord sends numbers and booleans typed; every schema also reads them as text (the text syntax's).
    for (const [k, v] of Object.entries(options)) {
      if (typeof v === 'string' && v !== '') given[k] = v;
      else if (typeof v === 'number' || typeof v === 'boolean') given[k] = String(v);
    }
    const rerun: Rerun = { command: path, options: { ...given, [LANG_OPTION]: answer.lang ?? FALLBACK_LANG } };
    let days: string[] = [];
    try {
      days = def.asOfChoices?.(input as never, kb) ?? [];
    } catch (err) {
      this.log.warn({ err, path }, 'could not list the days an answer changes on; the picker offers none');
    }
    const actions = answerActions(answer, def, rerun, days, answer.lang ?? FALLBACK_LANG);
    if (actions.length === 0) return answer;
    return { ...answer, rerun, actions: [...(answer.actions ?? []), ...actions] };
  }

  /** The command's preconditions, in order; the first that fails refuses the request before anything runs. */
  private async checkPreconditions(def: CommandDefinition, caller: Caller): Promise<void> {
    for (const p of def.preconditions ?? []) {
      const { name, refusal } = typeof p === 'string' ? { name: p, refusal: undefined } : p;
      const allowed = name === 'editor' ? ((await caller.isEditor?.()) ?? false) : await caller.canManageChannel();
      if (!allowed) throw new PermissionError({ key: refusal ?? `permission.${name}` });
    }
  }

  /** A group's forms to choose from, one button each. */
  private formChoice(group: CommandGroup, lang: string): Reply {
    return reply({
      command: group.name,
      kind: 'admin',
      lang,
      title: t(lang, group.formChoice!),
      body: t(lang, 'form.choose'),
      visibility: 'ephemeral',
      actions: group.subcommands
        .filter((s) => s.form)
        .map((s) => ({ label: t(lang, s.form!.title), command: `${group.name} ${s.name}`, options: {}, form: true })),
    });
  }

  /**
   * A command's options as form fields, in declaration order, without those already `fixed`; when the platform
   * holds fewer inputs, the command's combinations join fields into one (FormSpec.combine).
   */
  private formOf(path: string, def: CommandDefinition, fixed: Record<string, string>, caps: FormCapabilities, lang: string, replaces = false): ReplyForm {
    const spec = def.form!;
    const label = (name: string) => {
      const key = fieldLabelKey(path, name);
      return clip(key ? t(lang, key) : name, caps.maxLabel);
    };
    let fields: FormField[] = optionSpecs(def.options)
      .filter((o) => !(o.name in fixed))
      .map((o) => ({
        name: o.name,
        label: label(o.name),
        placeholder: clip(optionDescription(lang, path, o.name, o.description), caps.maxPlaceholder),
        required: o.required,
        multiline: spec.multiline?.includes(o.name) ?? false,
        maxLength: o.maxLength ?? 2000,
      }));
    for (const c of spec.combine ?? []) {
      if (fields.length <= caps.maxFields) break;
      const members = fields.filter((f) => c.fields.includes(f.name));
      if (members.length < 2) continue;
      const joined: FormField = {
        name: c.name,
        label: clip(t(lang, c.label), caps.maxLabel),
        placeholder: clip(members.map((m) => m.label).join(` ${c.separator} `), caps.maxPlaceholder),
        required: members.some((m) => m.required),
        multiline: false,
        maxLength: Math.min(
          4000,
          members.reduce((n, m) => n + m.maxLength + c.separator.length, 0),
        ),
      };
      fields = fields.flatMap((f) => (f === members[0] ? [joined] : c.fields.includes(f.name) ? [] : [f]));
    }
    return {
      command: path,
      title: clip(t(lang, spec.title), caps.maxTitle),
      submitLabel: t(lang, 'form.submit'),
      fields,
      fixed,
      ...(replaces ? { replaces } : {}),
    };
  }

  /**
   * A button was pressed (its action as the adapter carried it, see encodeAction): the command runs as the presser
   * with the same preconditions as typed, or its form opens. `picked`: the day chosen in a picker (As of…), which
   * becomes the picker's option. `replaces`: the answer replaces the message; `toChannel`: it is posted in the
   * channel for everyone (Share in channel).
   */
  async press(encoded: string, caller: Caller, picked?: string): Promise<{ reply: Reply; replaces: boolean; toChannel?: boolean }> {
    const action = decodeAction(encoded);
    const lang = await this.callerLang(caller);
    if (!action) return { reply: errorReply('action', t(lang, 'form.unknownAction'), undefined, lang), replaces: false };
    const replaces = action.replaces ?? false;
    if (action.pick) {
      // A picker sends a day (Slack: YYYY-MM-DD; a Discord select: one of its values); anything else runs nothing.
      const day = typeof picked === 'string' ? picked.trim() : '';
      if (!/^\d{4}-\d{2}(-\d{2})?$/.test(day)) return { reply: errorReply(action.command, t(lang, 'actions.badDate'), undefined, lang), replaces: false };
      action.options = { ...action.options, [action.pick]: day };
    }
    if (!action.form) {
      const answer = await this.run(action.command, action.options, caller, { noForm: true });
      if (!action.kind || answer.kind !== 'answer') return { reply: answer, replaces };
      return this.answerPressed(action.kind, action.command, action.options, answer, caller, lang);
    }
    const answer = await this.guard(
      action.command,
      caller,
      () => lang,
      async () => {
        const def = this.registry.resolve(action.command);
        if (!def?.form || !caller.forms) throw new UserError({ key: 'form.unknownAction' });
        await this.checkPreconditions(def, caller);
        return {
          ...reply({ command: action.command, kind: 'admin', title: '', visibility: 'ephemeral', lang }),
          form: this.formOf(action.command, def, action.options, caller.forms, lang, replaces),
        };
      },
    );
    return { reply: answer, replaces };
  }

  /** Sources, Share in channel, Helpful / Not helpful on an answer the press has just run again. */
  private async answerPressed(
    kind: 'sources' | 'share' | 'helpful' | 'notHelpful' | 'run',
    command: string,
    options: Record<string, string>,
    answer: Reply,
    caller: Caller,
    lang: string,
  ): Promise<{ reply: Reply; replaces: boolean; toChannel?: boolean }> {
    if (kind === 'sources') return { reply: sourcesReply(answer, answer.lang ?? lang), replaces: false };
    if (kind === 'share') return { reply: sharedReply(answer), replaces: false, toChannel: true };
    if (kind === 'run') return { reply: answer, replaces: false };
    const feedback = this.services.feedback;
    if (!feedback) return { reply: errorReply(command, t(lang, 'feedback.unavailable'), undefined, lang), replaces: false };
    // What the button asked (the question as typed, where it carries one); the command that answered it.
    const asked: Rerun = { command, options };
    const noted = await this.guard(
      command,
      caller,
      () => lang,
      async () => {
        const fresh = await feedback.record({
          platform: caller.platform,
          userId: caller.userId,
          question: rerunText(asked),
          command: answer.rerun?.command ?? command,
          lang: answer.lang ?? lang,
          answer: renderText(answer),
          helpful: kind === 'helpful',
          at: this.now(),
        });
        return reply({
          command,
          lang,
          kind: 'admin',
          title: t(lang, 'feedback.title'),
          body: t(lang, fresh ? 'feedback.thanks' : 'feedback.already'),
          visibility: 'ephemeral',
        });
      },
    );
    return { reply: noted, replaces: false };
  }

  /**
   * A form was submitted: its fields (as typed; empty ones left out) with its fixed options run the command as the
   * text syntax would, validated by the same zod schema. Mistakes come back by field (`fieldErrors`, keyed by the
   * form's field names) and nothing runs; a mistake no field owns is the reply's error alone.
   */
  async submitForm(
    form: Pick<ReplyForm, 'command' | 'fixed'>,
    values: Record<string, string | null | undefined>,
    caller: Caller,
  ): Promise<{ reply: Reply; fieldErrors?: Record<string, string> }> {
    const lang = await this.callerLang(caller);
    const def = this.registry.resolve(form.command);
    if (!def?.form) return { reply: errorReply(form.command, t(lang, 'form.unknownAction'), undefined, lang) };
    const options: Record<string, string> = {};
    const fieldOf = new Map<string, string>();
    const fieldErrors: Record<string, string> = {};
    for (const [name, raw] of Object.entries(values)) {
      // Cut silently, a long source title would be stored as half a title: the field says so instead.
      if (typeof raw === 'string' && exceedsInput(raw)) {
        fieldErrors[name] = t(lang, 'form.field.tooLong', { max: MAX_INPUT_CHARS });
        continue;
      }
      const value = typeof raw === 'string' ? cleanInput(raw) : '';
      if (!value) continue;
      const combo = def.form.combine?.find((c) => c.name === name);
      if (!combo) {
        options[name] = value;
        fieldOf.set(name, name);
        continue;
      }
      const parts = value.split(combo.separator).map((part) => part.trim());
      if (parts.length !== combo.fields.length) {
        fieldErrors[name] = t(lang, 'form.combined.parts', { count: combo.fields.length, separator: combo.separator });
        continue;
      }
      combo.fields.forEach((member, i) => {
        if (parts[i]) options[member] = parts[i]!;
        fieldOf.set(member, name);
      });
    }
    for (const c of def.form.combine ?? []) if (c.name in values) for (const member of c.fields) fieldOf.set(member, c.name);
    for (const name of Object.keys(values)) if (!fieldOf.has(name)) fieldOf.set(name, name);
    Object.assign(options, form.fixed);
    // The reply names each field as its form labels it: a platform whose form cannot show errors at the fields
    // (Discord) shows this.
    const labelOf = (name: string) => {
      const key = def.form?.combine?.find((c) => c.name === name)?.label ?? fieldLabelKey(form.command, name);
      return key && catalogs().has(FALLBACK_LANG, key) ? t(lang, key) : name;
    };
    const failed = () => ({
      reply: errorReply(
        form.command,
        Object.entries(fieldErrors)
          .map(([name, message]) => `${labelOf(name)}: ${message}`)
          .join('\n'),
        undefined,
        lang,
      ),
      fieldErrors,
    });
    if (Object.keys(fieldErrors).length) return failed();
    const parsed = def.options.safeParse(options);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const field = fieldOf.get(String(issue.path[0] ?? '')) ?? Object.keys(values)[0] ?? '';
        const message = describeIssues(form.command, def, [issue], lang);
        fieldErrors[field] = fieldErrors[field] ? `${fieldErrors[field]} ${message}` : message;
      }
      return failed();
    }
    const answer = await this.run(form.command, options, caller, { noForm: true });
    const field = answer.errorField && fieldOf.get(answer.errorField === 'asOf' ? 'date' : answer.errorField);
    return field ? { reply: answer, fieldErrors: { [field]: answer.body } } : { reply: answer };
  }

  private async guard(path: string, caller: Caller, lang: () => string, work: () => Promise<Reply>): Promise<Reply> {
    try {
      return await work();
    } catch (err) {
      const l = lang();
      if (err instanceof DateParseError) {
        return errorReply(path, describeDateError(err, l), t(l, 'error.date.hint'), l);
      }
      if (err instanceof UserError) {
        const shown = errorReply(path, err.messageIn(l), err.hintIn(l), l);
        return err.field ? { ...shown, errorField: err.field } : shown;
      }
      const errorId = randomBytes(4).toString('hex');
      this.log.error({ err, errorId, path, platform: caller.platform }, 'command failed');
      return {
        ...errorReply(path, t(l, 'error.internal', { errorId }), undefined, l),
        errorId,
      };
    }
  }
}

/** The cache key of a line of text, for a caller reading `lang`. */
function textKey(text: string, lang: string): string {
  return `text\n${lang}\n${text}`;
}

/** The cache key of a structured request; undefined (not cached) for options JSON cannot represent. */
function structuredKey(path: string, options: Record<string, unknown>, lang: string): string | undefined {
  try {
    return `run\n${lang}\n${path}\n${JSON.stringify(options)}`;
  } catch {
    return undefined;
  }
}

export interface RunOptions {
  /** Run the command even with no options, where a platform with forms would get its form (a form's own submission). */
  noForm?: boolean;
}

/** What one request learns while it runs: whether its answer may be kept. */
interface RequestState {
  cacheable: boolean;
  /** The knowledge base of a `known:` day, instead of the current one. */
  kb?: KnowledgeBase;
  /** The first command run, a path the registry resolved. */
  command?: string;
  /** The first command that answered, with its options (see Bot.followUp). */
  turn?: Omit<ConversationTurn, 'text'>;
}

/** A structured request's words, for a conversation's follow-ups (see ConversationTurn.text). */
function runText(path: string, options: Record<string, unknown>): string {
  return [path, ...Object.values(options).filter((v) => typeof v === 'string')].join(' ');
}

/** Takes `name:value` (the token's pattern) out of a line of text. */
function takeToken(token: RegExp, text: string): { rest: string; value?: string } {
  const m = token.exec(text);
  if (!m) return { rest: text };
  return { rest: `${text.slice(0, m.index)}${m[1]}${text.slice(m.index + m[0].length)}`.trim(), value: m[2] ?? '' };
}

/** An answer given from a `known:` day says so. */
function knownNote(answer: Reply, day: string | undefined): Reply {
  if (day === undefined || answer.kind === 'error') return answer;
  // Its buttons ask the knowledge base of the same day again (`known:` is the request's, not the command's option).
  const known = (options: Record<string, string>) => ({ ...options, [KNOWN_OPTION]: day });
  // What the bot knew on a past day stays what it knew then: a later correction is no correction of this answer.
  const { entries: _carried, ...rest } = answer;
  return {
    ...rest,
    notes: [...answer.notes, t(answer.lang ?? FALLBACK_LANG, 'known.note', { day })],
    ...(answer.rerun ? { rerun: { ...answer.rerun, options: known(answer.rerun.options) } } : {}),
    ...(answer.actions && answer.rerun ? { actions: answer.actions.map((a) => (a.url ? a : { ...a, options: known(a.options) })) } : {}),
  };
}

function unquote(s: string): string {
  const m = /^["'“”‘’](.*)["'“”‘’]$/.exec(s);
  return m ? m[1]!.trim() : s;
}

export function errorReply(command: string, message: string, hint?: string, lang: string = FALLBACK_LANG): Reply {
  return reply({
    command,
    lang,
    kind: 'error',
    title: t(lang, 'error.title'),
    body: hint ? `${message}\n\n${hint}` : message,
    visibility: 'ephemeral',
    answered: false,
  });
}

function describeIssues(path: string, def: CommandDefinition, issues: z.core.$ZodIssue[], lang: string): string {
  const specs = optionSpecs(def.options);
  return issues
    .map((issue) => {
      const name = String(issue.path[0] ?? '');
      const spec: OptionSpec | undefined = specs.find((s) => s.name === name);
      if (!spec) return issue.message;
      const text = spec.type === 'string' ? 'text' : 'number';
      if (issue.code === 'invalid_type' && (issue as { input?: unknown }).input === undefined) {
        return t(lang, 'error.option.missing', { path, name, description: optionDescription(lang, path, name, spec.description) });
      }
      if (issue.code === 'too_big') return t(lang, 'error.option.tooBig', { name, type: text, max: spec.maxLength ?? spec.max ?? 0 });
      if (issue.code === 'too_small')
        return spec.type === 'string' ? t(lang, 'error.option.empty', { name }) : t(lang, 'error.option.tooSmall', { name, min: spec.min ?? 0 });
      if (issue.code === 'invalid_value' && spec.choices) return t(lang, 'error.option.choices', { name, choices: spec.choices.join(', ') });
      if (issue.code === 'invalid_type') return t(lang, 'error.option.type', { name, type: text });
      return `\`${name}\`: ${issue.message}`;
    })
    .join(' ');
}
