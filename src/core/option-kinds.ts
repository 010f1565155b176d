import { findDate } from '../knowledge/dates.ts';
import { normalizeName, type KnowledgeBase } from '../knowledge/kb.ts';
import type { OptionKind } from './command.ts';

export interface Extracted {
  value: string;
  /** The text left once the value is taken out. */
  rest: string;
}

function remove(text: string, matched: string): string {
  const i = text.toLowerCase().indexOf(matched.toLowerCase());
  if (i < 0) return text;
  return `${text.slice(0, i)} ${text.slice(i + matched.length)}`.replace(/\s+/g, ' ').trim();
}

/**
 * Picks a value of the given kind out of free text, so "troops France 2023-09" and
 * "troops 2023-09 France" both work. Kinds without a recognizer take the remaining text.
 */
export function extractKind(kind: OptionKind, text: string, kb: KnowledgeBase, now: Date): Extracted | null {
  if (!text) return null;
  switch (kind) {
    case 'date': {
      const found = findDate(text, now, kb.anchorSpans);
      return found ? { value: found.matched, rest: remove(text, found.matched) } : null;
    }
    case 'country': {
      const words = text.split(' ');
      // Longest phrase first, so "united states" wins over "states".
      for (let len = Math.min(4, words.length); len >= 1; len--) {
        for (let i = 0; i + len <= words.length; i++) {
          const phrase = words.slice(i, i + len).join(' ');
          if (kb.resolveCountry(phrase)) return { value: phrase, rest: remove(text, phrase) };
        }
      }
      return null;
    }
    case 'time': {
      const m = /\b\d{1,2}[:h.]\d{2}\b|\b\d{1,2}\s?(am|pm)\b/i.exec(text);
      return m ? { value: m[0], rest: remove(text, m[0]) } : null;
    }
    case 'timezone': {
      const m = /\b[A-Za-z_]+\/[A-Za-z_/+-]+\b|\bUTC\b/i.exec(text);
      return m ? { value: m[0], rest: remove(text, m[0]) } : null;
    }
    default:
      return { value: text, rest: '' };
  }
}

const TIME_ZONES = Intl.supportedValuesOf('timeZone');

/** Choices offered while the user types an option of this kind (Discord autocomplete, shell hints). */
export function completeKind(kind: OptionKind, partial: string, kb: KnowledgeBase, limit = 25): string[] {
  const key = normalizeName(partial);
  let pool: string[];
  switch (kind) {
    case 'country':
      pool = kb.countries();
      break;
    case 'person':
      pool = kb.data.people.map((p) => p.name);
      break;
    case 'place':
      pool = kb.data.places.map((p) => p.name);
      break;
    case 'topic':
      pool = kb.tags();
      break;
    case 'timezone':
      pool = TIME_ZONES;
      break;
    default:
      return [];
  }
  if (!key) return pool.slice(0, limit);
  const starts = pool.filter((c) => normalizeName(c).startsWith(key));
  const contains = pool.filter((c) => !starts.includes(c) && normalizeName(c).includes(key));
  const extra: string[] = [];
  if (kind === 'country') {
    const resolved = kb.resolveCountry(partial);
    if (resolved && !starts.includes(resolved) && !contains.includes(resolved)) extra.push(resolved);
  }
  if (kind === 'person') {
    const p = kb.resolvePerson(partial);
    if (p && !starts.includes(p.name) && !contains.includes(p.name)) extra.push(p.name);
  }
  return [...starts, ...contains, ...extra].slice(0, limit);
}
