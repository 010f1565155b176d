// What a threaded correction says, per kind of entry (issue 13): worded from the approved entry, in the post's
// language, every part from the catalogs; a field the editor changed is shown as they wrote it.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Bot } from '../../src/core/bot.ts';
import { correctionReply } from '../../src/digest/corrections.ts';
import { DEFAULT_DATA_DIR } from '../../src/knowledge/load.ts';
import type { ApprovedChange } from '../../src/storage/corrections.ts';
import { readSeed } from '../../src/storage/seed.ts';
import { testBot } from '../helpers/bot.ts';

const SEED = readSeed(DEFAULT_DATA_DIR);
const SOURCE = { url: 'https://example.org/c', publisher: 'Example Wire', title: 'A report', published: '2026-11-21' };

let bot: Bot;
beforeAll(async () => {
  bot = await testBot();
});

/** A correction of a seed entry: `edit` changes a copy of it, the seed's own is the revision it supersedes. */
function correction(kind: string, id: string, edit: (entry: Record<string, any>) => void): ApprovedChange {
  const seeded = SEED.find((e) => e.kind === kind && e.id === id)!;
  const entry = structuredClone(seeded.entry) as Record<string, any>;
  edit(entry);
  return { id: 'P-TEST01', kind, entryId: id, proposedId: id, entry, previous: seeded.entry, source: SOURCE, decidedAt: Date.parse('2026-12-01T10:00:00Z') };
}

const said = (change: ApprovedChange, lang = 'en') => correctionReply(bot.kb, change, lang).body;

describe('corrections worded by kind', () => {
  it('an event: its title and its new date; in French the title on record while unchanged, the editor’s once changed', () => {
    const moved = correction('events', 'ambassador-leaves-niamey-2023-09-27', (e) => {
      e.date = '2023-09-28';
    });
    expect(said(moved)).toBe('Correction: French ambassador leaves Niamey — 28 September 2023 (source: Example Wire, “A report”, 21 November 2026).');
    expect(said(moved, 'fr')).toMatch(/^Correction : L'ambassadeur de France quitte Niamey — 28 septembre 2023 \(source : Example Wire/);
    const renamed = correction('events', 'ambassador-leaves-niamey-2023-09-27', (e) => {
      e.title = 'French ambassador Itté leaves Niamey';
    });
    expect(said(renamed, 'fr')).toMatch(/^Correction : French ambassador Itté leaves Niamey — 27 septembre 2023 /);
    expect(said(renamed, 'de')).toMatch(/^Korrektur: French ambassador Itté leaves Niamey — 27\. September 2023 /);
  });

  it('a statement: speaker, date and the corrected words, quoted and cut', () => {
    const change = correction('statements', 'colonna-le-monde-troops-at-request-2023-09-04', (s) => {
      s.quote = `${'We stay only at the request of Niger. '.repeat(10)}End.`;
    });
    const text = said(change);
    expect(text).toMatch(/^Correction: Catherine Colonna, 4 September 2023: “We stay only at the request of Niger\. We stay/);
    const quote = /“([^”]*)”/.exec(text)![1]!;
    expect(quote.length).toBeLessThanOrEqual(200);
    expect(quote.endsWith('…')).toBe(true);
    expect(text).not.toContain('End.');
    expect(said(change, 'fr')).toMatch(/^Correction : Catherine Colonna, 4 septembre 2023 : « We stay only/);
  });

  it('an organisation: its name and what changed; nothing worded changed: its record was updated', () => {
    const described = correction('organisations', 'ecowas', (o) => {
      o.description = 'The West African regional bloc, which Niger left on 2025-01-29.';
    });
    // Days as answers write them.
    expect(said(described)).toMatch(/^Correction: ECOWAS — description: “The West African regional bloc, which Niger left on 29 January 2025\.” \(source/);
    // The name's translation stands; the description is the editor's, as written (the French on record is the old text's).
    expect(said(described, 'fr')).toMatch(/^Correction : CEDEAO — description : « The West African regional bloc, which Niger left/);
    const resourced = correction('organisations', 'ecowas', (o) => {
      o.sources = [...o.sources].reverse();
    });
    expect(said(resourced)).toMatch(/^Correction: ECOWAS — its record was updated \(source/);
    expect(said(resourced, 'de')).toMatch(/^Korrektur: ECOWAS — der Eintrag wurde aktualisiert \(Quelle/);
  });

  it('a place: each field that changed, in order', () => {
    const change = correction('places', 'ouallam', (p) => {
      p.kind = 'town and former base';
      p.coordinates = { lat: 14.32, lon: 2.09 };
    });
    expect(said(change)).toMatch(/^Correction: Ouallam — kind: town and former base; location: 14\.32, 2\.09 \(source/);
  });

  it('an office: the holder now when the current term changed, else the term that changed with its dates', () => {
    const now = correction('offices', 'niger-head-of-state', (o) => {
      o.terms.at(-1).title = 'President of the Republic for the transition';
    });
    expect(said(now)).toMatch(
      /^Correction: Head of state of Niger — now Abdourahamane Tiani, President of the Republic for the transition, since 26 March 2025 \(source/,
    );
    expect(said(now, 'de')).toMatch(
      /^Korrektur: .+ — jetzt Abdourahamane Tiani, President of the Republic for the transition, seit dem 26\. März 2025 \(Quelle/,
    );
    const past = correction('offices', 'niger-head-of-state', (o) => {
      o.terms.find((t: { id: string }) => t.id === 'mohamed-bazoum-president').end = '2023-07-27';
    });
    expect(said(past)).toMatch(
      /^Correction: Head of state of Niger — Mohamed Bazoum, President of the Republic, since 2 April 2021, until 27 July 2023 \(source/,
    );
  });

  it('an entry that does not parse as its kind is named by its id, as it is; the source title stays as published', () => {
    const broken = correction('events', 'ambassador-leaves-niamey-2023-09-27', (e) => {
      e.date = 'soon';
    });
    expect(said(broken)).toMatch(/^Correction: entry ambassador-leaves-niamey-2023-09-27 was corrected/);
    const titled = { ...broken, source: { ...SOURCE, title: 'Report of 2026-11-20' } };
    expect(said(titled)).toContain('“Report of 2026-11-20”');
  });
});
