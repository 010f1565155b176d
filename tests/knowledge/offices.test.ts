import { describe, expect, it } from 'vitest';
import { adjective } from '../../commands/_shared.ts';
import { parseDateOption } from '../../src/knowledge/dates.ts';
import { KnowledgeBase } from '../../src/knowledge/kb.ts';

const TEST_NOW = new Date('2026-11-29T09:00:00Z');
const kb = KnowledgeBase.load();
const at = (text: string) => parseDateOption(text, TEST_NOW, kb.anchorSpans);
const holders = (office: string, text: string) => kb.officeHoldersDuring(office, at(text)).map((t) => kb.termHolderName(t));

describe('offices over time', () => {
  it('prime minister: Zeine on 2023-08-10, Ouhoumoudou Mahamadou in June 2023, both on the day it changed hands', () => {
    expect(holders('niger-prime-minister', '2023-08-10')).toEqual(['Ali Mahaman Lamine Zeine']);
    expect(holders('niger-prime-minister', 'June 2023')).toEqual(['Ouhoumoudou Mahamadou']);
    expect(holders('niger-prime-minister', '2023-08-07')).toEqual(['Ouhoumoudou Mahamadou', 'Ali Mahaman Lamine Zeine']);
  });

  it('a term with no start is bounded by the term it served under: no prime minister before Bazoum', () => {
    expect(holders('niger-prime-minister', '2019')).toEqual([]);
    expect(holders('niger-prime-minister', '2021-04-02')).toEqual(['Ouhoumoudou Mahamadou']);
  });

  it('head of state now: Tiani, President of the Republic', () => {
    const terms = kb.officeHoldersDuring('niger-head-of-state', at('now'));
    expect(terms).toHaveLength(1);
    expect(kb.termHolderName(terms[0]!)).toBe('Abdourahamane Tiani');
    expect(terms[0]!.title).toMatch(/^President of the Republic/);
    expect(terms[0]!.end).toBeUndefined();
  });

  it('a collective body holds a term by name', () => {
    expect(holders('niger-head-of-state', '2023-07-27')).toEqual([
      'National Council for the Safeguard of the Homeland (Conseil national pour la sauvegarde de la patrie, CNSP)',
    ]);
  });

  it('a term known from one attested date overlaps only periods containing that date', () => {
    expect(holders('niger-army-chief-of-staff', '2023-07-27')).toEqual(['Abdou Sidikou Issa']);
    expect(holders('niger-army-chief-of-staff', 'July 2023')).toEqual(['Abdou Sidikou Issa']);
    expect(holders('niger-army-chief-of-staff', '2023-08-15')).toEqual([]);
    expect(holders('niger-army-chief-of-staff', 'now')).toEqual([]);
    expect(holders('france-ambassador-to-niger', 'August 2023')).toEqual(['Ambassador Itté']);
    expect(holders('france-foreign-minister', '2023-09-04')).toEqual(['Catherine Colonna']);
  });

  it('Macron is attested as President of France on the dates of his events, and on no other', () => {
    expect(holders('france-president', '2022-11-09')).toEqual(['President Macron']);
    expect(holders('france-president', 'September 2023')).toEqual(['President Macron']);
    expect(holders('france-president', 'now')).toEqual([]);
  });

  it('the presidential guard: Tiani from 2011-04-08 to 2023-08-08', () => {
    expect(holders('niger-presidential-guard-commander', '2011-04-07')).toEqual([]);
    expect(holders('niger-presidential-guard-commander', '2023-07-26')).toEqual(['Abdourahamane Tiani']);
    expect(holders('niger-presidential-guard-commander', '2023-08-09')).toEqual([]);
  });

  it('an unknown office has no holders', () => {
    expect(kb.officeHoldersDuring('no-such-office', at('now'))).toEqual([]);
  });

  it("officesHeldBy('abdourahamane-tiani') lists head of state, CNSP president and presidential guard commander, oldest first", () => {
    const held = kb.officesHeldBy('abdourahamane-tiani');
    expect(new Set(held.map((h) => h.office.id))).toEqual(new Set(['niger-head-of-state', 'cnsp-president', 'niger-presidential-guard-commander']));
    expect(held[0]!.office.id).toBe('niger-presidential-guard-commander');
    expect(held.map((h) => h.term.id)).toContain('abdourahamane-tiani-president');
    expect(kb.officesHeldBy('nobody')).toEqual([]);
  });

  it('the ruler accessors read the head-of-state office', () => {
    const office = kb.officesById.get('niger-head-of-state')!;
    expect(kb.rulerTerms().map((t) => t.id)).toEqual(office.terms.map((t) => t.id));
    expect(kb.rulerTerms()[0]!.start.text).toBe('2010-02-18');
    expect(kb.rulersDuring(at('June 2023')).map((t) => kb.rulerName(t))).toEqual(['Mohamed Bazoum']);
    expect(kb.offices().map((o) => o.id)).toContain('niger-prime-minister');
  });
});

