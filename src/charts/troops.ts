// Troop figures over time by country, from the knowledge base's deployments: the chart `troops show:history`
// attaches, with alt text and a caption made from the same rows so the picture never says more than they do.
import type { Spec as VegaSpec } from 'vega';
import type { TopLevelSpec } from 'vega-lite';
import { formatDay, formatPeriod, longDate } from '../knowledge/dates.ts';
import type { KnowledgeBase } from '../knowledge/kb.ts';
import type { Deployment } from '../knowledge/schema.ts';
import { ChartRenderer, FONT_FAMILY } from './render.ts';

export interface Chart {
  png: Buffer;
  /** What the chart shows, in words, for screen readers and for platforms that show no image. */
  alt: string;
  /** Shown under the chart: what it is and the sources of every figure in it. */
  caption: string;
}

export interface TroopChartOptions {
  /** Display names as in deployments (`France`); default every country with figures. */
  countries?: readonly string[];
  /** ISO days bounding the chart; default the first and last figure. */
  from?: string;
  to?: string;
}

const EXACT = 'exact figure';
const APPROXIMATE = 'approximate (“about”)';
const OTHER_SOURCE = 'another source’s figure';

/** Colour-blind-safe (Okabe–Ito), assigned in the order countries are asked for, so one country keeps one colour. */
const PALETTE = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9'];

interface FigureRow {
  country: string;
  date: string;
  count: number;
  figure: string;
}

interface MomentRow {
  label: string;
  start: string;
  end: string;
}

/** Month ticks, every so many months that about eight fit; labels on the ticks, never on weeks between months. */
function monthTicks(domain: [number, number]): { interval: 'month' | 'year'; step: number } {
  const months = (domain[1] - domain[0]) / (30.44 * 86_400_000);
  const step = [1, 2, 3, 6].find((n) => months / n <= 8);
  return step ? { interval: 'month', step } : { interval: 'year', step: 1 };
}

function spec(title: string, countries: readonly string[], domain: [number, number], kinds: readonly string[]): TopLevelSpec {
  const color = {
    field: 'country',
    type: 'nominal',
    title: null,
    scale: { domain: [...countries], range: countries.map((_, i) => PALETTE[i % PALETTE.length]!) },
  } as const;
  // The period is fixed on the line's layer only: Vega-Lite merges the layers' scales (an explicit domain repeated
  // on each layer is reported as a conflict with itself), and every layer's data lies inside it or is clipped.
  const ticks = monthTicks(domain);
  const x = {
    field: 'date',
    type: 'temporal',
    scale: { type: 'utc' },
    title: null,
    axis: { format: ticks.interval === 'year' ? '%Y' : '%b %Y', tickCount: ticks, labelOverlap: true },
  } as const;
  const y = { field: 'count', type: 'quantitative', title: 'soldiers' } as const;
  // One legend for the three kinds of marker; its symbols are filled as the markers are (only exact ones).
  const figure = {
    field: 'figure',
    type: 'nominal',
    title: null,
    // Only the kinds of marker the chart shows are in its key.
    scale: { domain: [...kinds], range: kinds.map((k) => (k === OTHER_SOURCE ? 'diamond' : 'circle')) },
    legend: { labelLimit: 260, symbolStrokeWidth: 2 },
  } as const;
  const point = { type: 'point', size: 70, strokeWidth: 2, clip: true, opacity: 1 } as const;
  return {
    title: { text: title, anchor: 'start', fontSize: 15 },
    width: 640,
    height: 300,
    background: 'white',
    padding: 12,
    config: { font: FONT_FAMILY, legend: { orient: 'right', labelFontSize: 12, rowPadding: 6 }, view: { stroke: null } },
    layer: [
      {
        data: { name: 'spans' },
        mark: { type: 'rect', color: '#888', opacity: 0.13, clip: true },
        encoding: { x: { ...x, field: 'start' }, x2: { field: 'end' } },
      },
      {
        data: { name: 'moments' },
        mark: { type: 'rule', strokeDash: [4, 3], color: '#555', clip: true },
        encoding: { x: { ...x, field: 'start' } },
      },
      {
        data: { name: 'labels' },
        mark: { type: 'text', align: 'left', baseline: 'top', dx: 4, fontSize: 11, color: '#333', clip: true },
        encoding: { x: { ...x, field: 'start' }, y: { field: 'top', type: 'quantitative', scale: null }, text: { field: 'label' } },
      },
      {
        data: { name: 'figures' },
        mark: { type: 'line', strokeWidth: 2, clip: true },
        encoding: { x: { ...x, scale: { type: 'utc', domain } }, y, color, order: { field: 'date' } },
      },
      { data: { name: 'exact' }, mark: { ...point, filled: true }, encoding: { x, y, color, shape: figure } },
      { data: { name: 'hollow' }, mark: { ...point, filled: false, fill: 'white' }, encoding: { x, y, color, shape: figure } },
    ],
  };
}

