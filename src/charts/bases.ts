// The foreign bases in Niger on a map: the places in data/places.yaml that have sourced coordinates, over Niger's
// outline and its neighbours' from Natural Earth (public domain), as packaged by world-atlas (1:50m, TopoJSON).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as vega from 'vega';
import type { TopLevelSpec } from 'vega-lite';
import type { KnowledgeBase } from '../knowledge/kb.ts';
import { ChartRenderer, FONT_FAMILY } from './render.ts';
import type { Chart } from './troops.ts';

const require = createRequire(import.meta.url);

interface Feature {
  type: 'Feature';
  id?: string;
  properties: { name: string };
  geometry: { type: string; coordinates: unknown };
}

/** Degrees around Niger's own extent within which neighbours are drawn (the rest of the world is never drawn). */
const CONTEXT_DEGREES = 4;

type Box = [west: number, south: number, east: number, north: number];

function boxOf(coordinates: unknown): Box {
  let [west, south, east, north] = [180, 90, -180, -90];
  const visit = (c: unknown): void => {
    if (Array.isArray(c) && typeof c[0] === 'number') {
      const [lon, lat] = c as [number, number];
      [west, south, east, north] = [Math.min(west, lon), Math.min(south, lat), Math.max(east, lon), Math.max(north, lat)];
    } else if (Array.isArray(c)) for (const inner of c) visit(inner);
  };
  visit(coordinates);
  return [west, south, east, north];
}

/** Each polygon's box: France's or the Netherlands' whole extent spans oceans, their European parts do not. */
function polygonBoxes(feature: Feature): Box[] {
  const g = feature.geometry;
  return g.type === 'MultiPolygon' ? (g.coordinates as unknown[]).map(boxOf) : [boxOf(g.coordinates)];
}

function grow([w, s, e, n]: Box, by: number): Box {
  return [w - by, s - by, e + by, n + by];
}

function intersection(a: Box, b: Box): Box | null {
  const box: Box = [Math.max(a[0], b[0]), Math.max(a[1], b[1]), Math.min(a[2], b[2]), Math.min(a[3], b[3])];
  return box[0] < box[2] && box[1] < box[3] ? box : null;
}

let outlines: { niger: Feature; around: Feature[] } | undefined;

/** Niger and the countries near it, read once: the world file is 750 kB, a few milliseconds to read. */
function nigerOutlines(): { niger: Feature; around: Feature[] } {
  if (outlines) return outlines;
  const topology = readFileSync(require.resolve('world-atlas/countries-50m.json'), 'utf8');
  const countries = vega.read(topology, { type: 'topojson', feature: 'countries' }) as Feature[];
  const niger = countries.find((c) => c.properties.name === 'Niger');
  if (!niger) throw new Error('world-atlas has no country named Niger');
  const view = grow(boxOf(niger.geometry.coordinates), CONTEXT_DEGREES);
  const around = countries.filter((c) => c !== niger && polygonBoxes(c).some((box) => intersection(box, view)));
  outlines = { niger, around };
  return outlines;
}

function spec(niger: Feature): TopLevelSpec {
  const at = { longitude: { field: 'lon', type: 'quantitative' }, latitude: { field: 'lat', type: 'quantitative' } } as const;
  return {
    title: { text: 'Foreign military bases in Niger', anchor: 'start', fontSize: 15 },
    width: 640,
    height: 420,
    background: '#dce9f2',
    padding: 12,
    config: { font: FONT_FAMILY, view: { stroke: null } },
    // Fitted to Niger alone, so the neighbours fill the margins; they are cut at the edge by the projection
    // (not only the drawing), so the SVG carries no coastline of Algeria or Libya for resvg to rasterise.
    projection: {
      type: 'mercator',
      fit: niger as never,
      extent: [
        [20, 20],
        [620, 400],
      ],
      clipExtent: [
        [0, 0],
        [640, 420],
      ],
    },
    layer: [
      { data: { name: 'around' }, mark: { type: 'geoshape', fill: '#f1efe9', stroke: '#a9a59a', strokeWidth: 0.8, clip: true } },
      { data: { name: 'niger' }, mark: { type: 'geoshape', fill: '#f7e3b5', stroke: '#6b5a2e', strokeWidth: 1.5, clip: true } },
      {
        data: { name: 'names' },
        mark: { type: 'text', fontSize: 12, color: '#7a7667', fontStyle: 'italic', clip: true },
        encoding: { ...at, text: { field: 'name' } },
      },
      {
        data: { name: 'bases' },
        mark: { type: 'point', filled: true, size: 90, color: '#b2182b', stroke: 'white', strokeWidth: 1.5, opacity: 1 },
        encoding: at,
      },
      ...(['right', 'left'] as const).flatMap((side) => [
        {
          data: { name: side },
          mark: {
            type: 'text',
            align: side === 'right' ? 'left' : 'right',
            baseline: 'middle',
            dx: side === 'right' ? 9 : -9,
            fontSize: 12,
            fontWeight: 'bold',
            color: '#222',
          },
          encoding: { ...at, text: { field: 'label' } },
        } as const,
        {
          data: { name: side },
          mark: {
            type: 'text',
            align: side === 'right' ? 'left' : 'right',
            baseline: 'top',
            dx: side === 'right' ? 9 : -9,
            dy: 8,
            fontSize: 11,
            color: '#444',
          },
          encoding: { ...at, text: { field: 'who' } },
        } as const,
      ]),
    ],
  };
}

