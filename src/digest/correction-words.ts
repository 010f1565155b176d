/**
 * What a threaded correction says changed, per kind of entry, every part from the catalogs (the renderers escape
 * it: what an editor typed is shown as text). Worded from the approved entry itself, checked with the data/
 * schemas, and the knowledge base for what it does not hold (a speaker's name, an office's name): an instance that
 * has not reloaded yet words it the same, and each correction says what its own approval said, with its source.
 * A field the correction changed is shown as the editor wrote it: the translation on record is the old text's.
 */
import { t } from '../core/i18n.ts';
import { formatDay, formatPeriod } from '../knowledge/dates.ts';
import type { KnowledgeBase } from '../knowledge/kb.ts';
import {
  eventSchema,
  officeSchema,
  organisationSchema,
  personSchema,
  placeSchema,
  statementSchema,
  type FuzzyDate,
  type OfficeTerm,
} from '../knowledge/schema.ts';
import type { TranslatableCollection } from '../knowledge/translations.ts';
import type { ApprovedChange } from '../storage/corrections.ts';
import { canonicalJson } from '../storage/seed.ts';

/** Longer text (a quote, a description) is cut to this many characters: the correction links its source. */
export const CORRECTION_TEXT_CHARS = 200;

/** The fields a correction of a place, organisation or person names when they changed, in this order. */
const DESCRIBED_FIELDS = {
  places: ['name', 'kind', 'summary', 'country', 'coordinates', 'aliases'],
  organisations: ['name', 'acronym', 'kind', 'description'],
  people: ['name', 'role', 'summary', 'aliases'],
} as const;
/** Shown quoted: sentences an editor wrote, as opposed to a name or a kind. */
const QUOTED_FIELDS = new Set(['summary', 'description']);
/** The field shown when there is no earlier revision to compare with. */
const MAIN_FIELD = { places: 'summary', organisations: 'description', people: 'summary' } as const;
const SCHEMAS = { places: placeSchema, organisations: organisationSchema, people: personSchema } as const;

function cut(text: string): string {
  return text.length > CORRECTION_TEXT_CHARS ? `${text.slice(0, CORRECTION_TEXT_CHARS - 1).trimEnd()}…` : text;
}

function quoted(text: string, lang: string): string {
  return t(lang, 'quote', { quote: cut(text), hasTranslation: 'no', translation: '' });
}

function describeDate(d: FuzzyDate, lang: string): string {
  return d.precision === 'day' ? formatDay(d.start, lang) : formatPeriod(d.start, d.end, lang);
}

/** Whether the approval changed `field` of the entry (false when there is nothing to compare with). */
function changedField(change: ApprovedChange, field: string): boolean {
  return change.previous !== null && canonicalJson(change.previous[field]) !== canonicalJson(change.entry[field]);
}

/** A text field in `lang`: its translation on record while the field is unchanged, else as approved. */
function text(kb: KnowledgeBase, collection: TranslatableCollection, id: string, field: string, value: string, lang: string, changed: boolean): string {
  if (changed) return value;
  const given = kb.data.translations[lang]?.[collection]?.[id] as Record<string, string | undefined> | undefined;
  return given?.[field] ?? value;
}

/** The `change` of "Correction: {change} (source…)", or undefined when the entry does not parse as its kind. */
export function describeChange(kb: KnowledgeBase, change: ApprovedChange, lang: string): string | undefined {
  switch (change.kind) {
    case 'events':
      return describeEvent(kb, change, lang);
    case 'statements':
      return describeStatement(kb, change, lang);
    case 'offices':
      return describeOffice(kb, change, lang);
    case 'places':
    case 'organisations':
    case 'people':
      return describeEntry(kb, change, change.kind, lang);
    default:
      return undefined;
  }
}

function describeEvent(kb: KnowledgeBase, change: ApprovedChange, lang: string): string | undefined {
  const parsed = eventSchema.safeParse(change.entry);
  if (!parsed.success) return undefined;
  const e = parsed.data;
  const date = e.endDate ? formatPeriod(e.date.start, e.endDate.end, lang) : describeDate(e.date, lang);
  return t(lang, 'correction.event', { title: text(kb, 'events', e.id, 'title', e.title, lang, changedField(change, 'title')), date });
}

