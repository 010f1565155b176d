// The English-leak detector the language tests and the `ask` evaluation share: English sentences that must
// not appear in a French or German answer.
import { TYPE, type MessageFormatElement } from '@formatjs/icu-messageformat-parser';
import { catalogs } from '../../src/core/i18n.ts';
import { renderText } from '../../src/core/render-text.ts';
import type { Reply } from '../../src/core/reply.ts';
import type { KnowledgeBase } from '../../src/knowledge/kb.ts';
import { TRANSLATABLE, translatableEntries, type TranslatableCollection } from '../../src/knowledge/translations.ts';

/**
 * The text of a message with each placeholder as \u0000, and of each plural or select branch on its own:
 * what a reader sees of it verbatim.
 */
function skeletons(ast: MessageFormatElement[]): string[] {
  const out: string[] = [ast.map((el) => (el.type === TYPE.literal ? el.value : '\u0000')).join('')];
  for (const el of ast) {
    if (el.type === TYPE.plural || el.type === TYPE.select) for (const o of Object.values(el.options)) out.push(...skeletons(o.value));
  }
  return out;
}

/** Runs of prose of two words or more (at least 9 characters), cut at placeholders, brackets and clause marks. */
function fragments(text: string, into: Set<string>): void {
  // Quoted or code text (`digest preview`, "September 2023") is the syntax, which stays English.
  const prose = text.replace(/`[^`]*`|"[^"]*"|“[^”]*”/g, '\u0000');
  for (const piece of prose.split(/[\u0000(){}\n`"“”]|[:;,.?!] |[.;:!?]$/)) {
    const p = piece
      .trim()
      .replace(/^[.,…—–-]+|[.,:]+$/g, '')
      .trim();
    if (p.split(/\s+/).length >= 2 && p.length >= 9 && !/Niger Watch/.test(p)) into.add(p);
  }
}

let catalogSentences: string[] | undefined;

/** The literal runs of the English catalog: what no French or German answer may show. */
export function englishCatalogSentences(): string[] {
  if (!catalogSentences) {
    const all = catalogs();
    const out = new Set<string>();
    for (const key of all.keys('en')) for (const text of skeletons(all.ast('en', key)!)) fragments(text, out);
    catalogSentences = [...out];
  }
  return catalogSentences;
}

/**
 * English text of the knowledge base (event titles and summaries, roles, descriptions, notes…) that an answer
 * in `lang` must not show: `translated` — only text that has a translation in `lang` (what is shown in English
 * because no translation exists is a data gap, counted elsewhere); `all` — every translatable text. Quotes are
 * left out: they are shown as said. Text a translation keeps as it is (a name) is no leak.
 */
export function englishKbSentences(kb: KnowledgeBase, lang: string, which: 'translated' | 'all'): string[] {
  const translation = kb.data.translations[lang];
  const entries = translatableEntries(kb.data);
  // Names are shown as they are in every language ("Niger's armed forces", "Operation Sabre", "Air Base 101,
  // Niamey"): a fragment that is part of one is no leak.
  const names = [
    ...kb.data.organisations.flatMap((o) => [o.name, o.acronym ?? '']),
    ...kb.data.places.map((p) => p.name),
    ...kb.data.people.map((p) => p.name),
    ...kb.data.offices.flatMap((o) => o.terms.map((t) => t.body ?? '')),
    ...kb.data.sources.flatMap((s) => [s.publisher, s.title ?? '']),
  ].filter(Boolean);
  const isName = (f: string) => names.some((n) => n.includes(f));
  const out = new Set<string>();
  for (const collection of Object.keys(TRANSLATABLE) as TranslatableCollection[]) {
    for (const [id, entry] of entries[collection]) {
      const given = (translation?.[collection]?.[id] ?? {}) as Record<string, string | undefined>;
      for (const field of TRANSLATABLE[collection]) {
        if (collection === 'statements' && field === 'quote') continue;
        const english = (entry as unknown as Record<string, unknown>)[field];
        if (typeof english !== 'string') continue;
        if (which === 'translated' && given[field] === undefined) continue;
        const local = new Set<string>();
        fragments(english, local);
        const kept = new Set<string>();
        if (given[field] !== undefined) fragments(given[field]!, kept);
        for (const f of local) if (!kept.has(f) && !given[field]?.includes(f) && !isName(f)) out.add(f);
      }
    }
  }
  return [...out];
}

export interface LeakDetector {
  /** The English sentences found in `text` (empty: none). */
  leaks(text: string): string[];
}

/** Text without its code spans: `ask how many French soldiers…` in French help is the syntax, which stays English. */
export function withoutCode(text: string): string {
  return text.replace(/`[^`\n]*`/g, '\u0000');
}

/** English catalog sentences in `text`, outside code spans. */
export function catalogLeaks(text: string): string[] {
  const prose = withoutCode(text);
  return englishCatalogSentences().filter((s) => prose.includes(s));
}

/** A detector for answers in `lang`: English catalog sentences, and English KB text (`kbText`). */
export function leakDetector(kb: KnowledgeBase, lang: string, kbText: 'translated' | 'all' = 'translated'): LeakDetector {
  const sentences = [...new Set([...englishCatalogSentences(), ...englishKbSentences(kb, lang, kbText)])];
  return {
    leaks: (text) => {
      const prose = withoutCode(text);
      return sentences.filter((s) => prose.includes(s));
    },
  };
}

/**
 * What of a reply is the bot's own wording, to look for English in: its rendered text without the citations
 * (publishers and titles are names, in their own language: "French Wikipedia", "AFRICOM (via allAfrica)") and
 * without quoted text (quotes are shown as said, often in English, their translation beside them; titles).
 */
export function ownWording(r: Reply): string {
  // Straight quotes mark the titles of sources (`sources` lists them as items: AFP, "Title", date).
  return renderText({ ...r, citations: [] }).replace(/«[^»]*»|„[^“]*“|“[^”]*”|"[^"\n]*"/g, '\u0000');
}

/** Placeholders a message left unfilled ("{count}") in a reply's text. */
export function unfilled(text: string): string[] {
  return text.match(/\{[a-zA-Z]+\}/g) ?? [];
}
