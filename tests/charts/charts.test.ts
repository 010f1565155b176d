// The charts as images: decoded from the PNG they are, checked to show something, and compared with the golden
// images in tests/fixtures/charts with a tolerance. After an intended change to a chart (or to the figures in
// data/ it draws), look at the new image and write it as the golden one:
//   UPDATE_GOLDENS=1 npx vitest run tests/charts/charts.test.ts
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pixelmatch from 'pixelmatch';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { basesMap } from '../../src/charts/bases.ts';
import { ChartRenderer } from '../../src/charts/render.ts';
import { troopChart } from '../../src/charts/troops.ts';
import { KnowledgeBase } from '../../src/knowledge/kb.ts';
import type { Deployment } from '../../src/knowledge/schema.ts';

const GOLDEN_DIR = fileURLToPath(new URL('../fixtures/charts/', import.meta.url));
/** Share of pixels that may differ (beyond anti-aliasing) from the golden image: rasteriser noise, not a change. */
const TOLERANCE = 0.0005;

const kb = KnowledgeBase.load();

function decode(png: Buffer): PNG {
  expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
  return PNG.sync.read(png);
}

/** Distinct colours, and the share of pixels that are not the most common one (the background). */
function content(image: PNG): { colours: number; ink: number } {
  const counts = new Map<number, number>();
  for (let i = 0; i < image.data.length; i += 4) {
    const rgba = image.data.readUInt32BE(i);
    counts.set(rgba, (counts.get(rgba) ?? 0) + 1);
  }
  const background = Math.max(...counts.values());
  const pixels = image.width * image.height;
  return { colours: counts.size, ink: (pixels - background) / pixels };
}

/** The share of pixels that differ, or 1 when the sizes do. */
function difference(a: PNG, b: PNG): number {
  if (a.width !== b.width || a.height !== b.height) return 1;
  const changed = pixelmatch(a.data, b.data, undefined, a.width, a.height, { threshold: 0.1 });
  return changed / (a.width * a.height);
}

function golden(name: string, png: Buffer): PNG {
  const path = join(GOLDEN_DIR, `${name}.png`);
  if (process.env.UPDATE_GOLDENS || !existsSync(path)) {
    if (!process.env.UPDATE_GOLDENS && process.env.CI) throw new Error(`no golden image ${path}: run with UPDATE_GOLDENS=1 and commit it`);
    mkdirSync(GOLDEN_DIR, { recursive: true });
    writeFileSync(path, png);
  }
  return PNG.sync.read(readFileSync(path));
}

function withDeployments(change: (d: Deployment) => Deployment): KnowledgeBase {
  return new KnowledgeBase({ ...kb.data, deployments: kb.data.deployments.map(change) });
}

