import { randomBytes } from 'node:crypto';
import type { z } from 'zod';
import { DateParseError, DATE_EXAMPLES } from '../knowledge/dates.ts';
import type { KnowledgeBase } from '../knowledge/kb.ts';
import type { Logger } from '../logger.ts';
import { AnswerCache, DEFAULT_ANSWER_CACHE_SIZE } from './answer-cache.ts';
import { isGroup, optionSpecs, type Caller, type CommandContext, type CommandDefinition, type OptionSpec } from './command.ts';
import { UserError } from './errors.ts';
import { completeKind, extractKind } from './option-kinds.ts';
import { CommandRegistry, closest } from './registry.ts';
import { reply, type Reply } from './reply.ts';
import { cleanInput, quote } from './sanitize.ts';
import type { Services } from './services.ts';

export interface BotOptions {
  kb: KnowledgeBase;
  registry: CommandRegistry;
  log: Logger;
  now?: () => Date;
  services?: Services;
  /** Answers of cacheable commands kept for reuse within the day; 0 turns the cache off. */
  answerCacheSize?: number;
}

/** A question rather than a command: "who ruled Niger in June 2023?", "how many French troops are left". */
const QUESTION_START =
  /^(who|what|when|where|how|which|why|is|are|was|were|did|does|do|has|have|can|tell|give|show|list)\s+(is|was|are|were|did|does|do|ruled|rules|rule|runs|ran|leads|led|governs|governed|many|much|long|has|had|the|a|an|me|us|french|foreign|troops|soldiers|forces|still|in|of|there|niger)\b/i;

/** The text syntax the adapters share: `/niger troops country:France date:2023-09`. */
const KEY_VALUE = /^([a-z][a-z_]*):(.*)$/i;

export interface ParsedCommand {
  path: string;
  options: Record<string, string>;
}

/** The core: turns text or structured options into a Reply. Knows no platform. */
export class Bot {
  readonly kb: KnowledgeBase;
  readonly registry: CommandRegistry;
  readonly log: Logger;
  readonly now: () => Date;
  readonly services: Services;
  private readonly answers: AnswerCache | null;

  constructor(options: BotOptions) {
    this.kb = options.kb;
    this.registry = options.registry;
    this.log = options.log;
    this.now = options.now ?? (() => new Date());
    this.services = options.services ?? {};
    const size = options.answerCacheSize ?? DEFAULT_ANSWER_CACHE_SIZE;
    this.answers = size > 0 ? new AnswerCache(size) : null;
  }