function describeStatement(kb: KnowledgeBase, change: ApprovedChange, lang: string): string | undefined {
  const parsed = statementSchema.safeParse(change.entry);
  if (!parsed.success) return undefined;
  const s = parsed.data;
  // The words as said, never a translation.
  return t(lang, 'correction.statement', {
    speaker: kb.peopleById.get(s.person)?.name ?? s.person,
    date: describeDate(s.date, lang),
    quote: quoted(s.quote, lang),
  });
}

function describeEntry(kb: KnowledgeBase, change: ApprovedChange, kind: keyof typeof DESCRIBED_FIELDS, lang: string): string | undefined {
  const parsed = SCHEMAS[kind].safeParse(change.entry);
  if (!parsed.success) return undefined;
  const entry = parsed.data as unknown as Record<string, unknown> & { id: string; name: string };
  const value = (field: string): string => {
    const v = entry[field];
    if (field === 'coordinates' && v && typeof v === 'object') {
      const { lat, lon } = v as { lat: number; lon: number };
      return `${lat}, ${lon}`;
    }
    if (Array.isArray(v)) return v.join(', ');
    const plain = typeof v === 'string' ? text(kb, kind, entry.id, field, v, lang, changedField(change, field)) : String(v ?? '');
    return QUOTED_FIELDS.has(field) ? quoted(plain, lang) : cut(plain);
  };
  const fields: string[] = change.previous === null ? [MAIN_FIELD[kind]] : DESCRIBED_FIELDS[kind].filter((f) => changedField(change, f));
  const changes = fields.filter((f) => entry[f] !== undefined).map((field) => t(lang, 'correction.field', { field, value: value(field) }));
  return t(lang, 'correction.described', {
    name: text(kb, kind, entry.id, 'name', entry.name, lang, changedField(change, 'name')),
    changes: changes.length ? changes.join('; ') : t(lang, 'correction.updated'),
  });
}

/**
 * An office: the term the approval added or changed (the newest of them), else the holder now. A new term is how
 * a new holder is recorded: "now Jane Doe, President, since …".
 */
function describeOffice(kb: KnowledgeBase, change: ApprovedChange, lang: string): string | undefined {
  const parsed = officeSchema.safeParse(change.entry);
  if (!parsed.success) return undefined;
  const office = parsed.data;
  const rawTerms = Array.isArray(change.entry.terms) ? (change.entry.terms as unknown[]) : [];
  const before = new Set((Array.isArray(change.previous?.terms) ? (change.previous.terms as unknown[]) : []).map(canonicalJson));
  const changed = rawTerms.map((raw, i) => (change.previous !== null && !before.has(canonicalJson(raw)) ? i : -1)).filter((i) => i >= 0);
  const index = changed.at(-1) ?? office.terms.length - 1;
  const term: OfficeTerm = office.terms[index]!;
  const termChanged = changed.includes(index);
  const given = termChanged ? undefined : (kb.data.translations[lang]?.terms?.[term.id] as Record<string, string | undefined> | undefined);
  const span = term.start
    ? t(lang, 'office.span', {
        start: describeDate(term.start, lang),
        hasBegan: 'no',
        began: '',
        hasEnd: term.end ? 'yes' : 'no',
        end: term.end ? describeDate(term.end, lang) : '',
        hasEnded: 'no',
        ended: '',
      })
    : t(lang, 'office.span.attested', { date: describeDate(term.attested!, lang) });
  return t(lang, 'correction.office', {
    office: text(kb, 'offices', office.id, 'name', office.name, lang, changedField(change, 'name')),
    current: !term.end && index === office.terms.length - 1 ? 'yes' : 'no',
    holder: term.person ? (kb.peopleById.get(term.person)?.name ?? term.person) : (term.body ?? ''),
    title: given?.title ?? term.title,
    span,
  });
}