let renderer: ChartRenderer | undefined;

type Ring = [number, number][];

/** The feature's polygons as lists of rings (outer first), whatever its geometry type. */
function polygons(feature: Feature): Ring[][] {
  const g = feature.geometry;
  return g.type === 'MultiPolygon' ? (g.coordinates as Ring[][]) : [g.coordinates as Ring[]];
}

/** Even-odd ray casting over every ring, so holes count; plenty at this scale (degrees as a plane). */
function contains(feature: Feature, lon: number, lat: number): boolean {
  let inside = false;
  for (const ring of polygons(feature).flat()) {
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const [xi, yi] = ring[i]!;
      const [xj, yj] = ring[j]!;
      if (yi > lat !== yj > lat && lon < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) inside = !inside;
    }
  }
  return inside;
}

/**
 * A label point for each country drawn: Niger's in capitals; a neighbour's on its own land near Niger (the point
 * of a grid over the part of its extent near Niger closest to that part's middle), when that part can hold the name.
 */
function names(niger: Feature, around: Feature[]): { name: string; lon: number; lat: number }[] {
  const near = grow(boxOf(niger.geometry.coordinates), 1);
  const labels = [{ name: 'NIGER', lon: 10.5, lat: 18.5 }];
  for (const f of around) {
    const box = polygonBoxes(f)
      .map((b) => intersection(b, near))
      .find((b): b is Box => b !== null && b[2] - b[0] >= 2 && b[3] - b[1] >= 1);
    if (!box) continue;
    const [mx, my] = [(box[0] + box[2]) / 2, (box[1] + box[3]) / 2];
    let best: { lon: number; lat: number; d: number } | undefined;
    for (let i = 0; i <= 12; i++) {
      for (let j = 0; j <= 12; j++) {
        const lon = box[0] + ((box[2] - box[0]) * i) / 12;
        const lat = box[1] + ((box[3] - box[1]) * j) / 12;
        const d = (lon - mx) ** 2 + (lat - my) ** 2;
        if ((!best || d < best.d) && contains(f, lon, lat) && !contains(niger, lon, lat)) best = { lon, lat, d };
      }
    }
    if (best) labels.push({ name: f.properties.name, lon: best.lon, lat: best.lat });
  }
  return labels;
}

/** A base's label goes left of it when another base sits just east of it, where the label would run over it. */
function labelsLeft(base: { lon: number; lat: number }, all: readonly { lon: number; lat: number }[]): boolean {
  return all.some((o) => o !== base && o.lon > base.lon && o.lon - base.lon < 3 && Math.abs(o.lat - base.lat) < 0.6);
}

/**
 * The map of every place in the knowledge base with coordinates (all are in Niger), each labelled with the
 * countries whose forces were there; null when no place has coordinates.
 */
export async function basesMap(kb: KnowledgeBase): Promise<Chart | null> {
  const places = kb.data.places.filter((p) => p.coordinates);
  if (places.length === 0) return null;
  const { niger, around } = nigerOutlines();
  const bases = places.map((p) => {
    const countries = kb.countries().filter((c) => kb.forcesWereAt(p.id, c));
    return { label: p.name, who: countries.join(', '), lon: p.coordinates!.lon, lat: p.coordinates!.lat, countries, place: p };
  });
  // The outlines and country names never change: the view takes them once, so they are projected once.
  renderer ??= new ChartRenderer(spec(niger), { fixed: () => ({ around, niger: [niger], names: names(niger, around) }) });
  const points = bases.map(({ label, who, lon, lat }) => ({ label, who, lon, lat }));
  const rendered = await renderer.render({
    bases: points,
    right: points.filter((b) => !labelsLeft(b, points)),
    left: points.filter((b) => labelsLeft(b, points)),
  });
  const degrees = (v: number, pos: string, neg: string) => `${Math.abs(v).toFixed(2)}° ${v >= 0 ? pos : neg}`;
  const described = bases.map(
    (b) => `${b.label} (${degrees(b.lat, 'N', 'S')}, ${degrees(b.lon, 'E', 'W')})${b.countries.length > 0 ? `: ${b.countries.join(', ')}` : ''}`,
  );
  const alt = `Map of Niger and its neighbours with ${bases.length} foreign military sites: ${described.join('; ')}.`;
  const sources = kb.citations([...new Set(places.flatMap((p) => p.sources))]).map((c) => c.publisher);
  const caption = `Foreign military bases in Niger, where sources give their coordinates. Borders: Natural Earth (public domain). Sources: ${[...new Set(sources)].join('; ')}.`;
  return { png: rendered.png, alt, caption };
}