  /** Answers a line of text: a command in the shared syntax, or a plain question for `ask`. */
  async handleText(text: string, caller: Caller): Promise<Reply> {
    // One clock reading per request, so parsing and answering agree on the day.
    const now = this.now();
    const key = textKey(text);
    return (
      this.answers?.get(key, now) ??
      this.guard('text', caller, () =>
        this.keep(key, now, async (request) => {
          try {
            const parsed = this.parseText(text, now);
            return await this.execute(parsed.path, parsed.options, caller, now, request);
          } catch (err) {
            // "timeline of the withdrawal" is a question that starts with a command's name: when the command
            // cannot read it but every word of it is understood as a question, answer the question.
            if (err instanceof UserError && this.readsAsQuestion(text, now)) return this.execute('ask', { question: text }, caller, now, request);
            throw err;
          }
        }),
      )
    );
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
  knownAnswer(text: string): Reply | undefined {
    return this.answers?.get(textKey(text), this.now());
  }

  /** Answers a command whose options arrive already structured (Discord, tests). */
  async run(path: string, options: Record<string, unknown>, caller: Caller): Promise<Reply> {
    const now = this.now();
    const key = structuredKey(path, options);
    return (
      (key === undefined ? undefined : this.answers?.get(key, now)) ??
      this.guard(path, caller, () => this.keep(key, now, (request) => this.execute(path, options, caller, now, request)))
    );
  }

  /** Computes a reply and, when every command it ran is cacheable, keeps it for the rest of the day. */
  private async keep(key: string | undefined, now: Date, compute: (request: RequestState) => Promise<Reply>): Promise<Reply> {
    if (!this.answers || key === undefined) return compute({ cacheable: false });
    const request: RequestState = { cacheable: true };
    const answer = await compute(request);
    return request.cacheable ? this.answers.set(key, now, answer) : answer;
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
        const guess = closest(name, this.registry.list().map((m) => m.name));
        if (guess) {
          throw new UserError(`There is no command "${quote(first, 30)}". Did you mean \`${guess}\`?`, `Try \`help\` for the list of commands.`);
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
      if (!sub) {
        const guess = subName ? closest(subName, names) : undefined;
        throw new UserError(
          subName
            ? `\`${mod.name}\` has no subcommand "${quote(subName, 30)}".${guess ? ` Did you mean \`${mod.name} ${guess}\`?` : ''}`
            : `\`${mod.name}\` needs a subcommand.`,
          `Choose one of: ${names.map((n) => `\`${mod.name} ${n}\``).join(', ')}.`,
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
          `\`${path}\` has no option "${quote(key, 30)}".${guess ? ` Did you mean \`${guess}:\`?` : ''}`,
          this.usage(path, def),
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
        throw new UserError(`I did not understand "${quote(rest, 40)}" in \`${path}\`.`, this.usage(path, def));
      }
      values[taker.name] = rest;
    }
    return values;
  }

  usage(path: string, def: CommandDefinition): string {
    const opts = optionSpecs(def.options)
      .map((o) => (o.required ? `${o.name}:<${o.kind ?? o.type}>` : `[${o.name}:<${o.kind ?? o.type}>]`))
      .join(' ');
    const example = def.examples[0];
    return `Usage: \`${path}${opts ? ` ${opts}` : ''}\`${example ? `, e.g. \`${example}\`` : ''}.`;
  }

  private async execute(path: string, options: Record<string, unknown>, caller: Caller, now: Date, request: RequestState): Promise<Reply> {
    const def = this.registry.resolve(path);
    if (!def) {
      const guess = closest(path, this.registry.runnable().map((r) => r.path));
      throw new UserError(`There is no command "${quote(path, 30)}".${guess ? ` Did you mean \`${guess}\`?` : ''}`);
    }
    if (!def.cacheable) request.cacheable = false;
    const parsed = def.options.safeParse(options);
    if (!parsed.success) throw new UserError(describeIssues(path, def, parsed.error.issues), this.usage(path, def));
    const ctx: CommandContext = {
      kb: this.kb,
      now: () => now,
      caller,
      log: this.log,
      services: this.services,
      registry: this.registry,
      run: (p, o) => this.execute(p, o, caller, now, request),
    };
    return await def.handler(parsed.data, ctx);
  }

  private async guard(path: string, caller: Caller, work: () => Promise<Reply>): Promise<Reply> {
    try {
      return await work();
    } catch (err) {
      if (err instanceof DateParseError) {
        return errorReply(path, `${err.reason}.`, `Dates can be written like ${DATE_EXAMPLES}.`);
      }
      if (err instanceof UserError) return errorReply(path, err.message, err.hint);
      const errorId = randomBytes(4).toString('hex');
      this.log.error({ err, errorId, path, platform: caller.platform }, 'command failed');
      return {
        ...errorReply(path, `Sorry, something went wrong on my side. If it keeps happening, quote error id ${errorId}.`),
        errorId,
      };
    }
  }
}

/** The cache key of a line of text. */
function textKey(text: string): string {
  return `text\n${text}`;
}

/** The cache key of a structured request; undefined (not cached) for options JSON cannot represent. */
function structuredKey(path: string, options: Record<string, unknown>): string | undefined {
  try {
    return `run\n${path}\n${JSON.stringify(options)}`;
  } catch {
    return undefined;
  }
}

/** What one request learns while it runs: whether its answer may be kept. */
interface RequestState {
  cacheable: boolean;
}

function unquote(s: string): string {
  const m = /^["'“”‘’](.*)["'“”‘’]$/.exec(s);
  return m ? m[1]!.trim() : s;
}

export function errorReply(command: string, message: string, hint?: string): Reply {
  return reply({
    command,
    kind: 'error',
    title: 'Could not answer that',
    body: hint ? `${message}\n\n${hint}` : message,
    visibility: 'ephemeral',
    answered: false,
  });
}

function describeIssues(path: string, def: CommandDefinition, issues: z.core.$ZodIssue[]): string {
  const specs = optionSpecs(def.options);
  return issues
    .map((issue) => {
      const name = String(issue.path[0] ?? '');
      const spec: OptionSpec | undefined = specs.find((s) => s.name === name);
      if (!spec) return issue.message;
      if (issue.code === 'invalid_type' && (issue as { input?: unknown }).input === undefined) return `\`${path}\` needs \`${name}\` (${spec.description}).`;
      if (issue.code === 'too_big') return `\`${name}\` is too ${spec.type === 'string' ? 'long' : 'large'}: at most ${spec.maxLength ?? spec.max}.`;
      if (issue.code === 'too_small') return spec.type === 'string' ? `\`${name}\` cannot be empty.` : `\`${name}\` must be at least ${spec.min}.`;
      if (issue.code === 'invalid_value' && spec.choices) return `\`${name}\` must be one of: ${spec.choices.join(', ')}.`;
      if (issue.code === 'invalid_type') return `\`${name}\` must be a ${spec.type === 'string' ? 'text' : 'whole number'}.`;
      return `\`${name}\`: ${issue.message}`;
    })
    .join(' ');
}
