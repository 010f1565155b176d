import { z } from 'zod';
import { defineCommand } from '../src/core/command.ts';
import { reply } from '../src/core/reply.ts';
import { quote } from '../src/core/sanitize.ts';
import type { Place } from '../src/knowledge/schema.ts';
import { adjective, describeSpan, requireCountry } from './_shared.ts';
import type { KnowledgeBase } from '../src/knowledge/kb.ts';

function forcesAt(kb: KnowledgeBase, place: Place): string[] {
  const byCountry = new Map<string, string[]>();
  for (const d of kb.deploymentsAt(place.id)) {
    const list = byCountry.get(d.country) ?? [];
    list.push(describeSpan(d.asOf, d.until));
    byCountry.set(d.country, list);
  }
  return [...byCountry].map(([country, dates]) => `${adjective(kb, country)} forces reported there: ${dates.join(', ')}`);
}

function coords(p: Place): string {
  if (!p.coordinates) return 'not sourced';
  const { lat, lon } = p.coordinates;
  return `${Math.abs(lat).toFixed(4)}°${lat >= 0 ? 'N' : 'S'} ${Math.abs(lon).toFixed(4)}°${lon >= 0 ? 'E' : 'W'}`;
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
  handler(input, ctx) {
    const { kb } = ctx;
    if (input.place) {
      const p = kb.resolvePlace(input.place);
      if (!p) {
        return reply({
          command: 'places',
          title: `Places — ${quote(input.place, 40)}`,
          body: `I have no sourced place called "${quote(input.place, 40)}". Places I know:`,
          items: kb.data.places.map((x) => `${x.name} (${x.kind})`),
          answered: false,
        });
      }
      const events = kb.eventsAt(p.id);
      return reply({
        command: 'places',
        title: p.name,
        body: p.summary,
        fields: [
          { name: 'Kind', value: p.kind, inline: true },
          { name: 'Country', value: p.country, inline: true },
          { name: 'Coordinates', value: coords(p), inline: true },
        ],
        items: [...forcesAt(kb, p), ...events.map((e) => `${describeSpan(e.date, e.endDate)} — ${e.title}`)],
        citations: kb.citations([...p.sources, ...events.flatMap((e) => e.sources)]),
        facts: [{ type: 'place', place: p.id, name: p.name }],
        asOf: p.sources.length ? kb.newestSourceDate(p.sources) : null,
      });
    }
    const country = input.country ? requireCountry(input.country, ctx) : undefined;
    // A country's places: where its figures were reported, or where the place's sourced summary names its forces.
    const places = country ? kb.data.places.filter((p) => kb.forcesWereAt(p.id, country)) : kb.data.places;
    return reply({
      command: 'places',
      title: country ? `Where ${adjective(kb, country)} forces were stationed in Niger` : 'Where foreign forces were stationed in Niger',
      body: `${places.length} sourced place(s). Ask \`places <name>\` for one.`,
      items: places.map((p) => {
        const forces = forcesAt(kb, p);
        return `${p.name} (${p.kind}; ${coords(p)}): ${p.summary}${forces.length ? ` ${forces.join('; ')}.` : ''}`;
      }),
      citations: kb.citations(places.flatMap((p) => p.sources)),
      facts: places.map((p) => ({ type: 'place' as const, place: p.id, name: p.name })),
      asOf: kb.newestSourceDate(places.flatMap((p) => p.sources)),
    });
  },
});