/** The markers' key is drawn as the markers are: only exact figures filled (Vega-Lite fills every symbol alike). */
function hollowKey(compiled: VegaSpec): void {
  for (const legend of compiled.legends ?? []) {
    if (!legend.shape) continue;
    legend.encode = {
      symbols: {
        update: {
          fill: { signal: `datum.value === '${EXACT}' ? '#555' : 'white'` },
          stroke: { value: '#555' },
          opacity: { value: 1 },
        },
      },
    };
  }
}

/** One renderer per title, set of countries, dates and kinds of marker: the spec fixes them (a handful of combinations in practice). */
const renderers = new Map<string, ChartRenderer>();

function renderer(title: string, countries: readonly string[], domain: [number, number], kinds: readonly string[]): ChartRenderer {
  const key = `${title}|${countries.join('|')}@${domain.join('/')}|${kinds.join('|')}`;
  let r = renderers.get(key);
  if (!r) {
    if (renderers.size >= 64) renderers.clear();
    r = new ChartRenderer(spec(title, countries, domain, kinds), { adjust: hollowKey });
    renderers.set(key, r);
  }
  return r;
}

function lastDay(d: Deployment): string {
  return (d.until ?? d.asOf).end;
}

function figureText(count: number, approximate: boolean): string {
  return `${approximate ? 'about ' : ''}${count.toLocaleString('en-GB')}`;
}

function adjective(kb: KnowledgeBase, country: string): string {
  return kb.data.countries.find((c) => c.name === country)?.adjective ?? country;
}

function listInWords(words: readonly string[]): string {
  return words.length <= 1 ? (words[0] ?? '') : `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`;
}

/** The named moments a troop chart marks: the coup, and each shown country's withdrawal (tagged with the country). */
function moments(kb: KnowledgeBase, countries: readonly string[]): { coup: MomentRow[]; withdrawals: MomentRow[] } {
  const coup: MomentRow[] = [];
  const withdrawals: MomentRow[] = [];
  for (const span of kb.anchorSpans) {
    const anchor = kb.data.anchors.find((a) => a.id === span.id);
    const event = anchor && kb.eventsById.get(anchor.event);
    if (!event) continue;
    if (span.id === 'coup') coup.push({ label: `coup, ${formatDay(span.start)}`, start: span.start, end: span.end });
    // A withdrawal is a span (its start and end events); a single event tagged so, an announcement, is not one.
    else if (anchor.endEvent && event.tags.includes('withdrawal')) {
      const country = countries.find((c) => event.tags.includes(c.toLowerCase().replace(/ /g, '-')));
      if (country) withdrawals.push({ label: `${adjective(kb, country)} withdrawal`, start: span.start, end: span.end });
    }
  }
  return { coup, withdrawals };
}

/**
 * The troop chart for the countries asked (every country with figures by default), or null when none of them
 * has a figure in the period. A figure reported over a span (`until`) is drawn flat over it.
 */
