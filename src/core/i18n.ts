import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PROJECT_ROOT } from '../paths.ts';
import { readSnapshot, SNAPSHOT_DIR, writeSnapshot, type SnapshotInputs } from '../snapshot.ts';
import { parse, TYPE, type MessageFormatElement } from '@formatjs/icu-messageformat-parser';
import { IntlMessageFormat } from 'intl-messageformat';

/**
 * Message catalogs: one JSON file per language in `locales/` (`en.json`, `fr.json`, …), flat keys to ICU
 * MessageFormat strings. The languages are the files found there, so adding one is adding a file. English is
 * the fallback: a key missing in another catalog is shown in English (and reported by tests/i18n.test.ts).
 */

export const DEFAULT_LOCALES_DIR = join(PROJECT_ROOT, 'locales');
/** Where the build writes the parsed catalogs the bot starts from (see src/snapshot.ts). */
export const DEFAULT_CATALOG_SNAPSHOT = join(SNAPSHOT_DIR, 'catalogs.json');
export const FALLBACK_LANG = 'en';

export type MessageParams = Record<string, string | number | Date>;

/** A catalog that cannot be used (bad JSON, broken ICU syntax, no English): the bot must not start. */
export class CatalogError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CatalogError';
  }
}

// `<` in our texts is literal (usage lines show `<date>`), never rich-text markup.
const PARSE_OPTIONS = { ignoreTag: true } as const;

/** Each language's messages, parsed, by key: what the catalog snapshot holds. */
type ParsedCatalogs = Record<string, Record<string, MessageFormatElement[]>>;

/** What parsing `dir` depends on: its files, the code of this folder (the parse options above), the parser's version. */
export function catalogSnapshotInputs(dir: string): SnapshotInputs {
  return { folders: { code: dirname(fileURLToPath(import.meta.url)), locales: dir }, libraries: ['@formatjs/icu-messageformat-parser'], options: {} };
}

/** A message turned into a function of its parameters. */
type Formatter = (params?: MessageParams) => string;

/**
 * Messages made only of text, placeholders and selects are formatted here directly: answers are worded from
 * dozens of such messages, and IntlMessageFormat's general path (parts, memoised Intl formatters) cost more than
 * the rest of an answer. Anything that needs Intl (plural, number, date, time) goes through IntlMessageFormat.
 * Null when the message needs it.
 */
function simpleFormatter(ast: MessageFormatElement[], key: string): Formatter | null {
  const simple = (els: MessageFormatElement[]): boolean =>
    els.every(
      (el) => el.type === TYPE.literal || el.type === TYPE.argument || (el.type === TYPE.select && Object.values(el.options).every((o) => simple(o.value))),
    );
  if (!simple(ast)) return null;
  const value = (params: MessageParams | undefined, name: string): string | number | Date => {
    const v = params?.[name];
    if (v === undefined) throw new Error(`The message "${key}" needs a value for "${name}"`);
    return v;
  };
  const run = (els: MessageFormatElement[], params: MessageParams | undefined): string => {
    let out = '';
    for (const el of els) {
      if (el.type === TYPE.literal) out += el.value;
      else if (el.type === TYPE.argument) out += String(value(params, el.value));
      else if (el.type === TYPE.select) {
        const options = el.options;
        const chosen = options[String(value(params, el.value))] ?? options.other;
        if (chosen) out += run(chosen.value, params);
      }
    }
    return out;
  };
  return (params) => run(ast, params);
}

export class Catalogs {
  private readonly messages = new Map<string, Map<string, MessageFormatElement[]>>();
  private readonly compiled = new Map<string, Formatter>();

  /** `parsed`: the messages already parsed and checked (the build's snapshot); `catalogs` is then not read. */
  constructor(catalogs: Record<string, Record<string, string>>, where: (lang: string) => string = (l) => l, parsed?: ParsedCatalogs) {
    if (parsed) {
      for (const [lang, messages] of Object.entries(parsed)) this.messages.set(lang, new Map(Object.entries(messages)));
      return;
    }
    for (const [lang, entries] of Object.entries(catalogs)) {
      const parsed = new Map<string, MessageFormatElement[]>();
      for (const [key, text] of Object.entries(entries)) {
        if (key.startsWith('$')) continue;
        if (typeof text !== 'string') throw new CatalogError(`${where(lang)}: "${key}" must be a string.`);
        try {
          parsed.set(key, parse(text, PARSE_OPTIONS));
        } catch (err) {
          const at = (err as { location?: { start: { offset: number } } }).location?.start.offset;
          throw new CatalogError(
            `${where(lang)}: "${key}" is not valid ICU MessageFormat (${(err as Error).message}${at === undefined ? '' : ` at character ${at + 1}`}): ${text}`,
          );
        }
      }
      this.messages.set(lang, parsed);
    }
    if (!this.messages.has(FALLBACK_LANG)) throw new CatalogError(`No ${FALLBACK_LANG} catalog: English is the fallback of every other language.`);
  }

