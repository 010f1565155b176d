import type { Bot } from '../../core/bot.ts';
import { isGroup, LANG_OPTION, optionSpecs } from '../../core/command.ts';
import { catalogs } from '../../core/i18n.ts';

/** readline's completer: the candidates for what is being typed, and the text they replace. */
export type Completer = (line: string) => [string[], string];

/** `name:value` at the end of the line; the value may span words (`country:United St`). */
const OPTION_AT_END = /(?:^|\s)([a-z][a-z_]*):([^:]*)$/i;

/** The candidates that start with `typed` (any case), spelled with what the user typed followed by their rest. */
function startingWith(candidates: readonly string[], typed: string): string[] {
  const lower = typed.toLowerCase();
  return [...new Set(candidates.filter((c) => c.toLowerCase().startsWith(lower)).map((c) => typed + c.slice(typed.length)))];
}

/** One candidate left is taken whole: a space after it, ready for the next word. */
function done(hits: string[], replaced: string, finished = true): [string[], string] {
  return [hits.length === 1 && finished ? [`${hits[0]} `] : hits, replaced];
}

/**
 * Tab completion from the command definitions themselves (src/core/registry.ts, commands/): command names, a
 * group's subcommands (`digest subscribe`), a command's option names (`show:`, and `lang:` that every command
 * takes), and the values an option knows — its zod enum's choices, the catalog languages, or what its kind offers
 * (countries, people, places, topics and time zones from the knowledge base, as Discord's autocomplete offers them).
 */
export function shellCompleter(bot: Bot): Completer {
  const registry = bot.registry;
  return (line) => {
    const text = line.replace(/^\s*(?:\/?niger\s+)?/i, '');
    const words = text.split(/\s+/);
    const last = words[words.length - 1] ?? '';
    if (words.length === 1) {
      return done(
        startingWith(
          registry.list().map((m) => m.name),
          last,
        ),
        last,
      );
    }
    const mod = registry.get(words[0]!.toLowerCase());
    if (!mod) return [[], last];
    if (isGroup(mod) && words.length === 2) {
      return done(
        startingWith(
          mod.subcommands.map((s) => s.name),
          last,
        ),
        last,
      );
    }
    const path = isGroup(mod) ? `${mod.name} ${words[1]!.toLowerCase()}` : mod.name;
    const def = registry.resolve(path);
    if (!def) return [[], last];
    const specs = optionSpecs(def.options);
    const option = OPTION_AT_END.exec(text);
    if (option) {
      const [, name = '', typed = ''] = option;
      const spec = specs.find((o) => o.name === name.toLowerCase());
      const values = name.toLowerCase() === LANG_OPTION ? catalogs().languages() : (spec?.choices ?? (spec?.kind ? bot.complete(path, spec.name, typed) : []));
      const hits = startingWith(values, typed).map((v) => `${name}:${v}`);
      // `country:United St` replaces from its name on; a value of one word with no candidate falls through to names.
      if (hits.length || !typed.includes(' ')) return done(hits, `${name}:${typed}`);
    }
    const given = new Set(words.slice(0, -1).flatMap((w) => /^([a-z][a-z_]*):/i.exec(w)?.[1]?.toLowerCase() ?? []));
    const names = [...specs.map((o) => o.name), LANG_OPTION].filter((n) => !given.has(n)).map((n) => `${n}:`);
    // An option name is followed by its value, not a space.
    return done(startingWith(names, last), last, false);
  };
}
