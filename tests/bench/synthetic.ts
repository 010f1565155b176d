import { seedEntry, type SeedEntry } from '../../src/storage/seed.ts';

/**
 * `n` synthetic troop figures as seed entries (valid against data/'s sources and places), for the benchmarks that
 * need a store of 100,000 revisions; `first` is the position of the first in its file, `years` how many years
 * their dates spread over from 2010.
 */
export function syntheticFigures(n: number, options: { first: number; added: string; years: number }): SeedEntry[] {
  const out: SeedEntry[] = [];
  for (let i = 0; i < n; i++) {
    const e = seedEntry(
      'deployments',
      {
        id: `bench-${i}`,
        country: 'France',
        host: 'Niger',
        count: i % 2000,
        approximate: true,
        asOf: `20${10 + (i % options.years)}-${String(1 + (i % 12)).padStart(2, '0')}`,
        places: ['ouallam'],
        note: `Synthetic figure ${i} for the benchmark, about as long as a real note in data/deployments.yaml.`,
        sources: ['afp-dpa-2023-09-05', 'tagesspiegel-2023-09-05'],
        added: options.added,
      },
      options.first + i,
    );
    if (Array.isArray(e)) throw new Error(e.join('; '));
    out.push(e);
  }
  return out;
}