  /**
   * Reads every `<lang>.json` in `dir`; from `snapshot` (written by writeSnapshot) instead when it was parsed from
   * the same files with the same code.
   */
  static load(dir: string = DEFAULT_LOCALES_DIR, snapshot?: string): Catalogs {
    const parsed = snapshot === undefined ? undefined : readSnapshot<ParsedCatalogs>(snapshot, catalogSnapshotInputs(dir));
    if (parsed?.[FALLBACK_LANG]) return new Catalogs({}, undefined, parsed);
    const files = readdirSync(dir)
      .filter((f) => /^[a-z]{2,3}\.json$/.test(f))
      .sort();
    const catalogs: Record<string, Record<string, string>> = {};
    for (const file of files) {
      try {
        catalogs[file.slice(0, -5)] = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Record<string, string>;
      } catch (err) {
        throw new CatalogError(`locales/${file} is not valid JSON: ${(err as Error).message}`);
      }
    }
    return new Catalogs(catalogs, (lang) => `locales/${lang}.json`);
  }

  /** Parses every catalog in `dir` (a CatalogError when one is broken) and writes the result as the snapshot at `path`. */
  static writeSnapshot(path: string, dir: string = DEFAULT_LOCALES_DIR): void {
    const catalogs = Catalogs.load(dir);
    const parsed: ParsedCatalogs = {};
    for (const [lang, messages] of catalogs.messages) parsed[lang] = Object.fromEntries(messages);
    writeSnapshot(path, catalogSnapshotInputs(dir), parsed);
  }

  /** The languages there are catalogs for, English first. */
  languages(): string[] {
    return [...this.messages.keys()].sort((a, b) => (a === FALLBACK_LANG ? -1 : b === FALLBACK_LANG ? 1 : a.localeCompare(b)));
  }

  keys(lang: string = FALLBACK_LANG): string[] {
    return [...(this.messages.get(lang)?.keys() ?? [])];
  }

  has(lang: string, key: string): boolean {
    return this.messages.get(lang)?.has(key) ?? false;
  }

  /** The parsed message (for tests that compare placeholders across languages). */
  ast(lang: string, key: string): MessageFormatElement[] | undefined {
    return this.messages.get(lang)?.get(key);
  }

  /**
   * The catalog language for a tag as platforms give it: "fr", "de-DE", "en-GB" (Discord, Slack), "fr_FR.UTF-8"
   * (POSIX LANG). Undefined when there is no catalog for it (the caller then falls back to English).
   */
  resolve(tag: string | undefined | null): string | undefined {
    if (!tag) return undefined;
    const base =
      tag
        .trim()
        .toLowerCase()
        .split(/[-_.@]/)[0] ?? '';
    return this.messages.has(base) ? base : undefined;
  }

  /** The message `key` in `lang` (else in English) with its placeholders filled. A key known nowhere is a bug. */
  t(lang: string, key: string, params?: MessageParams): string {
    const use = this.has(lang, key) ? lang : FALLBACK_LANG;
    const id = `${use}\u0000${key}`;
    let format = this.compiled.get(id);
    if (!format) {
      const ast = this.messages.get(use)!.get(key);
      if (!ast) throw new Error(`No message "${key}" in any catalog`);
      const general = simpleFormatter(ast, key) ? null : new IntlMessageFormat(ast, use, undefined, PARSE_OPTIONS);
      format = general ? (p) => String(general.format(p)) : simpleFormatter(ast, key)!;
      this.compiled.set(id, format);
    }
    return format(params);
  }
}

/** Names of the arguments a message uses, nested ones (inside plural and select branches) included. */
export function placeholders(ast: MessageFormatElement[]): Set<string> {
  const out = new Set<string>();
  const walk = (els: MessageFormatElement[]) => {
    for (const el of els) {
      if (el.type === TYPE.literal || el.type === TYPE.pound) continue;
      if ('value' in el && typeof el.value === 'string') out.add(el.value);
      if (el.type === TYPE.plural || el.type === TYPE.select) for (const o of Object.values(el.options)) walk(o.value);
      if (el.type === TYPE.tag) walk(el.children);
    }
  };
  walk(ast);
  return out;
}

// Read when this module is first imported, i.e. at start: a broken catalog stops the bot there, with the
// file and key in the message, and no request pays for reading them.
const loaded: Catalogs = Catalogs.load(DEFAULT_LOCALES_DIR, DEFAULT_CATALOG_SNAPSHOT);

/** The bot's catalogs (every `locales/<lang>.json`). */
export function catalogs(): Catalogs {
  return loaded;
}

/** A message in `lang`; see Catalogs.t. */
export function t(lang: string | undefined, key: string, params?: MessageParams): string {
  return catalogs().t(lang ?? FALLBACK_LANG, key, params);
}

/** The catalog language for a platform's tag, else English. */
export function languageOf(tag: string | undefined | null): string {
  return catalogs().resolve(tag) ?? FALLBACK_LANG;
}

/**
 * What a command (or group: "digest", "digest subscribe") does, in `lang`. English is the command's own
 * `description`; other catalogs translate it under `command.<path>` (spaces as dots).
 */
export function commandDescription(lang: string, path: string, english: string): string {
  return translated(lang, `command.${path.replace(/ /g, '.')}`, english);
}

/** An option's description in `lang`: `option.<path>.<name>` in its catalog, else the schema's English. */
export function optionDescription(lang: string, path: string, name: string, english: string): string {
  return translated(lang, `option.${path.replace(/ /g, '.')}.${name}`, english);
}

function translated(lang: string, key: string, english: string): string {
  return lang !== FALLBACK_LANG && catalogs().has(lang, key) ? catalogs().t(lang, key) : english;
}
