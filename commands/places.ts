import { z } from 'zod';
import { defineCommand } from '../src/core/command.ts';
import { reply } from '../src/core/reply.ts';
import { quote } from '../src/core/sanitize.ts';
import type { Place } from '../src/knowledge/schema.ts';
import { t } from '../src/core/i18n.ts';
import { adjective, chartAttachment, countryName, describeSpan, requireCountry } from './_shared.ts';
import type { KnowledgeBase } from '../src/knowledge/kb.ts';

function forcesAt(kb: KnowledgeBase, place: Place, lang: string): string[] {
  const byCountry = new Map<string, string[]>();
  for (const d of kb.deploymentsAt(place.id)) {
    const list = byCountry.get(d.country) ?? [];
    list.push(describeSpan(d.asOf, d.until, lang));
    byCountry.set(d.country, list);
  }
  return [...byCountry].map(([country, dates]) => t(lang, 'places.forces', { adjective: adjective(kb, country, lang), dates: dates.join(', ') }));
}

const degreeFormats = new Map<string, Intl.NumberFormat>();

/** "14.3175°N 2.0983°E" with the language's decimal sign and compass letters. */
function coords(p: Place, lang: string): string {
  if (!p.coordinates) return t(lang, 'places.coordinates.none');
  let f = degreeFormats.get(lang);
  if (!f) degreeFormats.set(lang, (f = new Intl.NumberFormat(lang, { minimumFractionDigits: 4, maximumFractionDigits: 4, useGrouping: false })));
  const { lat, lon } = p.coordinates;
  return t(lang, 'places.coordinates', { lat: f.format(Math.abs(lat)), ns: lat >= 0 ? 'n' : 's', lon: f.format(Math.abs(lon)), ew: lon >= 0 ? 'e' : 'w' });
}

export default defineCommand({
  name: 'places',
  description: 'Where foreign forces were stationed in Niger, and when',
  options: z.object({
    place: z.string().max(100).optional().describe('One place, e.g. Ouallam or Agadez').meta({ kind: 'place' }),
    country: z.string().max(100).optional().describe('Only the places where this country’s forces were, e.g. United States').meta({ kind: 'country' }),
  }),
  examples: ['places', 'places Ouallam', 'places place:Agadez', 'places country:Germany'],
  cacheable: true,
  async handler(input, ctx) {
    const { kb, lang } = ctx;
    if (input.place) {
      const p = kb.resolvePlace(input.place);
      if (!p) {
        return reply({
          command: 'places',
          lang,
          title: ctx.t('places.unknown.title', { name: quote(input.place, 40) }),
          body: ctx.t('places.unknown', { name: quote(input.place, 40) }),
          items: kb.data.places.map((x) => ctx.t('places.known', { name: kb.localized('places', x, lang).name, kind: kb.localized('places', x, lang).kind })),
          answered: false,
        });
      }
      const local = kb.localized('places', p, lang);
      const events = kb.eventsAt(p.id);
      return reply({
        command: 'places',
        lang,
        title: local.name,
        body: local.summary,
        fields: [
          { name: ctx.t('places.field.kind'), value: local.kind, inline: true },
          { name: ctx.t('places.field.country'), value: countryName(kb, p.country, lang), inline: true },
          { name: ctx.t('places.field.coordinates'), value: coords(p, lang), inline: true },
        ],
        items: [
          ...forcesAt(kb, p, lang),
          ...events.map((e) => ctx.t('places.event', { date: describeSpan(e.date, e.endDate, lang), title: kb.localized('events', e, lang).title })),
        ],
        citations: kb.citations([...p.sources, ...events.flatMap((e) => e.sources)]),
        facts: [{ type: 'place', place: p.id, name: p.name }],
        entries: [`places/${p.id}`, ...events.map((e) => `events/${e.id}`)],
        asOf: p.sources.length ? kb.newestSourceDate(p.sources) : null,
      });
    }
    const country = input.country ? requireCountry(input.country, ctx) : undefined;
    // A country's places: where its figures were reported, or where the place's sourced summary names its forces.
    const places = country ? kb.data.places.filter((p) => kb.forcesWereAt(p.id, country)) : kb.data.places;
    return reply({
      command: 'places',
      lang,
      title: country ? ctx.t('places.title.country', { adjective: adjective(kb, country, lang) }) : ctx.t('places.title'),
      body: ctx.t('places.body', { count: places.length }),
      items: places.map((p) => {
        const forces = forcesAt(kb, p, lang);
        const local = kb.localized('places', p, lang);
        return ctx.t('places.entry', {
          name: local.name,
          kind: local.kind,
          coordinates: coords(p, lang),
          summary: local.summary,
          hasForces: forces.length ? 'yes' : 'no',
          forces: forces.join('; '),
        });
      }),
      citations: kb.citations(places.flatMap((p) => p.sources)),
      facts: places.map((p) => ({ type: 'place' as const, place: p.id, name: p.name })),
      entries: places.map((p) => `places/${p.id}`),
      asOf: kb.newestSourceDate(places.flatMap((p) => p.sources)),
      // Every place on one map: for the whole list only (a country's list would show the others' bases too).
      attachments: country
        ? undefined
        : await chartAttachment(
            ctx,
            'foreign-bases-niger',
            (charts) => charts.bases(kb),
            () => {
              const placed = places.filter((p) => p.coordinates);
              const title = ctx.t('places.title');
              const sources = [...new Set(kb.citations(placed.flatMap((p) => p.sources)).map((c) => c.publisher))].join('; ');
              return {
                alt: ctx.t('chart.bases.alt', {
                  count: placed.length,
                  places: placed.map((p) => `${kb.localized('places', p, lang).name} (${coords(p, lang)})`).join('; '),
                }),
                caption: ctx.t('chart.bases.caption', { title, sources }),
              };
            },
          ),
    });
  },
});
