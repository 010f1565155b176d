// Office terms proposed from chat (issue 13): an office's terms are nested in its entry, so a new term or a corrected
// one is a correction of the office, checked by the loader's own checks across terms before it is stored.
import type { CommandContext } from '../src/core/command.ts';
import { UserError } from '../src/core/errors.ts';
import { quote } from '../src/core/sanitize.ts';
import type { KnowledgeBase } from '../src/knowledge/kb.ts';
import { checkOffices, type DataProblem } from '../src/knowledge/load.ts';
import { officeSchema, parseFuzzyDate, type Office } from '../src/knowledge/schema.ts';

/** A term as data/ writes it (dates as text): what the store keeps and the review compares. */
export type RawTerm = Record<string, unknown> & { id: string; sources?: string[] };

/** A day option (YYYY-MM-DD, as term dates are), not after today; refused naming its field otherwise. */
export function dayOf(text: string, field: string, ctx: CommandContext): string {
  const day = text.trim();
  const parsed = parseFuzzyDate(day);
  if (typeof parsed === 'string' || parsed.precision !== 'day') {
    throw new UserError({ key: 'proposals.term.badDay', params: { field, value: quote(text, 40) } }, undefined, field);
  }
  const today = ctx.now().toISOString().slice(0, 10);
  if (day > today) throw new UserError({ key: 'proposals.term.futureDay', params: { field, value: day } }, undefined, field);
  return day;
}

/** The person a holder option names (an id or a name the knowledge base knows). */
export function holderOf(kb: KnowledgeBase, text: string): string {
  const given = text.trim();
  const id = kb.peopleById.has(given.toLowerCase()) ? given.toLowerCase() : kb.resolvePerson(given)?.id;
  if (!id) throw new UserError({ key: 'proposals.unknownRef', params: { field: 'holder', value: quote(given, 80) } }, undefined, 'holder');
  return id;
}

/**
 * A new term's id as data/ names them: the holder and the office without its country ("ali-mahaman-lamine-zeine-prime-
 * minister" in niger-prime-minister), with the start day when that is taken (ids are unique across offices).
 */
export function newTermId(kb: KnowledgeBase, office: Office, person: string, start: string): string {
  const countrySlug = office.country.toLowerCase().replace(/[^a-z0-9]+/g, '-');
  const post = office.id.startsWith(`${countrySlug}-`) ? office.id.slice(countrySlug.length + 1) : office.id;
  const id = `${person}-${post}`;
  const taken = new Set(kb.offices().flatMap((o) => o.terms.map((t) => t.id)));
  return taken.has(id) ? `${id}-${start}` : id;
}

/** When a term begins, for ordering: its start, else the day a source shows it (data/ orders terms oldest first). */
const beginsOf = (t: RawTerm) => String(t.start ?? t.attested ?? '');

/**
 * The office's terms with `term` added in its place, oldest first (after those that begin the same day). An open
 * term (a start, no end) that began before it is ended at its start when the new term is open too: an office's terms
 * may not overlap, so an open successor is a new holder taking over (a new prime minister ends the previous
 * one's term), and the new term's source is what dates that end. A new term with an end of its own is left to the
 * overlap check: a closed term inside an open one says nothing about when the open one ended.
 */
export function withNewTerm(terms: readonly RawTerm[], term: RawTerm, sourceId: string): RawTerm[] {
  const start = String(term.start);
  const successor = term.end === undefined;
  const out = terms.map((t) => {
    const open = t.start !== undefined && t.end === undefined && String(t.start) < start;
    if (!successor || !open) return t;
    const cited = t.sources ?? [];
    return { ...t, end: start, sources: cited.includes(sourceId) ? cited : [...cited, sourceId] };
  });
  const at = out.findIndex((t) => beginsOf(t) > start);
  return at < 0 ? [...out, term] : [...out.slice(0, at), term, ...out.slice(at)];
}

/** A term's fields in the order data/offices.yaml writes them (what data:export writes and the review lists). */
const TERM_FIELDS = ['id', 'person', 'body', 'title', 'start', 'began', 'end', 'ended', 'attested', 'under', 'note', 'sources', 'added'];

export function inTermOrder(term: RawTerm): RawTerm {
  const rank = (k: string) => (TERM_FIELDS.includes(k) ? TERM_FIELDS.indexOf(k) : TERM_FIELDS.length);
  return Object.fromEntries(Object.entries(term).sort(([a], [b]) => rank(a) - rank(b))) as RawTerm;
}

/** Terms oldest first; those that begin the same day keep their order. */
export function oldestFirst(terms: readonly RawTerm[]): RawTerm[] {
  return terms
    .map((t, i) => ({ t, i }))
    .sort((a, b) => beginsOf(a.t).localeCompare(beginsOf(b.t)) || a.i - b.i)
    .map(({ t }) => t);
}

/** Where a problem with a term's field is shown: the option the proposer typed it in. */
const OPTION_OF: Record<string, string> = { person: 'holder', attested: 'start', title: 'role' };

function optionOf(problemField: string | undefined): string | undefined {
  const parts = (problemField ?? '').split('.');
  if (parts[0] !== 'terms') return parts[0] || undefined;
  const field = parts[2];
  return field === undefined ? undefined : (OPTION_OF[field] ?? field);
}

/**
 * Checks the office as it would be after the proposal, as data:check and the live reload check it: its zod schema,
 * then the loader's checks of every office's terms with this one replaced, against the people and sources the
 * knowledge base has (and the source the proposal adds). Throws the first problem as a user error naming the option.
 * An approved office that failed them would leave the live knowledge base answering from before every later approval.
 */
export function checkProposedOffice(kb: KnowledgeBase, entry: Record<string, unknown>, newSource: string): void {
  const parsed = officeSchema.safeParse(entry);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = issue.path.join('.');
    throw invalid(`${path || '(entry)'}: ${issue.message}`, optionOf(path));
  }
  const office = parsed.data;
  const offices = kb.offices().map((o) => (o.id === office.id ? office : o));
  const problems: DataProblem[] = [];
  checkOffices(
    offices,
    {
      people: new Set(kb.peopleById.keys()),
      sources: new Set([...kb.sourcesById.keys(), newSource]),
      countries: new Set(kb.data.countries.map((c) => c.name)),
    },
    'offices',
    problems,
  );
  const first = problems.find((p) => p.entry === office.id) ?? problems[0];
  if (first) throw invalid(first.message, optionOf(first.field));
}

function invalid(message: string, field: string | undefined): UserError {
  return new UserError({ key: 'proposals.term.invalid', params: { field: field ?? 'terms', message: quote(message, 300) } }, undefined, field);
}