export async function troopChart(kb: KnowledgeBase, options: TroopChartOptions = {}): Promise<Chart | null> {
  const asked = options.countries ?? kb.countries();
  const shown: { country: string; figures: Deployment[] }[] = [];
  for (const country of asked) {
    const history = kb.troopHistory(country);
    // The figure in force when the period opens is kept, so the line enters the chart at its level.
    const opening = options.from ? history.filter((d) => d.asOf.start < options.from!).at(-1) : undefined;
    const inside = history.filter((d) => (!options.from || d.asOf.start >= options.from) && (!options.to || d.asOf.start <= options.to));
    const figures = opening && lastDay(opening) < (inside[0]?.asOf.start ?? '9999') ? [opening, ...inside] : inside;
    if (inside.length > 0 || opening) shown.push({ country, figures });
  }
  if (shown.length === 0) return null;
  const all = shown.flatMap((s) => s.figures);
  const from = options.from ?? all.map((d) => d.asOf.start).sort()[0]!;
  const to = options.to ?? all.map(lastDay).sort().at(-1)!;
  const countries = shown.map((s) => s.country);

  const figures: FigureRow[] = [];
  const others: FigureRow[] = [];
  for (const { country, figures: list } of shown) {
    for (const d of list) {
      const figure = d.approximate ? APPROXIMATE : EXACT;
      figures.push({ country, date: d.asOf.start, count: d.count, figure });
      if (d.until) figures.push({ country, date: d.until.end, count: d.count, figure });
      for (const a of d.alternatives) others.push({ country, date: d.asOf.start, count: a.count, figure: OTHER_SOURCE });
    }
  }
  const inView = (m: MomentRow) => m.end >= from && m.start <= to;
  const { coup, withdrawals } = moments(kb, countries);
  const marked = [...coup, ...withdrawals].filter(inView).sort((a, b) => a.start.localeCompare(b.start));

  // A period taken from the figures is widened a little, so the first and last markers are not cut in half.
  const margin = (Date.parse(to) - Date.parse(from)) * 0.03;
  const domain: [number, number] = [Date.parse(from) - (options.from ? 0 : margin), Date.parse(to) + (options.to ? 0 : margin)];
  const period = formatPeriod(from, to);
  const who = `${listInWords(countries.map((c) => adjective(kb, c)))} troops in Niger`;
  const title = `${who[0]!.toUpperCase()}${who.slice(1)}, ${period}`;
  const kinds = [EXACT, APPROXIMATE, OTHER_SOURCE].filter((k) => figures.some((f) => f.figure === k) || (k === OTHER_SOURCE && others.length > 0));
  const rendered = await renderer(title, countries, domain, kinds).render({
    figures,
    exact: figures.filter((f) => f.figure === EXACT),
    hollow: [...figures.filter((f) => f.figure !== EXACT), ...others],
    spans: withdrawals.filter(inView),
    moments: coup.filter(inView),
    // Labels of moments close together would overlap at one height: each takes the next line down.
    labels: marked.map((m, i) => ({ ...m, top: 2 + 14 * i })),
  });

  const lines = shown.map(({ country, figures: list }) => {
    const points = list.map((d) => {
      const when = d.until ? formatPeriod(d.asOf.start, d.until.end) : longDate(d.asOf.text);
      const disagree = d.alternatives.map((a) => `another source: ${figureText(a.count, a.approximate)}`);
      return `${figureText(d.count, d.approximate)} (${[when, ...disagree].join('; ')})`;
    });
    return `${country}: ${points.join(', ')}.`;
  });
  const markedWords = marked.map((m) => (m.start === m.end ? m.label : `${m.label}, ${formatPeriod(m.start, m.end)}`));
  const alt = [
    `Line chart of ${who}, ${period}.`,
    ...lines,
    ...(markedWords.length > 0 ? [`Marked: ${markedWords.join('; ')}.`] : []),
    ...(figures.some((f) => f.figure === APPROXIMATE) ? ['Hollow markers are approximate figures.'] : []),
    ...(others.length > 0 ? ['Diamonds are the figures other sources give.'] : []),
  ].join(' ');

  const sourceIds = [...new Set(shown.flatMap((s) => s.figures.flatMap((d) => [...d.sources, ...d.alternatives.flatMap((a) => a.sources)])))];
  const sources = kb.citations(sourceIds).map((c) => `${c.publisher} (${longDate(c.published)})`);
  const caption = `${title}. Hollow markers: approximate figures. Sources: ${[...new Set(sources)].join('; ')}.`;
  return { png: rendered.png, alt, caption };
}