describe('countries', () => {
  it('resolveCountry reads every language and returns countries with troop figures only', () => {
    expect(kb.resolveCountry('Franzosen')).toBe('France');
    expect(kb.resolveCountry('américains')).toBe('United States');
    expect(kb.resolveCountry('Bundeswehr')).toBe('Germany');
    expect(kb.resolveCountry('italienischen')).toBe('Italy');
    expect(kb.resolveCountry('Washington')).toBe('United States');
    expect(kb.resolveCountry('russes')).toBeNull();
    expect(kb.resolveCountry('Niger')).toBeNull();
  });

  it('codes count only in capitals', () => {
    expect(kb.resolveCountry('US')).toBe('United States');
    expect(kb.resolveCountry('IT')).toBe('Italy');
    expect(kb.resolveCountry('us')).toBeNull();
    expect(kb.resolveCountry('it')).toBeNull();
    expect(kb.resolveCountry('UK')).toBeNull();
    expect(kb.findCountry('UK')?.name).toBe('United Kingdom');
    expect(kb.findCountry('uk')).toBeNull();
  });

  it('tolerates a typo in four letters or more, but never turns another country into one with figures', () => {
    expect(kb.resolveCountry('Frnace')).toBeNull(); // two edits in a six-letter name, as before
    expect(kb.resolveCountry('Germny')).toBe('Germany');
    expect(kb.resolveCountry('Amercan')).toBe('United States');
    expect(kb.resolveCountry('Russain')).toBeNull();
    expect(kb.resolveCountry('putsch')).toBeNull();
    expect(kb.resolveCountry('Africa')).toBeNull();
    expect(kb.resolveCountry('Rom')).toBe('Italy');
    expect(kb.resolveCountry('home')).toBeNull();
  });

  it('findCountry finds any country by any name in any language', () => {
    expect(kb.findCountry('russes')?.name).toBe('Russia');
    expect(kb.findCountry('Tschad')?.name).toBe('Chad');
    expect(kb.findCountry('nigérians')?.name).toBe('Nigeria');
    expect(kb.findCountry('nigériens')?.name).toBe('Niger');
    expect(kb.findCountry('Côte d’Ivoire')?.iso).toBe('CI');
    expect(kb.findCountry('Elfenbeinküste')?.iso).toBe('CI');
    expect(kb.findCountry('Russain')).toBeNull();
    expect(kb.countriesById.get('burkina-faso')?.adjective).toBe('Burkinabe');
  });

  it('every country with troop figures is in countries.yaml, and the adjective comes from there', () => {
    for (const country of kb.countries()) expect(kb.findCountry(country)?.name).toBe(country);
    expect(kb.countries().map((c) => adjective(kb, c))).toEqual(expect.arrayContaining(['French', 'US', 'German', 'Italian']));
    expect(adjective(kb, 'Atlantis')).toBe('Atlantis');
  });
});

describe('organisations', () => {
  it('resolves names, acronyms and other languages', () => {
    expect(kb.resolveOrganisation('CEDEAO')?.id).toBe('ecowas');
    expect(kb.resolveOrganisation('ECOWAS')?.id).toBe('ecowas');
    expect(kb.resolveOrganisation('Allianz der Sahelstaaten')?.id).toBe('aes');
    expect(kb.resolveOrganisation('Union africaine')?.id).toBe('african-union');
    expect(kb.resolveOrganisation('la junte')?.id).toBe('cnsp');
    expect(kb.resolveOrganisation('Human Rights Watch')?.id).toBe('human-rights-watch');
  });

  it('allows one typo in names of six letters or more, none in shorter ones', () => {
    expect(kb.resolveOrganisation('Ecowass')?.id).toBe('ecowas');
    expect(kb.resolveOrganisation('Barkhan')?.id).toBe('operation-barkhane');
    expect(kb.resolveOrganisation('Ecovvas')).toBeNull();
    expect(kb.resolveOrganisation('CNSB')).toBeNull();
  });

  it('matches codes only in capitals ("au" is a French word)', () => {
    expect(kb.resolveOrganisation('AU')?.id).toBe('african-union');
    expect(kb.resolveOrganisation('au')).toBeNull();
    expect(kb.resolveOrganisation('')).toBeNull();
  });

  it('lists organisations and the events they act in, oldest first', () => {
    expect(kb.organisations().length).toBe(kb.organisationsById.size);
    const ecowas = kb.eventsWithActor('ecowas').map((e) => e.id);
    expect(ecowas[0]).toBe('ecowas-ultimatum-sanctions-2023-07-30');
    expect(ecowas).toContain('ecowas-exit-effective-2025-01-29');
    expect(kb.eventsWithActor('cnsp').map((e) => e.id)).toContain('cnsp-denounces-france-agreements-2023-08-03');
    expect(kb.eventsWithActor('mohamed-bazoum').map((e) => e.id)).toContain('coup-2023-07-26');
    expect(kb.eventsWithActor('nobody')).toEqual([]);
  });

  it('every organisation description cites sources that exist', () => {
    for (const o of kb.organisations()) {
      expect(o.sources.length, o.id).toBeGreaterThan(0);
      for (const s of o.sources) expect(kb.sourcesById.has(s), `${o.id}: ${s}`).toBe(true);
    }
  });
});