describe('troop chart', async () => {
  const chart = (await troopChart(kb))!;

  it('is a PNG of chat size that is not blank: several colours, a good share of non-background pixels', () => {
    const image = decode(chart.png);
    expect(image.width).toBeGreaterThanOrEqual(900);
    expect(image.width).toBeLessThanOrEqual(2000);
    expect(image.height).toBeGreaterThanOrEqual(400);
    const { colours, ink } = content(image);
    expect(colours).toBeGreaterThan(50);
    expect(ink).toBeGreaterThan(0.03);
  });

  it('matches its golden image within the tolerance', () => {
    expect(difference(decode(chart.png), golden('troops-all', chart.png))).toBeLessThanOrEqual(TOLERANCE);
  });

  it('renders the same pixels every time (no clock, no system font, no randomness)', async () => {
    const again = (await troopChart(kb))!;
    expect(difference(decode(again.png), decode(chart.png))).toBe(0);
  });

  it('changes materially when one figure does: the golden comparison would fail', async () => {
    const changed = (await troopChart(withDeployments((d) => (d.id === 'france-2023-10' ? { ...d, count: 700 } : d))))!;
    expect(difference(decode(changed.png), golden('troops-all', chart.png))).toBeGreaterThan(TOLERANCE * 2);
    expect(changed.alt).toContain('about 700 (October 2023)');
    expect(changed.alt).not.toContain('about 1,400');
  });

  it('says in its alt text every figure it draws, approximate ones as "about", disagreeing sources and the marked moments', () => {
    for (const d of kb.data.deployments) expect(chart.alt).toContain(`${d.approximate ? 'about ' : ''}${d.count.toLocaleString('en-GB')}`);
    expect(chart.alt).toContain('France: about 1,050 (January 2022), about 1,500 (July – September 2023; another source: about 1,000)');
    expect(chart.alt).toContain('157 (13 December 2023), 0 (22 December 2023)');
    expect(chart.alt).toContain('coup, 26 July 2023');
    expect(chart.alt).toContain('French withdrawal, 10 October 2023 – 22 December 2023');
    expect(chart.alt).toContain('US withdrawal');
  });

  it('cites in its caption the publisher of every figure drawn, the disagreeing ones too', () => {
    const ids = kb.data.deployments.flatMap((d) => [...d.sources, ...d.alternatives.flatMap((a) => a.sources)]);
    for (const c of kb.citations(ids)) expect(chart.caption).toContain(c.publisher);
    expect(chart.caption).toMatch(/^French, German, Italian and US troops in Niger, /);
  });

  it('for one country over a period: only its figures, the one in force when the period opens included, and its own withdrawal', async () => {
    const france = (await troopChart(kb, { countries: ['France'], from: '2023-08-01', to: '2023-12-31' }))!;
    expect(france.alt).toMatch(/^Line chart of French troops in Niger, August – December 2023\./);
    expect(france.alt).toContain('about 1,500 (July – September 2023');
    expect(france.alt).not.toContain('1,050');
    expect(france.alt).not.toMatch(/United States|US withdrawal|coup/);
    expect(france.alt).toContain('French withdrawal');
    const image = decode(france.png);
    expect(content(image).colours).toBeGreaterThan(20);
    expect(difference(image, golden('troops-france-late-2023', france.png))).toBeLessThanOrEqual(TOLERANCE);
  });

  it('is null (the text answer stands alone) when no asked country has a figure in the period', async () => {
    expect(await troopChart(kb, { countries: ['Germany'], from: '2020-01-01', to: '2022-12-31' })).toBeNull();
    expect(await troopChart(kb, { countries: ['Narnia'] })).toBeNull();
  });

  it('draws hostile text from the data as text, never as markup', async () => {
    const hostile = withDeployments((d) => (d.country === 'Italy' ? { ...d, country: '<b>@everyone</b> & <!channel>' } : d));
    const hc = (await troopChart(hostile, { countries: ['<b>@everyone</b> & <!channel>'] }))!;
    expect(decode(hc.png).width).toBeGreaterThan(0);
    expect(hc.alt).toContain('<b>@everyone</b> & <!channel>: about 300');
  });
});

describe('bases map', async () => {
  const map = (await basesMap(kb))!;

  it('is a PNG that is not blank, matching its golden image', () => {
    const image = decode(map.png);
    expect(image.width).toBeGreaterThanOrEqual(800);
    expect(image.height).toBeGreaterThanOrEqual(550);
    const { colours, ink } = content(image);
    expect(colours).toBeGreaterThan(50);
    expect(ink).toBeGreaterThan(0.3);
    expect(difference(image, golden('bases-map', map.png))).toBeLessThanOrEqual(TOLERANCE);
  });

  it('names every place with coordinates, where it is and whose forces were there', () => {
    const placed = kb.data.places.filter((p) => p.coordinates);
    expect(placed.length).toBeGreaterThanOrEqual(4);
    for (const p of placed) expect(map.alt).toContain(`${p.name} (${p.coordinates!.lat.toFixed(2)}° N, ${p.coordinates!.lon.toFixed(2)}° E)`);
    expect(map.alt).toContain('Air Base 201, Agadez (16.95° N, 8.01° E): United States');
    expect(map.caption).toContain('Natural Earth');
  });

  it('moves a base when its coordinates change: the golden comparison would fail', async () => {
    const moved = new KnowledgeBase({
      ...kb.data,
      places: kb.data.places.map((p) => (p.id === 'air-base-201-agadez' ? { ...p, coordinates: { lat: 20.5, lon: 12.5 } } : p)),
    });
    const changed = (await basesMap(moved))!;
    expect(difference(decode(changed.png), golden('bases-map', map.png))).toBeGreaterThan(TOLERANCE * 4);
  });
});

describe('chart renderer', () => {
  it('refuses a spec Vega-Lite would read otherwise than written, rather than draw something else', async () => {
    const r = new ChartRenderer({ data: { name: 't' }, mark: 'point', encoding: { fillOpacity: { field: 'a', type: 'nominal' } } });
    await expect(r.render({ t: [{ a: 1 }] })).rejects.toThrow(/chart spec/);
  });

  it('loads nothing: a spec naming a URL fails instead of reaching the network', async () => {
    const r = new ChartRenderer({ data: { url: 'https://example.invalid/data.json' }, mark: 'point' });
    await expect(r.render({})).rejects.toThrow(/nothing is loaded/);
  });
});
